import pytest

from tracker.core.agencies import (
    ALIAS_GROUPS,
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
