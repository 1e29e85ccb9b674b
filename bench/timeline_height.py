"""The longest timeline's page height on the real corpus, on a phone and on a desktop.

Loads the corpus into a fresh SQLite database, starts ``runserver`` on a free port, and opens
the detail page of the commitment with the most timeline entries in Chromium (Playwright)
at 375 and 1,280 px wide: ``document.body.scrollHeight``, in both languages.

    .venv/bin/python bench/timeline_height.py [CORPUS_DIR]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(
    sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "commitments"
)
database = Path(tempfile.mkdtemp(prefix="bench-timeline-")) / "db.sqlite3"
os.environ["SQLITE_PATH"] = str(database)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_DEBUG"] = "true"  # runserver serves the static files
os.environ["TRACKER_ENV_FILE"] = ""

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from tracker.core.models import Commitment  # noqa: E402

WIDTHS = (375, 1280)
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own http address)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> None:
    from playwright.sync_api import sync_playwright

    call_command("migrate", verbosity=0)
    call_command("import_commitments", str(CORPUS), stdout=open(os.devnull, "w"))  # noqa: SIM115
    uid, entries, path = (
        Commitment.objects.published()
        .annotate(n=Count("log_entries"))
        .order_by("-n", "pk")
        .values_list("uid", "n", "file_path")
        .first()
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        print(f"corpus: {CORPUS}; longest timeline: {path} ({entries} entries)")
        print(f"{'page':34} {'width px':>8} {'scrollHeight px':>16}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=BROWSER_ARGS
            )
            for language, prefix in (("zh-hant", ""), ("en", "/en")):
                for width in WIDTHS:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(f"{base}{prefix}/commitments/{uid}/")
                    height = page.evaluate("document.body.scrollHeight")
                    print(f"{'detail, ' + language:34} {width:>8} {height:>16,}")
                    page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
