"""Category groups: one table, every name of a group reads as the group."""

import pytest

from tracker.core.categories import (
    CATEGORY_GROUPS,
    canonical_category,
    category_groups_in,
    category_members,
    grouped_counts,
)
from tracker.core.quality import near_duplicate_categories


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("文化", "文化政策"),
        ("文化建設", "文化政策"),
        ("文化產業", "文化政策"),
        ("文化政策", "文化政策"),
        ("農業政策", "農業"),
        ("水利政策", "水資源管理"),
        ("司法體系", "司法"),
        (" 健康衛生 ", "醫療衛生"),
        ("教育", "教育"),
        (None, None),
    ],
)
def test_every_name_of_a_group_reads_as_its_canonical_name(name, canonical):
    assert canonical_category(name) == canonical


def test_members_of_any_name_are_the_whole_group():
    assert category_members("文化") == ["文化政策", "文化", "文化建設", "文化產業"]
    assert category_members("教育") == ["教育"]


def test_a_name_is_in_at_most_one_group_and_never_canonical_elsewhere():
    members = [name for names in CATEGORY_GROUPS.values() for name in names]
    assert len(members) == len(set(members))
    assert not set(members) & set(CATEGORY_GROUPS)


def test_groups_in_lists_only_groups_used_two_ways():
    names = ["農業", "農業政策", "司法", "教育", "教育", None, ""]
    assert category_groups_in(names) == {"農業": ["農業", "農業政策"]}


def test_grouped_counts_add_up_the_names_of_a_group():
    assert grouped_counts([("文化", 2), ("文化政策", 12), ("教育", 3)]) == {
        "文化政策": 14,
        "教育": 3,
    }


def test_the_table_covers_every_lookalike_group_of_the_real_categories():
    # The 21 categories of the shared corpus, plus 健康衛生 of the full one.
    corpus = [
        "社會福利",
        "經濟發展",
        "交通建設",
        "醫療衛生",
        "其他",
        "教育",
        "環境保護",
        "能源政策",
        "國防外交",
        "農業",
        "文化政策",
        "食品安全",
        "司法",
        "水資源管理",
        "消費者保護",
        "文化",
        "農業政策",
        "水利政策",
        "文化產業",
        "文化建設",
        "司法體系",
        "健康衛生",
    ]
    for group in near_duplicate_categories(corpus):
        assert len({canonical_category(name) for name in group}) == 1, group
    assert len(category_groups_in(corpus)) == 5
