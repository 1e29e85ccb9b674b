"""The legislators' index and pages, read from the replies' subjects."""

import pytest
from django.urls import reverse

from tests.factories import make_commitment, make_source
from tracker.core import format as fmt

pytestmark = pytest.mark.django_db

ZHANG = "（三）行政院函送張委員育美就加速提升2歲教保服務供應量問題所提質詢之書面答復，請查照案。"
SEVERAL = "行政院函送委員張育美、楊曜等2人對「專案報告」所提質詢之書面答復，請查照案。"


def test_the_page_lists_the_replies_and_their_commitments_with_statuses(client):
    first = make_source(subject=ZHANG)
    second = make_source(subject=SEVERAL)
    make_commitment(title="增設公共化幼兒園", source=first, status=fmt.STATUS_DELAYED)
    make_commitment(title="專案報告承諾", source=second)
    make_commitment(title="草稿", source=second, is_published=False)
    make_commitment(
        title="別人的", source=make_source(subject=ZHANG.replace("張委員育美", "王委員美惠"))
    )
    response = client.get(reverse("public:legislator_detail", args=["張育美"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "增設公共化幼兒園" in html and "專案報告承諾" in html
    assert "草稿" not in html and "別人的" not in html
    assert response.context["total"] == 2
    assert dict(response.context["counts"])[fmt.STATUS_DELAYED] == 1
    assert reverse("public:source_detail", args=[first.document_id]) in html


def test_an_unknown_legislator_is_not_found(client):
    make_commitment(source=make_source(subject=ZHANG), is_published=False)
    assert client.get(reverse("public:legislator_detail", args=["張育美"])).status_code == 404
    assert client.get(reverse("public:legislator_detail", args=["無名"])).status_code == 404


def test_the_index_counts_replies_and_commitments(client):
    source = make_source(subject=SEVERAL)
    make_commitment(source=source)
    make_commitment(source=source)
    make_commitment(source=make_source(subject=ZHANG))
    rows = client.get(reverse("public:legislator_list")).context["rows"]
    assert rows == [
        {"name": "張育美", "replies": 2, "commitments": 3},
        {"name": "楊曜", "replies": 1, "commitments": 2},
    ]


def test_source_and_detail_pages_link_the_legislator(client):
    commitment = make_commitment(source=make_source(subject=SEVERAL))
    link = reverse("public:legislator_detail", args=["楊曜"])
    for page in (
        reverse("public:source_detail", args=[commitment.source.document_id]),
        reverse("public:commitment_detail", args=[commitment.uid]),
    ):
        assert f'<a href="{link}">楊曜</a>' in client.get(page).content.decode()


def test_legislator_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(15):
        make_commitment(source=make_source(subject=ZHANG))
    # The version, every reply's subject (light rows), this legislator's replies, their
    # commitments.
    with django_assert_max_num_queries(4):
        assert client.get(reverse("public:legislator_detail", args=["張育美"])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("public:legislator_list")).status_code == 200
