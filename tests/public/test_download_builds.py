"""The downloads' builds: once per data version, one builder, never making a reader wait
past the inline limit, nothing half-written."""

import io
import logging
import threading
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse

from tests.factories import make_commitment
from tracker.core.data_version import data_version_for, version_tag
from tracker.public import download_builds

# The background builder reads through its own connection: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_build_outlives_its_test():
    yield
    download_builds.wait_for_background_builds(60)
    download_builds._failures.clear()


def files_in_zip(response) -> int:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return len(archive.namelist())


@pytest.fixture
def held_builds(monkeypatch):
    """Make every build wait at its start until the test lets it go; count the builds."""
    release, started = threading.Event(), []
    original = download_builds._write_package

    def held(*args, **kwargs):
        started.append(threading.current_thread().name)
        assert release.wait(30), "the test never released the build"
        return original(*args, **kwargs)

    monkeypatch.setattr(download_builds, "_write_package", held)
    yield release, started
    release.set()
    download_builds.wait_for_background_builds(30)


def test_past_the_limit_the_previous_build_is_served_while_one_thread_builds(
    client, settings, held_builds
):
    release, started = held_builds
    settings.TRACKER_DOWNLOADS_INLINE_LIMIT = 1
    make_commitment(title="第一項")
    release.set()  # the first build: nothing to serve before it, so the request waits
    assert files_in_zip(client.get(reverse("public:dataset_zip"))) == 1
    release.clear()
    make_commitment(title="第二項")
    make_commitment(title="第三項")  # now past the limit of 1

    # At once, and again: the previous build, kept out of every cache, one build started.
    for _ in range(2):
        response = client.get(reverse("public:dataset_zip"))
        assert files_in_zip(response) == 1
        assert response["Cache-Control"] == "no-store"
        page = client.get(reverse("public:downloads"))
        assert page["Cache-Control"] == "no-store"
        assert not page.has_header("ETag") and not response.has_header("ETag")
        assert "新的下載檔正在依目前的資料重新產生" in page.content.decode()
    assert len(started) == 2  # the first build, then one background build

    release.set()
    download_builds.wait_for_background_builds(30)
    response = client.get(reverse("public:dataset_zip"))
    assert files_in_zip(response) == 3
    assert "no-store" not in response["Cache-Control"] and response.has_header("ETag")
    page = client.get(reverse("public:downloads")).content.decode()
    assert "新的下載檔正在依目前的資料重新產生" not in page


def test_a_failed_background_build_leaves_nothing_and_the_previous_is_served(
    client, settings, monkeypatch, caplog
):
    settings.TRACKER_DOWNLOADS_INLINE_LIMIT = 0
    make_commitment(title="第一項")
    client.get(reverse("public:dataset_zip"))
    make_commitment(title="第二項")

    def broken(path):
        path.write_bytes(b"half a zip")
        raise OSError("No space left on device")

    monkeypatch.setattr(download_builds, "_write_zip", broken)
    with caplog.at_level(logging.ERROR, logger="tracker.public.download_builds"):
        assert files_in_zip(client.get(reverse("public:dataset_zip"))) == 1
        download_builds.wait_for_background_builds(30)
    assert "building data version" in caplog.text and "No space left on device" in caplog.text
    folder = download_builds.downloads_dir()
    assert len(list(folder.glob("build-*"))) == 1
    assert not list(folder.glob(".building-*"))
    # Served the previous build again, without building the same version again at once.
    tried = []
    monkeypatch.setattr(download_builds, "_write_package", lambda *args: tried.append(args))
    assert files_in_zip(client.get(reverse("public:dataset_zip"))) == 1
    download_builds.wait_for_background_builds(30)
    assert tried == []
    # The next change is built.
    monkeypatch.undo()
    make_commitment(title="第三項")
    client.get(reverse("public:dataset_zip"))
    download_builds.wait_for_background_builds(30)
    assert files_in_zip(client.get(reverse("public:dataset_zip"))) == 3


def refuse_to_build(*args, **kwargs):
    raise AssertionError("built again")


def test_two_builders_of_one_version_build_it_once(db, monkeypatch):
    make_commitment()
    calls = []
    original = download_builds._write_package

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(download_builds, "_write_package", counted)
    version = data_version_for()
    arguments = ("http://testserver", version_tag(), version.changed_at)
    folders = []

    def builder():
        try:
            folders.append(download_builds.build(*arguments))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=builder) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(calls) == 1
    assert len(set(folders)) == 1 and len(folders) == 3


def test_the_command_builds_ahead_for_the_site_s_address(client, settings, monkeypatch):
    make_commitment()
    out = io.StringIO()
    call_command("build_downloads", site_url="http://testserver/", stdout=out)
    assert "http://testserver" in out.getvalue()

    monkeypatch.setattr(download_builds, "_write_package", refuse_to_build)
    assert client.get(reverse("public:downloads")).status_code == 200
    assert files_in_zip(client.get(reverse("public:dataset_zip"))) == 1


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("tracker.example.org", "not an http\\(s\\) address"),
        ("javascript:alert(1)", "not an http\\(s\\) address"),
        ("https://tracker.example.org/downloads/", "no path"),
        ("", "TRACKER_SITE_URL is not set"),
    ],
)
def test_the_command_refuses_an_address_that_is_not_the_site_s_root(db, value, problem):
    with pytest.raises(CommandError, match=problem) as raised:
        call_command("build_downloads", site_url=value)
    assert str(raised.value).startswith("--site-url")
