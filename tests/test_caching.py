"""Public pages answer conditional requests with 304 and are never stale after a save."""

import datetime as dt

import pytest
from django.utils.http import http_date

from tests.factories import make_commitment
from tracker.services.timeline import Evidence, commitment_change_status, tracking_log_add

pytestmark = pytest.mark.django_db


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
