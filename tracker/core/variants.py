"""Character variants that Taiwanese texts use for one and the same character.

Readers type 台北 where a reply writes 臺北, 空污 where another writes 空汙. Search folds each
variant in :data:`VARIANTS` to its standard form (the Ministry of Education's, as in
``教育部異體字字典``) in the indexed text and in the query alike, so both spellings find the
same commitments. Pure data and one function, no database.

The table is one-to-one: one variant for one standard character, character for character
(so a highlight maps back to the original text position by position), no chains. It is
deliberately *not* a simplified-to-traditional conversion, which merges characters that
are distinct in Taiwan (髮/發, 後/后, 麵/面, 乾/幹/干, 隻/只, 範/范). Pairs where both
characters are standard and mean different things are left out too: 周/週, 煙/菸, 於/于,
裡/里, 錶/表, 纔/才, 佔/占, 采/採, 遊/游, 註/注, 誌/志, 托/託, 跡/蹟, and 檯/颱 (only 台 folds,
to 臺). Tests check these properties; add a pair only if it keeps them.
"""

from __future__ import annotations

import re

# Variant -> standard form.
VARIANTS: dict[str, str] = {
    "台": "臺",
    "着": "著",
    "峯": "峰",
    "羣": "群",
    "裏": "裡",
    "爲": "為",
    "衞": "衛",
    "麪": "麵",
    "綫": "線",
    "污": "汙",
    "歎": "嘆",
    "鈎": "鉤",
    "温": "溫",
    "淸": "清",
    "眞": "真",
    "啓": "啟",
    "敎": "教",
    "册": "冊",
    "秘": "祕",
    "恒": "恆",
    "佈": "布",
    "賬": "帳",
    "牀": "床",
    "嚐": "嘗",
    "証": "證",
    "内": "內",
    "説": "說",
    "税": "稅",
    "鋭": "銳",
    "吴": "吳",
    "黄": "黃",
    "强": "強",
    "户": "戶",
    "衆": "眾",
    "兑": "兌",
    "悦": "悅",
    "閲": "閱",
    "脱": "脫",
    "舘": "館",
    "綉": "繡",
}

# A search for the few variant characters, not str.translate: translating looks up every
# character of the text (ten times slower on a long reply).
_VARIANT = re.compile("[" + "".join(VARIANTS) + "]")


def fold_variants(text: str) -> str:
    """Return text with every variant character replaced by its standard form."""
    return _VARIANT.sub(lambda match: VARIANTS[match.group()], text)
