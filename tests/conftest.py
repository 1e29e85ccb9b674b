import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "commitments"
CORPUS = Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


def free_ports(count: int) -> list[int]:
    """Return distinct ports free on every address (probes held open until all are chosen)."""
    probes = [socket.socket(socket.AF_INET6) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("::", 0))  # dual-stack: free on IPv4 and IPv6 alike
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


@pytest.fixture
def corpus_commitments() -> Path:
    """The real corpus of commitment files, or skip when this checkout has none beside it."""
    path = CORPUS / "commitments"
    if not path.is_dir():
        pytest.skip(f"the shared corpus is not at {path} (set CORPUS_DIR to run this test)")
    return path


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, or skip where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/run-tests.sh installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still talks to the
    # database synchronously, which Django would otherwise refuse in an async context.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-TW")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _login_lockout_only_where_tested(request, settings):
    """Let tests log in with client.login(); tests marked `lockout` keep django-axes on."""
    if "lockout" not in request.keywords:
        settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _default_language():
    """Start each test in the site's default language: a request to /en/ leaves English
    active in the thread, and reverse() under i18n_patterns would follow it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts at data version 0: cached pages and counts must not carry over."""
    from django.core.cache import caches

    caches["pages"].clear()
    caches["aggregates"].clear()


@pytest.fixture(params=["memory", "redis"])
def cache_backend(request, settings) -> str:
    """Run a test with each worker's own memory cache, then with the shared Redis cache.

    scripts/run-tests.sh starts a redis-server on a free port and names it in TEST_REDIS_URL.
    """
    if request.param == "redis":
        url = os.environ.get("TEST_REDIS_URL", "").strip()
        if not url:
            pytest.skip("no redis-server: TEST_REDIS_URL is unset (scripts/run-tests.sh sets it)")
        from django.core.cache import caches

        from config.settings import redis_caches

        settings.CACHES = redis_caches(url)
        for name in settings.CACHES:
            caches[name].clear()
    return request.param


@pytest.fixture(autouse=True)
def _downloads_in_a_temporary_folder(settings, tmp_path):
    """Build the downloads where each test can see them, never in the checkout's var/."""
    settings.TRACKER_DOWNLOADS_DIR = tmp_path / "downloads"
