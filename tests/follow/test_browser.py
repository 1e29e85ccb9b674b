"""Following, the embed and the share card in Debian's Chromium, at phone and desk widths."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import re
import threading
from pathlib import Path

import pytest

from tests.factories import make_commitment, make_log
from tests.follow.conftest import text_of
from tests.public.test_browser import serious_violations
from tracker.core.models import EntryKind
from tracker.follow.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a person to look at: SCREENSHOT_DIR=/tmp/shots pytest tests/follow -m browser
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def _shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _commitment():
    commitment = make_commitment(
        title="每年10月前完成流感疫苗採購確保供應",
        responsible_agency="衛福部疾管署",
        category="醫療衛生",
    )
    make_log(
        commitment,
        position=1,
        entry_date=dt.date(2026, 1, 30),
        kind=EntryKind.PROGRESS,
        text="疾管署表示已完成 2026 年度流感疫苗採購招標，首批疫苗將於 9 月底前到貨。",
    )
    return commitment


def test_a_reader_follows_a_commitment_without_javascript(live_server, browser, smtp, settings):
    settings.TRACKER_SITE_URL = live_server.url
    commitment = _commitment()
    context = browser.new_context(java_script_enabled=False, locale="zh-TW")
    page = context.new_page()
    page.goto(f"{live_server.url}/commitments/{commitment.uid}/")
    page.get_by_role("link", name="以電子郵件追蹤這項承諾").click()
    page.get_by_label("電子郵件地址").fill("reader@example.org")
    page.get_by_label("每週").check()
    page.get_by_role("button", name="寄送確認信").click()
    assert page.locator("h1").inner_text() == "請到信箱確認"
    [message] = smtp.messages
    confirm = re.search(r"https?://\S+/follow/confirm/\S+/", text_of(message)).group()
    page.goto(confirm)
    page.get_by_role("button", name="確認").click()
    assert page.locator("h1").inner_text() == "管理訂閱"
    _shot(page, "manage")
    assert Subscription.objects.get().confirmed_at is not None
    assert "承諾：每年10月前完成流感疫苗採購確保供應" in page.locator(".follow-list").inner_text()
    context.close()


@pytest.fixture
def news_site():
    """Another origin (a newsroom's article page) on a free local port, framing what it's told.

    Local, as Chromium refuses a public page's frames onto localhost (local network access).
    """
    frames: dict[str, str] = {}

    class Article(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (
                '<!DOCTYPE html><html lang="en"><title>News</title><h1>News</h1>'
                f'<iframe src="{frames[self.path]}" width="100%" height="360" title="card">'
                "</iframe></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", frames
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_can_frame_the_embed_but_not_the_commitment_page(
    live_server, browser, news_site
):
    commitment = _commitment()
    origin, frames = news_site
    frames["/embed"] = f"{live_server.url}/embed/commitments/{commitment.uid}/"
    frames["/detail"] = f"{live_server.url}/commitments/{commitment.uid}/"
    context = browser.new_context(locale="zh-TW")
    page = context.new_page()
    page.goto(origin + "/embed")
    frame = page.frame_locator("iframe")
    assert frame.locator("h1").inner_text() == "每年10月前完成流感疫苗採購確保供應"
    _shot(page, "embed-framed")

    page.goto(origin + "/detail")
    page.wait_for_timeout(500)
    # Refused by frame-ancestors 'none' and X-Frame-Options: DENY: no page of ours inside.
    assert frame.locator("h1.commitment-title, article.commitment").count() == 0
    assert "流感疫苗" not in frame.locator("body").inner_text()
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_follow_pages_and_embed_have_no_serious_accessibility_violations(
    live_server, browser, width
):
    commitment = _commitment()
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-TW")
    page = context.new_page()
    pages = {
        "follow": f"/follow/?commitment={commitment.uid}",
        "follow-en": f"/en/follow/?commitment={commitment.uid}",
        "embed": f"/embed/commitments/{commitment.uid}/",
        "embed-en": f"/en/embed/commitments/{commitment.uid}/",
        "detail": f"/commitments/{commitment.uid}/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        if name == "detail":
            page.locator(".embed-snippet summary").click()
            page.locator("#follow").scroll_into_view_if_needed()
        _shot(page, f"{name}-{width}")
        found[path] = serious_violations(page)
        # Nothing wider than the screen (a long title, the snippet).
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    assert found == {key: [] for key in pages.values()}
    page.goto(f"{live_server.url}/commitments/{commitment.uid}/card.png")
    _shot(page, f"card-{width}")
    context.close()
