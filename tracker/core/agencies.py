"""Agency names as the data spells them, grouped under one canonical name.

The replies name the same agency many ways (衛福部 = 衛生福利部, 環保署 = 行政院環保署,
台電公司 = 台灣電力公司). Filters and reports group by :func:`canonical_agency`; the
spelling in each file is kept as written. Pure data and functions, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.core.variants import fold_variants

# Canonical name -> other spellings seen in the replies. Keep the canonical name the
# agency's official full name (as of the reply's time, not renamed successors).
ALIAS_GROUPS: dict[str, tuple[str, ...]] = {
    "衛生福利部": ("衛福部",),
    "衛生福利部食品藥物管理署": ("食品藥物管理署", "衛福部食藥署", "食藥署"),
    "衛生福利部疾病管制署": ("疾病管制署", "疾管署"),
    "衛生福利部社會及家庭署": ("衛福部社家署", "社家署"),
    "衛生福利部中央健康保險署": ("健保署", "中央健康保險署"),
    "行政院環境保護署": ("行政院環保署", "環保署"),
    "行政院農業委員會": ("農業委員會", "行政院農委會", "農委會"),
    "行政院農業委員會漁業署": ("行政院農委會漁業署", "漁業署"),
    "行政院農業委員會林務局": ("林務局",),
    "行政院農業委員會動植物防疫檢疫局": ("行政院農委會防檢局", "防檢局"),
    "國家發展委員會": ("國發會",),
    "金融監督管理委員會": ("金管會",),
    "國家通訊傳播委員會": ("通傳會", "通訊傳播委員會"),
    "原住民族委員會": ("原民會", "原住民族事務委員會"),
    "行政院原子能委員會": ("原能會",),
    "行政院公共工程委員會": ("公共工程委員會", "行政院工程會", "工程會"),
    "行政院主計總處": ("主計總處",),
    "公平交易委員會": ("公平會",),
    "客家委員會": ("客委會",),
    "海洋委員會": ("海委會",),
    "大陸委員會": ("陸委會",),
    "僑務委員會": ("僑委會",),
    "中央選舉委員會": ("中選會",),
    "國軍退除役官兵輔導委員會": ("輔導會", "退輔會"),
    "交通部公路總局": ("公路總局",),
    "交通部高速公路局": ("交通部高公局", "高公局", "高速公路局"),
    "交通部觀光局": ("觀光局",),
    "交通部民用航空局": ("交通部民航局", "民用航空局", "民航局"),
    "交通部臺灣鐵路管理局": ("台灣鐵路管理局", "臺灣鐵路管理局", "臺鐵局", "台鐵局"),
    "經濟部水利署": ("水利署",),
    "經濟部能源局": ("能源局",),
    "經濟部工業局": ("工業局",),
    "經濟部標準檢驗局": ("經濟部標準局", "標準檢驗局"),
    "教育部體育署": ("體育署",),
    "內政部警政署": ("警政署",),
    "內政部消防署": ("消防署",),
    "勞動部勞動力發展署": ("勞動部勞發署", "勞發署"),
    "嚴重特殊傳染性肺炎中央流行疫情指揮中心": ("中央流行疫情指揮中心", "指揮中心"),
    "台灣電力公司": ("台電公司", "臺灣電力公司", "台電"),
    "台灣中油公司": ("中油公司", "臺灣中油公司", "中油"),
    "台灣自來水公司": ("台水公司", "臺灣自來水公司"),
    "科技部": (),
    "國家科學及技術委員會": ("國科會",),
    "國家住宅及都市更新中心": ("住都中心",),
}

# Looked up with variants folded, so 臺電 is 台電 and 衞福部 is 衛福部.
_ALIASES: dict[str, str] = {
    fold_variants(spelling): canonical
    for canonical, aliases in ALIAS_GROUPS.items()
    for spelling in (canonical, *aliases)
}
_LIST_SEPARATORS = re.compile(r"\s*(?:、|，|,)\s*")
# Words that also join two agencies, but occur inside names (衛生福利部社會及家庭署).
_WORD_SEPARATORS = re.compile(r"\s*(?:及|與|和)\s*")


def normalise(name: str) -> str:
    """Return a spelling with surrounding whitespace trimmed and inner runs collapsed."""
    return " ".join(name.split())


def canonical_agency(name: str | None) -> str | None:
    """Return the canonical name of one agency spelling (the spelling itself if unknown)."""
    if name is None:
        return None
    cleaned = normalise(name)
    return _ALIASES.get(fold_variants(cleaned), cleaned)


def agency_spellings(name: str | None) -> tuple[str, ...]:
    """Return every spelling of a known agency's group (canonical first); () if unknown."""
    canonical = _ALIASES.get(fold_variants(normalise(name or "")))
    return (canonical, *ALIAS_GROUPS[canonical]) if canonical else ()


def split_agencies(name: str | None) -> list[str]:
    """Return the canonical agencies named in a field that may list several (衛福部、教育部)."""
    if not name:
        return []
    parts = []
    for piece in _LIST_SEPARATORS.split(normalise(name)):
        if fold_variants(piece) in _ALIASES:
            parts.append(piece)
        else:
            parts += _WORD_SEPARATORS.split(piece)
    parts = [part for part in parts if part]
    result: list[str] = []
    for part in parts:
        canonical = canonical_agency(part)
        if canonical not in result:
            result.append(canonical)
    return result


def alias_groups_in(names: Iterable[str | None]) -> dict[str, list[str]]:
    """Return canonical name -> the distinct spellings used, for groups with two or more."""
    groups: dict[str, set[str]] = {}
    for name in names:
        if name:
            groups.setdefault(canonical_agency(name), set()).add(normalise(name))
    return {
        canonical: sorted(spellings)
        for canonical, spellings in groups.items()
        if len(spellings) > 1
    }


def agency_parts(name: str | None) -> list[tuple[str, str | None]]:
    """Return a field's text cut into (spelling as written, its canonical agency) and
    (separator, None) pieces, so each agency it names can be linked as the field writes it
    (cut where split_agencies cuts: a known name holding 及 stays whole)."""
    if not name:
        return []
    parts: list[tuple[str, str | None]] = []

    def cut(text: str, separators: re.Pattern, inner: re.Pattern | None) -> None:
        position = 0
        for match in separators.finditer(text):
            add(text[position : match.start()], inner)
            parts.append((match.group(), None))
            position = match.end()
        add(text[position:], inner)

    def add(piece: str, inner: re.Pattern | None) -> None:
        if not piece.strip():
            return
        if inner is None or fold_variants(normalise(piece)) in _ALIASES:
            parts.append((piece, canonical_agency(piece)))
        else:
            cut(piece, inner, None)

    cut(name, _LIST_SEPARATORS, _WORD_SEPARATORS)
    return parts
