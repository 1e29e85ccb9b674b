import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.public.sitemaps import CommitmentSitemap, ItemsInLanguages


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_robots_txt_answers_head_and_covers_every_language(client, db):
    head = client.head("/robots.txt")
    assert head.status_code == 200
    assert head.content == b""
    text = client.get("/robots.txt").content.decode()
    for path in (
        "/commitments/?",
        "/en/commitments/?",
        "/commitments.csv",
        "/commitments.json",
        "/en/commitments.csv",
        "/en/commitments.json",
    ):
        assert f"Disallow: {path}\n" in text
    assert client.post("/robots.txt").status_code == 405


def test_sitemap_lists_published_commitments_in_both_languages(client, sample):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-commitments.xml" in index
    commitments = client.get("/sitemap-commitments.xml").content.decode()
    uid = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
    assert f"http://testserver/commitments/{uid}/" in commitments
    assert f"http://testserver/en/commitments/{uid}/" in commitments
    assert 'hreflang="x-default"' in commitments


def test_pages_have_title_description_canonical_and_open_graph(client, sample):
    uid = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
    html = client.get(reverse("public:commitment_detail", args=[uid])).content.decode()
    assert "<title>持續捍衛國家主權及國際參與 | 政策承諾追蹤</title>" in html
    assert f'<link rel="canonical" href="http://testserver/commitments/{uid}/">' in html
    assert '<meta property="og:title" content="持續捍衛國家主權及國際參與">' in html
    assert '<meta name="description" content="追蹤中｜國防外交｜' in html
    assert f'hreflang="en" href="http://testserver/en/commitments/{uid}/"' in html
    assert 'media="print"' in html


@pytest.mark.django_db
def test_the_index_dates_each_section_by_its_newest_item_without_reading_them_all(
    client, django_assert_max_num_queries
):
    for day in (3, 9, 5):
        make_commitment(log=False, last_updated=dt.date(2026, 1, day))
    make_commitment(log=False, last_updated=dt.date(2026, 1, 20), is_published=False)
    with django_assert_max_num_queries(12) as captured:
        index = client.get("/sitemap.xml").content.decode()
    # Each section's latest change is one aggregate: no query reads the commitments' rows.
    assert not [q for q in captured.captured_queries if '"tracker_commitment"."uid"' in q["sql"]]
    lastmods = dict(
        re.findall(r"<loc>http://testserver/sitemap-(\w+)\.xml</loc>\s*<lastmod>([^<]+)<", index)
    )
    assert lastmods["commitments"].startswith("2026-01-09")
    assert lastmods["sources"].startswith("2026-01-09")


@pytest.mark.django_db
def test_items_in_languages_slice_as_the_whole_list_does():
    for number in range(5):
        make_commitment(log=False, title=f"承諾 {number}")
    queryset = Commitment.objects.published().order_by("pk")
    pairs = ItemsInLanguages(queryset, ["zh-hant", "en"])
    whole = [(item, language) for item in queryset for language in ("zh-hant", "en")]
    assert len(pairs) == len(whole) == 10
    for start in range(-2, 12):
        for stop in range(-2, 13):
            assert pairs[start:stop] == whole[start:stop], (start, stop)
    assert [pairs[index] for index in (0, 3, 9, -1, -10)] == [
        whole[index] for index in (0, 3, 9, -1, -10)
    ]
    for outside in (10, 11, -11, -12):
        with pytest.raises(IndexError):
            pairs[outside]


@pytest.mark.django_db
def test_sitemap_pages_together_list_what_one_page_lists(client, monkeypatch):
    for number in range(7):
        make_commitment(log=False, title=f"承諾 {number}")
    make_commitment(log=False, title="草稿", is_published=False)
    whole = _locations(client.get("/sitemap-commitments.xml").content.decode())
    assert len(whole) == 14  # 7 commitments in 2 languages
    monkeypatch.setattr(CommitmentSitemap, "limit", 4)
    caches["pages"].clear()  # the one-page sitemap is cached
    index = client.get("/sitemap.xml").content.decode()
    pages = [f"/sitemap-commitments.xml?p={number}" for number in (2, 3, 4)]
    assert all(f"http://testserver{page}" in index for page in pages)
    assert "sitemap-commitments.xml?p=5" not in index
    paged = _locations(client.get("/sitemap-commitments.xml").content.decode())
    for page in pages:
        paged += _locations(client.get(page).content.decode())
    assert paged == whole
    assert client.get("/sitemap-commitments.xml?p=5").status_code == 404


def _locations(xml: str) -> list[str]:
    return re.findall(r"<url>\s*<loc>([^<]+)</loc>", xml)


def test_each_address_is_worked_out_once_per_item_and_language(client, db, monkeypatch):
    # Django asks an i18n entry for its address and each alternate's: 8 per item in two
    # languages. The page is the same with each worked out once (2 per item).
    commitments = [make_commitment(log=False, title=f"承諾 {number}") for number in range(3)]
    asked = []
    location = CommitmentSitemap.location

    def counted(self, item):
        asked.append(item.uid)
        return location(self, item)

    monkeypatch.setattr(CommitmentSitemap, "location", counted)
    xml = client.get("/sitemap-commitments.xml").content.decode()
    assert sorted(asked) == sorted(c.uid for c in commitments for _language in range(2))
    for commitment in commitments:
        zh = f"http://testserver/commitments/{commitment.uid}/"
        en = f"http://testserver/en/commitments/{commitment.uid}/"
        # Each of the two entries lists both languages and x-default (the default language).
        assert xml.count(f'hreflang="zh-hant" href="{zh}"') == 2
        assert xml.count(f'hreflang="en" href="{en}"') == 2
        assert xml.count(f'hreflang="x-default" href="{zh}"') == 2
        assert _locations(xml).count(zh) == _locations(xml).count(en) == 1
