"""Category groups on the public site: filters, counts and feeds treat a group as one."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.factories import make_commitment

URL = reverse("public:commitment_list")


@pytest.fixture
def culture(db):
    """Four culture commitments under three names, and one of another category."""
    make_commitment(title="文化一", category="文化政策")
    make_commitment(title="文化二", category="文化政策")
    make_commitment(title="文化三", category="文化")
    make_commitment(title="文化四", category="文化產業")
    make_commitment(title="教育一", category="教育")


def titles(response):
    return sorted(row.title for row in response.context["rows"])


@pytest.mark.parametrize("name", ["文化政策", "文化", "文化產業", "文化建設"])
def test_any_name_of_a_group_filters_by_the_whole_group(client, culture, name):
    response = client.get(URL, {"category": name})
    assert response.status_code == 200
    assert titles(response) == ["文化一", "文化三", "文化二", "文化四"]
    # The menu shows the group selected, and its feed is the group's.
    assert response.context["form"]["category"].value() == "文化政策"
    assert reverse("public:category_feed", args=["文化政策"]) in response.content.decode()


def test_the_menu_counts_a_group_once(client, culture):
    choices = dict(client.get(URL).context["form"].fields["category"].choices)
    assert choices["文化政策"] == "文化政策（4）"
    assert "文化" not in choices and "文化產業" not in choices
    assert choices["教育"] == "教育（1）"


def test_the_overview_counts_a_group_once(client, culture):
    response = client.get(reverse("public:overview"))
    bars = {bar.label: bar.total for bar in response.context["category_chart"].bars}
    assert bars == {"文化政策": 4, "教育": 1}
    assert "?category=文化政策" in unquote(response.content.decode())


@pytest.mark.parametrize("name", ["文化政策", "文化"])
def test_a_category_feed_follows_the_whole_group(client, culture, name):
    response = client.get(reverse("public:category_feed", args=[name]))
    assert response.status_code == 200
    content = response.content.decode()
    for title in ("文化一", "文化二", "文化三", "文化四"):
        assert title in content
    assert "教育一" not in content


def test_the_stored_category_stays_as_written(client, culture):
    response = client.get(URL, {"category": "文化"})
    stored = {row.title: row.category for row in response.context["rows"]}
    assert stored["文化三"] == "文化"


def test_a_group_filter_runs_a_bounded_number_of_queries(
    client, culture, django_assert_max_num_queries
):
    client.get(URL)  # fills the menus' cache
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"category": "文化"}).status_code == 200


def test_english_menu_counts_use_english_punctuation(client, culture):
    choices = dict(client.get("/en" + URL).context["form"].fields["category"].choices)
    assert choices["文化政策"] == "文化政策 (4)"
