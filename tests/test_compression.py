"""Text responses are gzipped through gunicorn, except pages that carry a secret (BREACH)."""

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")
UID = "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving the sample files from a new SQLite database, in development mode."""
    folder = tmp_path_factory.mktemp("gunicorn")
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "true",
        "SQLITE_PATH": str(folder / "db.sqlite3"),
        "TRACKER_DOWNLOADS_DIR": str(folder / "downloads"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["import_commitments", str(FIXTURES)]):
        subprocess.run(
            [*manage, *command], env=environment, cwd=ROOT, check=True, capture_output=True
        )
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)  # noqa: S310 - localhost
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(base: str, path: str, encoding: str | None = "gzip"):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    address = base + urllib.parse.quote(path, safe="/?=&")
    request = urllib.request.Request(address, headers=headers)  # noqa: S310 - localhost
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - localhost
        return response.headers, response.read()


@pytest.mark.parametrize(
    ("path", "start"),
    [
        ("/", b"<!DOCTYPE html>"),
        ("/en/commitments/", b"<!DOCTYPE html>"),
        ("/commitments.csv", "\ufeffid,".encode()),
        ("/commitments.json", b'{"$schema"'),
        ("/feed/", b"<?xml"),
        ("/sitemap.xml", b"<?xml"),
        ("/robots.txt", b"User-agent"),
        ("/downloads/commitments.schema.json", b"{"),
        ("/downloads/timeline.csv", "\ufeffcommitment_id,".encode()),
    ],
)
def test_text_responses_are_gzipped(server, path, start):
    headers, content = fetch(server, path)
    assert headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in headers["Vary"].lower()
    plain_headers, plain = fetch(server, path, encoding=None)
    assert "Content-Encoding" not in plain_headers
    assert gzip.decompress(content) == plain
    assert plain.startswith(start)
    assert len(content) < len(plain)


def test_a_zip_is_sent_as_it_is(server):
    headers, content = fetch(server, "/downloads/commitments.zip")
    assert "Content-Encoding" not in headers
    assert content.startswith(b"PK")


@pytest.mark.parametrize("path", [f"/commitments/{UID}/correction/", "/admin/login/"])
def test_pages_with_a_csrf_token_are_never_compressed(server, path):
    headers, content = fetch(server, path)
    assert "Content-Encoding" not in headers
    assert b"csrfmiddlewaretoken" in content
