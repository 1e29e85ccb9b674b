"""Agency spellings grouped under one name, and a field cut into the agencies it names."""

import pytest

from tracker.core.agencies import (
    ALIAS_GROUPS,
    agency_parts,
    agency_spellings,
    canonical_agency,
    split_agencies,
)
from tracker.core.variants import VARIANTS


def test_every_spelling_of_a_group_names_its_canonical_agency_and_all_its_spellings():
    for canonical, aliases in ALIAS_GROUPS.items():
        for spelling in (canonical, *aliases):
            assert canonical_agency(spelling) == canonical, spelling
            assert agency_spellings(f" {spelling} ") == (canonical, *aliases), spelling


def test_a_variant_spelling_of_a_known_name_is_known():
    assert canonical_agency("臺電") == "台灣電力公司"
    assert canonical_agency("衞福部") == "衛生福利部"
    assert agency_spellings("臺灣中油公司")[0] == "台灣中油公司"
    for canonical in ALIAS_GROUPS:
        changed = "".join(
            {standard: variant for variant, standard in VARIANTS.items()}.get(char, char)
            for char in canonical
        )
        assert canonical_agency(changed) == canonical, changed


@pytest.mark.parametrize("unknown", ["臺北市政府", "衛福", "不存在的機關"])
def test_unknown_names_are_kept_as_written(unknown):
    assert canonical_agency(unknown) == unknown
    assert agency_spellings(unknown) == ()


def test_names_that_contain_a_joining_word_are_not_split():
    for canonical in [name for name in ALIAS_GROUPS if any(word in name for word in "及與和")]:
        assert split_agencies(canonical) == [canonical]
        assert split_agencies(f"{canonical}、教育部") == [canonical, "教育部"]
    assert split_agencies("衛福部、勞動部及教育部") == ["衛生福利部", "勞動部", "教育部"]
    assert split_agencies("內政部警政署及各級地方政府") == ["內政部警政署", "各級地方政府"]


def test_an_alias_has_its_canonical_name():
    assert canonical_agency(" 衛福部 ") == "衛生福利部"
    assert canonical_agency("外交部") == "外交部"


def test_a_field_is_cut_into_its_agencies_as_written():
    assert agency_parts("衛福部、教育部") == [
        ("衛福部", "衛生福利部"),
        ("、", None),
        ("教育部", "教育部"),
    ]
    assert agency_parts("環保署及 經濟部") == [
        ("環保署", "行政院環境保護署"),
        ("及 ", None),
        ("經濟部", "經濟部"),
    ]
    assert agency_parts(None) == []
    assert (
        "".join(text for text, _ in agency_parts("衛福部、教育部與內政部"))
        == "衛福部、教育部與內政部"
    )


def test_a_field_is_cut_where_split_agencies_cuts_it():
    for field in (
        "衛生福利部社會及家庭署、教育部",
        "國家科學及技術委員會與經濟部",
        "衛福部及教育部",
    ):
        linked = [canonical for _text, canonical in agency_parts(field) if canonical]
        assert linked == split_agencies(field), field
