"""The embeddable card: the one page other sites may frame; every other page still refuses."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from tests.factories import make_commitment, make_log
from tracker.core.models import EntryKind

pytestmark = pytest.mark.django_db


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "frame-ancestors" in part)


def test_the_embed_may_be_framed_by_any_site(client):
    commitment = make_commitment(title="擴充疫苗採購")
    response = client.get(f"/embed/commitments/{commitment.uid}/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert _frame_ancestors(response) == "frame-ancestors *"
    # The rest of the policy stays as strict: no script at all.
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    page = response.content.decode()
    assert "<script" not in page and "<form" not in page
    assert "擴充疫苗採購" in page


def test_the_embed_is_framable_from_the_page_cache_too(client):
    commitment = make_commitment()
    path = f"/embed/commitments/{commitment.uid}/"
    client.get(path)
    again = client.get(path)
    assert "X-Frame-Options" not in again
    assert _frame_ancestors(again) == "frame-ancestors *"


@pytest.mark.parametrize(
    "path",
    ["/", "/commitments/", "/methodology/", "/follow/", "/admin/login/", "/en/"],
)
def test_other_pages_still_refuse_framing(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert _frame_ancestors(response) == "frame-ancestors 'none'"


def test_the_detail_page_refuses_framing_and_offers_the_snippet(client):
    commitment = make_commitment(title='引號"與<標籤>')
    response = client.get(reverse("public:commitment_detail", args=[commitment.uid]))
    assert response["X-Frame-Options"] == "DENY"
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    page = response.content.decode()
    textarea = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    # What a reader copies (the textarea's text) is one well-formed iframe.
    snippet = html.unescape(textarea)
    assert snippet.startswith(
        f'<iframe src="http://testserver/embed/commitments/{commitment.uid}/"'
    )
    assert 'title="引號&quot;與&lt;標籤&gt;"' in snippet
    assert snippet.endswith("></iframe>")


def test_the_embed_says_where_the_latest_entry_came_from_in_english(client):
    commitment = make_commitment()
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="採購合約已簽訂。")
    page = client.get(f"/en/embed/commitments/{commitment.uid}/").content.decode()
    assert 'lang="en"' in page
    assert "採購合約已簽訂。" in page
    assert "Source:" in page
    assert f'href="http://testserver/en/commitments/{commitment.uid}/"' in page
    assert 'target="_blank" rel="noopener"' in page


def test_an_unknown_or_unpublished_commitment_is_404(client):
    hidden = make_commitment(is_published=False)
    assert client.get(f"/embed/commitments/{hidden.uid}/").status_code == 404


def test_the_embed_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    commitment = make_commitment()
    for position in range(1, 6):
        make_log(commitment, position=position, kind=EntryKind.PROGRESS, text="進度")
    with django_assert_max_num_queries(6):
        assert client.get(f"/embed/commitments/{commitment.uid}/").status_code == 200
