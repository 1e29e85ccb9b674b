"""A reader's main paths in Debian's Chromium, and axe-core on every main page."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.samples import sample  # noqa: F401
from tracker.core.models import Commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
        for node in violation["nodes"]
    ]


@pytest.mark.usefixtures("sample")
def test_a_reader_filters_searches_opens_a_commitment_and_downloads_it(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="承諾列表").first.click()
    assert page.locator(".result-count").inner_text().startswith("共 9 項承諾")

    page.get_by_label("已延宕").check()
    page.locator("summary", has_text="更多篩選條件").click()
    page.get_by_label("負責機關").select_option("衛生福利部")
    page.get_by_role("button", name="套用").click()
    assert "status=%E5%B7%B2%E5%BB%B6%E5%AE%95" in page.url
    assert page.locator(".result-count").inner_text().startswith("共 0 項承諾")

    page.get_by_role("link", name="清除條件").click()
    page.get_by_label("搜尋", exact=True).fill("疫苗")
    page.get_by_role("button", name="套用").click()
    assert page.locator("mark").first.inner_text() == "疫苗"
    page.get_by_role("link", name="每年10月前完成流感疫苗採購確保供應").click()

    assert page.locator("h1").inner_text() == "每年10月前完成流感疫苗採購確保供應"
    page.get_by_text("展開答復全文").click()
    assert page.locator(".reply-text").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Markdown 檔案").click()
    download = download_info.value
    assert download.suggested_filename == "流感疫苗採購.md"
    commitment = Commitment.objects.get(uid="7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503")
    assert download.path().read_bytes().startswith(f'---\nid: "{commitment.uid}"'.encode())


@pytest.mark.usefixtures("sample")
def test_a_reader_reaches_a_commitment_from_an_overview_bar(live_server, page):
    page.goto(live_server.url + "/")
    page.locator('svg a[aria-label="醫療衛生：無更新 1"]').click()
    assert page.locator(".result-count").inner_text().startswith("共 1 項承諾")


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("width", [375, 1280])
def test_main_pages_have_no_serious_accessibility_violations(live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-TW")
    page = context.new_page()
    uid = "7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"
    paths = [
        "/",
        "/commitments/",
        "/commitments/?q=疫苗",
        f"/commitments/{uid}/",
        "/sources/5a1c2e90-1111-4a2b-9c3d-000000000002/",
        "/recent/",
        "/methodology/",
        "/downloads/",
        "/corrections/",
        f"/commitments/{uid}/correction/",
        "/en/",
    ]
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        if path == f"/commitments/{uid}/":
            page.get_by_text("展開答復全文").click()
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    context.close()
    assert found == {}
