"""Who asked: the legislators (or caucus) named in a written reply's subject line.

A reply's subject says whose interpellation it answers, in a handful of shapes the
Legislative Yuan's clerks use:

- 「行政院函送張委員育美就……所提質詢之書面答復」: surname, 委員, given name (張育美);
  compound surnames too (張廖委員萬堅 → 張廖萬堅).
- 「行政院函送伍麗華Saidhai Tahovecahe委員就……」: a full name, often an Indigenous name
  with its romanisation, before 委員.
- 「行政院函送委員王婉諭、賴瑞隆、……等7人對……」: several legislators.
- 「行政院函送台灣民眾黨黨團就……」: a party caucus.

Pure functions, no database: :func:`legislators_in_subject` is the one rule, used by the
public pages and the desk's data-quality page alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

# Where the asker's name ends: 就 (on a topic) or 對 (on a report), then the question.
_END = r"(?=就|對|針對|有關|關於|所提)"
# 張委員育美: one or two characters of surname, 委員, a given name of one to three.
_SURNAME_FIRST = re.compile(
    r"函送(?P<surname>[\u4e00-\u9fff]{1,2})委員(?P<given>[\u4e00-\u9fff]{1,3}?)" + _END
)
# 伍麗華Saidhai Tahovecahe委員: the whole name before 委員 (Han characters first).
_NAME_FIRST = re.compile(
    r"函送(?P<name>[\u4e00-\u9fff]{2,4}[A-Za-z\u00c0-\u024f][^委，。、/]*?)委員" + _END
)
# 委員王婉諭、賴瑞隆、陳椒華等7人 (or 等七人).
_SEVERAL = re.compile(
    r"函送委員(?P<names>[^，。]+?)(?:等[0-9０-９一二三四五六七八九十]+人)?" + _END
)
# 台灣民眾黨黨團 / 中國國民黨立法院黨團.
_CAUCUS = re.compile(r"函送(?:立法院)?(?P<caucus>[^，。、就對/\s]{2,20}?黨團)")
_SPACE_BY_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")
_NAME = re.compile(
    r"^[\u4e00-\u9fff]{2,4}(?:[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f .．·‧'-]*)?$"
)


def legislators_in_subject(subject: str | None) -> list[str]:
    """Return the legislators or caucus a reply's subject names, in order; [] if none is found."""
    return list(_names_in_subject(subject)) if subject else []


# The index, each legislator's page and the sitemap read every reply's subject on each render:
# a worker parses each subject once (the corpus has a few hundred; 16,384 kept, ~10 MB).
@lru_cache(maxsize=1 << 14)
def _names_in_subject(subject: str) -> tuple[str, ...]:
    return tuple(_parse_subject(subject))


def _parse_subject(subject: str) -> list[str]:
    # Line breaks and spaces between Chinese characters are layout, not part of a name.
    text = _SPACE_BY_HAN.sub("", " ".join(subject.split()))
    caucus = _CAUCUS.search(text)
    if caucus:
        return [caucus.group("caucus")]
    several = _SEVERAL.search(text)
    if several:
        names = [name.strip() for name in re.split(r"[、，,及與]", several.group("names"))]
        if names and all(_NAME.match(name) for name in names):
            return _unique(names)
        return []
    match = _SURNAME_FIRST.search(text)
    if match:
        return [match.group("surname") + match.group("given")]
    match = _NAME_FIRST.search(text)
    if match:
        return [match.group("name").strip()]
    return []


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def by_legislator(sources: Iterable[T]) -> dict[str, list[T]]:
    """Return legislator -> the replies (objects with a ``subject``) answering them, by name."""
    result: dict[str, list[T]] = {}
    for source in sources:
        for name in legislators_in_subject(source.subject):
            result.setdefault(name, []).append(source)
    return dict(sorted(result.items()))
