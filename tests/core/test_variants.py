import unicodedata

import pytest

from tracker.core.variants import VARIANTS, fold_variants


def test_the_table_is_one_to_one_character_for_character():
    assert all(len(variant) == len(standard) == 1 for variant, standard in VARIANTS.items())
    assert len(set(VARIANTS.values())) == len(VARIANTS), "two variants fold to one character"
    assert not set(VARIANTS) & set(VARIANTS.values()), "a standard form is itself folded"


def test_every_pair_survives_nfkc_so_the_table_is_what_folds_it():
    for variant, standard in VARIANTS.items():
        assert unicodedata.normalize("NFKC", variant) == variant
        assert unicodedata.normalize("NFKC", standard) == standard


def test_both_spellings_of_every_pair_fold_to_one():
    for variant, standard in VARIANTS.items():
        assert (
            fold_variants(f"甲{variant}乙") == fold_variants(f"甲{standard}乙") == f"甲{standard}乙"
        )


@pytest.mark.parametrize(
    "pair",
    # Simplified/traditional mergers, and pairs both standard in Taiwan with other meanings.
    ["髮發", "後后", "麵面", "乾幹", "幹干", "隻只", "範范", "週周", "菸煙", "於于", "裡里", "錶表",
     "纔才", "佔占", "採采", "遊游", "註注", "誌志", "託托", "蹟跡", "檯台", "颱台", "檯臺"],
)  # fmt: skip
def test_distinct_characters_stay_distinct(pair):
    first, second = pair
    assert fold_variants(first) != fold_variants(second)
