from django.urls import reverse

from tests.factories import make_commitment, make_source


def test_lists_the_reply_and_its_published_commitments(client, db):
    source = make_source(subject="<i>主旨</i>")
    make_commitment(title="甲", source=source)
    make_commitment(title="乙", source=source)
    make_commitment(title="草稿", source=source, is_published=False)
    response = client.get(reverse("public:source_detail", args=[source.document_id]))
    assert response.status_code == 200
    assert {c.title for c in response.context["commitments"]} == {"甲", "乙"}
    html = response.content.decode()
    assert "&lt;i&gt;主旨&lt;/i&gt;" in html
    assert "草稿" not in html


def test_a_reply_without_published_commitments_is_not_found(client, db):
    source = make_source()
    make_commitment(source=source, is_published=False)
    assert client.get(reverse("public:source_detail", args=[source.document_id])).status_code == 404
    assert client.get(reverse("public:source_detail", args=["nope"])).status_code == 404


def test_source_page_runs_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    source = make_source()
    for _ in range(20):
        make_commitment(source=source)
    with django_assert_max_num_queries(3):
        client.get(reverse("public:source_detail", args=[source.document_id]))
