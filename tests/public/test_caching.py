"""Public pages answer conditional requests with 304 and are never stale after a save."""

import datetime as dt
import re
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from tests.factories import make_commitment
from tracker.core.models import Correction, CorrectionStatus, DataVersion, ReplyToReview
from tracker.core.services.corrections import correction_decide
from tracker.core.services.timeline import Evidence, commitment_change_status, tracking_log_add
from tracker.public import caching

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]


@pytest.fixture
def commitment():
    return make_commitment(title="擴大疫苗接種")


def detail_url(commitment):
    return f"/commitments/{commitment.uid}/"


@pytest.mark.parametrize("path", ["/", "/commitments/", "/commitments/?q=疫苗", "/feed/", "DETAIL"])
def test_unchanged_page_answers_304_to_its_etag(client, commitment, path):
    path = detail_url(commitment) if path == "DETAIL" else path
    first = client.get(path)
    assert first.status_code == 200
    assert first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_if_modified_since_is_answered_too(client, commitment):
    first = client.get("/")
    again = client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_a_page_from_yesterday_is_not_answered_304_today(client, commitment, monkeypatch):
    # Pages count days (overdue by N days): the day changes them without a save.
    DataVersion.objects.update(changed_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args: today - dt.timedelta(days=1))
    yesterday = client.get("/")
    assert yesterday.status_code == 200
    monkeypatch.setattr(timezone, "localdate", lambda *args: today)
    again = client.get("/", HTTP_IF_MODIFIED_SINCE=yesterday["Last-Modified"])
    assert again.status_code == 200
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=again["Last-Modified"]).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/feed/",
        "/en/feed/",
        "CATEGORY_FEED",
        "AGENCY_FEED",
        "COMMITMENT_FEED",
        "/sitemap.xml",
        "/sitemap-commitments.xml",
        "/sitemap-sources.xml",
        "/sitemap-pages.xml",
    ],
)
def test_feeds_and_sitemaps_answer_304_to_their_own_last_modified(client, commitment, path):
    path = {
        "CATEGORY_FEED": f"/categories/{commitment.category}/feed/",
        "AGENCY_FEED": f"/agencies/{commitment.responsible_agency}/feed/",
        "COMMITMENT_FEED": f"/commitments/{commitment.uid}/feed/",
    }.get(path, path)
    for _round in range(2):  # rendered, then from the page cache
        first = client.get(path)
        assert first.status_code == 200
        again = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 304, path


@pytest.mark.parametrize("path", ["/", "/en/", "/commitments/", "/feed/", "DETAIL", "/robots.txt"])
def test_responses_do_not_vary_on_accept_language(client, commitment, path):
    path = detail_url(commitment) if path == "DETAIL" else path
    chinese = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-TW")
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert "accept-language" not in chinese.get("Vary", "").lower()
    assert chinese.content == english.content


def test_progress_update_makes_the_cached_page_stale(client, commitment):
    first = client.get(detail_url(commitment))
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence(
            document_number="院臺字第1140000001號",
            document_url="https://example.org/a.doc",
            summary="疫苗接種率達九成",
            judgement="進度更新",
        ),
        entry_date=dt.date.today(),
    )
    again = client.get(
        detail_url(commitment),
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_IF_MODIFIED_SINCE=http_date(),
    )
    assert again.status_code == 200
    assert "疫苗接種率達九成" in again.content.decode()
    assert again["ETag"] != first["ETag"]


def test_status_change_and_edits_make_every_page_stale(client, commitment):
    etags = {path: client.get(path)["ETag"] for path in ("/", "/commitments/")}
    commitment_change_status(commitment=commitment, to_status="已達成", reason="完成")
    for path, etag in etags.items():
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = client.get("/commitments/")["ETag"]
    commitment.title = "改過的標題"
    commitment.save()
    response = client.get("/commitments/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "改過的標題" in response.content.decode()


def test_deleting_a_log_entry_makes_the_page_stale(client, commitment):
    etag = client.get(detail_url(commitment))["ETag"]
    commitment.log_entries.first().delete()
    assert client.get(detail_url(commitment), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_english_and_chinese_pages_have_different_etags(client, commitment):
    assert client.get("/")["ETag"] != client.get("/en/")["ETag"]


def test_cached_pages_are_kept_apart_per_host(client, commitment, settings):
    # A page holds absolute links: one served for another host name must not be reused.
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    first = client.get("/", HTTP_HOST="a.example.org").content.decode()
    second = client.get("/", HTTP_HOST="b.example.org").content.decode()
    assert '<link rel="canonical" href="http://a.example.org/">' in first
    assert '<link rel="canonical" href="http://b.example.org/">' in second


def test_filter_menus_follow_a_save(client, commitment):
    # The menus' counts are kept per data version: a new commitment shows at once.
    assert "醫療衛生（1）" in client.get("/commitments/").content.decode()
    assert "醫療衛生（1）" in client.get("/commitments/?status=追蹤中").content.decode()
    make_commitment(title="另一項承諾")
    html = client.get("/commitments/?status=追蹤中").content.decode()
    assert "醫療衛生（2）" in html


def tally_reads(path, client) -> tuple[int, str]:
    """Return how many queries asking PATH read the kept tallies, and the page."""
    with CaptureQueriesContext(connection) as captured:
        html = client.get(path).content.decode()
    return sum("tracker_commitmenttally" in query["sql"] for query in captured), html


@pytest.mark.parametrize("path", ["/", "/commitments/", "/commitments/?status=已達成"])
def test_counts_are_read_again_after_a_save_only_when_a_count_moved(client, commitment, path):
    assert tally_reads(path, client)[0] > 0
    # A log entry and a new title move no count: the page is rendered again (a new version),
    # its counts and menus are not read again.
    tracking_log_add(
        commitment=commitment,
        evidence=Evidence(
            document_number="院臺字第1140000002號",
            document_url="https://example.org/b.doc",
            summary="第二次進度",
            judgement="進度更新",
        ),
        entry_date=dt.date.today(),
    )
    commitment.title = "改過的標題"
    commitment.save()
    reads, html = tally_reads(path, client)
    assert reads == 0
    if path == "/commitments/":
        assert "改過的標題" in html
    # A status change moves two counts: read again, and shown at once.
    commitment_change_status(commitment=commitment, to_status="已達成", reason="完成")
    reads, html = tally_reads(path, client)
    assert reads > 0
    if path == "/":
        achieved = r'<span class="status-count">1</span> <span class="status-name">已達成</span>'
        assert re.search(achieved, html), "the overview counts the new status"
    else:
        assert "1 項承諾" in html


def test_without_the_data_version_row_no_count_is_kept(client, commitment):
    # A flushed database has no row for the triggers to draw a token in: the counts are then
    # read every time, so a count moved without a save (QuerySet.update) shows at once.
    DataVersion.objects.all().delete()
    assert "醫療衛生（1）" in client.get("/commitments/").content.decode()
    type(commitment).objects.filter(pk=commitment.pk).update(category="教育")
    html = client.get("/commitments/?status=追蹤中").content.decode()
    assert "教育（1）" in html
    assert "醫療衛生（1）" not in html


def test_a_cached_page_keeps_the_views_own_headers(client, commitment):
    path = f"/commitments/{commitment.uid}.md"
    first, second = client.get(path), client.get(path)
    assert first["Content-Disposition"].startswith("attachment")
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second.content == first.content
    sitemap = [client.get("/sitemap.xml") for _ in range(2)]
    assert sitemap[1]["X-Robots-Tag"] == sitemap[0]["X-Robots-Tag"]
    assert sitemap[1]["Content-Type"] == sitemap[0]["Content-Type"]


def test_a_version_number_used_again_is_not_a_cache_hit(client, commitment):
    # As after a database restore: the counter goes back, then a save reaches the old number.
    assert "擴大疫苗接種" in client.get(detail_url(commitment)).content.decode()
    DataVersion.objects.update(version=F("version") - 1)
    commitment.title = "還原後改過的標題"
    commitment.save()
    assert "還原後改過的標題" in client.get(detail_url(commitment)).content.decode()


def version() -> int:
    return DataVersion.objects.get().version


def test_a_pending_correction_does_not_change_the_version_but_a_decision_does(
    commitment, admin_user
):
    before = version()
    correction = Correction.objects.create(
        commitment=commitment, message="日期有誤", client_key="k", status=CorrectionStatus.PENDING
    )
    assert version() == before
    correction_decide(
        correction=correction,
        status=CorrectionStatus.ACCEPTED,
        public_note="已更正",
        user=admin_user,
    )
    assert version() > before


def test_saving_through_a_proxy_model_changes_the_version(commitment):
    before = version()
    reply = ReplyToReview.objects.get(pk=commitment.source_id)
    reply.reviewed_at = timezone.now()
    reply.save()
    assert version() == before + 1


def test_rebuilding_the_search_index_changes_the_version_once(commitment):
    # Search documents follow the record they index; the rebuild bumps once for all of them.
    before = version()
    call_command("rebuild_search_index", stdout=StringIO())
    assert version() == before + 1


@pytest.mark.parametrize("path", ["/", "/feed/", "/commitments.json"])
def test_a_gzipped_page_still_answers_304_to_its_weakened_etag(client, commitment, path):
    first = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')
    again = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_an_upgrade_changes_the_etag_and_the_cached_page(client, commitment, monkeypatch):
    from tracker.core.data_version import release

    monkeypatch.setenv("TRACKER_RELEASE", "before-upgrade")
    release.cache_clear()
    first = client.get("/")
    monkeypatch.setenv("TRACKER_RELEASE", "after-upgrade")
    release.cache_clear()  # what new workers do after a reload
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    release.cache_clear()


def page_key(client, path: str) -> str:
    """Return the page cache's key for PATH, as the first request for it stored it."""
    client.get(path)
    keys = [key for key in cache_keys() if not key.endswith(":rendering")]
    caching.page_cache.clear()
    assert len(keys) == 1
    return keys[0]


def cache_keys() -> list[str]:
    cache = caching.page_cache
    if hasattr(cache, "_expire_info"):  # each worker's memory (LocMemCache)
        return [key.split(":", 2)[2] for key in cache._cache]
    client = cache._cache.get_client()
    return [key.decode().split(":", 2)[2] for key in client.keys(f"{cache.key_prefix}:*")]


def test_a_page_another_worker_is_rendering_is_waited_for_not_rendered_again(
    client, commitment, django_assert_max_num_queries
):
    # Another worker claimed the page after a save and stores it 50 ms later.
    key = page_key(client, "/")
    caching.page_cache.add(f"{key}:rendering", 1, 10)
    timer = threading.Timer(0.05, caching.page_cache.set, [key, ([], b"rendered elsewhere")])
    timer.start()
    with django_assert_max_num_queries(1):  # the data version: nothing rendered here
        response = client.get("/")
    timer.join()
    assert response.content == b"rendered elsewhere"


def test_a_page_whose_renderer_gave_up_is_rendered_here(client, commitment, monkeypatch):
    monkeypatch.setattr(caching, "RENDER_WAIT_SECONDS", 0.05)
    key = page_key(client, "/")
    caching.page_cache.add(f"{key}:rendering", 1, 10)  # claimed, never stored
    response = client.get("/")
    assert response.status_code == 200
    assert "擴大疫苗接種" in response.content.decode()


def test_the_claim_to_render_is_released_after_rendering(client, commitment):
    client.get("/commitments/?q=沒有結果的搜尋")
    client.get("/no-such-page/")
    assert not [key for key in cache_keys() if key.endswith(":rendering")]
