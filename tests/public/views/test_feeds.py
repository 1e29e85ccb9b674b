import xml.etree.ElementTree as ET

from django.urls import reverse

from tests.factories import make_commitment

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return root.findall(f"{ATOM}entry")


def test_site_feed_lists_new_timeline_entries_newest_first(client, sample):
    response = client.get(reverse("public:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert found[0].find(f"{ATOM}updated") is not None
    assert "#entry-" in found[0].find(f"{ATOM}link").get("href")
    assert len(found) == 22  # every entry of the nine sample files


def test_category_and_commitment_feeds(client, sample):
    category = client.get(reverse("public:category_feed", args=["醫療衛生"]))
    assert len(entries(category)) == 5
    one = client.get(
        reverse("public:commitment_feed", args=["7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503"])
    )
    assert len(entries(one)) == 2
    assert client.get(reverse("public:category_feed", args=["沒有"])).status_code == 404


def test_feeds_leave_out_drafts_and_escape_text(client, db):
    make_commitment(title="草稿", is_published=False)
    make_commitment(title="<b>公開</b>")
    content = client.get(reverse("public:feed")).content.decode()
    assert "草稿" not in content
    assert "&lt;b&gt;公開&lt;/b&gt;" in content
