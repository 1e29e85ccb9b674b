"""An editor in a real browser: log a progress update, change the status, see both exported."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.desk.conftest import make_user
from tests.factories import make_commitment, make_source
from tracker.core.services.roles import EDITOR
from tracker.core.services.timeline import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = "/tmp/tracker-admin-screenshots"


def test_editor_logs_progress_and_changes_status(live_server, page):
    make_user(
        "reporter", EDITOR, password="a-long-test-password", first_name="小明", last_name="王"
    )
    commitment = make_commitment(
        title="確保疫苗供應充足",
        wording="本部將確保流感疫苗供應充足。",
        target_date_text="2025-12-31",
        source=make_source(reply_text="衛福部將擴大疫苗採購。" * 40),
        last_updated=dt.date(2026, 1, 26),
    )
    change_path = reverse("admin:tracker_commitment_change", args=[commitment.pk])
    # The admin runs under the same strict Content-Security-Policy as the public pages.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/admin/login/?next={change_path}")
    page.fill("#id_username", "reporter")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change_path}")

    page.fill("#id_progress_document_number", "院臺衛字第1130000002號")
    page.fill("#id_progress_document_url", "https://example.org/doc/2.doc")
    page.fill("#id_progress_summary", "第二批疫苗已到貨。")
    page.select_option("#id_progress_judgement", "達成證據")
    page.click("input[name=_continue] >> nth=-1")
    page.wait_for_selector("text=已新增一筆進度更新")

    page.select_option("#id_status_to", "已延宕")
    page.fill("#id_status_reason", "目標日期 2025-12-31 已過")
    page.click("input[name=_continue] >> nth=-1")
    page.wait_for_selector("text=狀態已由「追蹤中」變更為「已延宕」")

    timeline = page.inner_text(".tracker-timeline")
    # Newest first: the status change, then the progress update, then the created entry.
    assert "追蹤中 → 已延宕" in page.inner_text(".tracker-entry >> nth=0")
    assert "目標日期 2025-12-31 已過" in page.inner_text(".tracker-entry >> nth=0")
    assert "第二批疫苗已到貨。" in page.inner_text(".tracker-entry >> nth=1")
    assert "編輯判斷：達成證據" in timeline

    # One entry is corrected on its own page, then the editor is back on the timeline.
    page.click(".tracker-entry >> nth=1 >> .tracker-entry-edit")
    page.fill("#id_summary", "第二批疫苗已全數到貨。")
    page.click("input[name=_save]")
    page.wait_for_url(f"**{change_path}*")
    assert "第二批疫苗已全數到貨。" in page.inner_text(".tracker-entry >> nth=1")
    assert "已延宕" in page.inner_text(".field-status_label")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SCREENSHOTS}/change-desktop.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=f"{SCREENSHOTS}/change-phone.png", full_page=True)

    page.click("text=匯出檔預覽")
    exported = page.inner_text("#export-text")
    day = today().isoformat()
    assert 'status: "已延宕"' in exported
    assert (
        f"### {day} [進度更新]\n"
        "**來源類型**：立法院答復\n"
        "**文件編號**：院臺衛字第1130000002號\n"
        "**來源連結**：https://example.org/doc/2.doc\n"
        "**內容摘要**：第二批疫苗已全數到貨。\n"
        "**AI 判斷**：達成證據\n"
        "\n"
        f"### {day} [狀態變更]\n"
        "**狀態**：追蹤中 → 已延宕\n"
        "**原因**：目標日期 2025-12-31 已過"
    ) in exported
    page.screenshot(path=f"{SCREENSHOTS}/export-phone.png", full_page=True)

    # Readers see both entries on the public detail page.
    page.goto(live_server.url + reverse("public:commitment_detail", args=[commitment.uid]))
    public_timeline = page.inner_text(".timeline")
    assert "第二批疫苗已全數到貨。" in public_timeline
    assert "編輯判斷：達成證據" in public_timeline
    assert "目標日期 2025-12-31 已過" in public_timeline
    assert "已延宕" in page.inner_text(".timeline .entry-status")
    assert blocked == []
