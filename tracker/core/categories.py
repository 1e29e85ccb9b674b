"""Category names as upstream writes them, grouped where several mean the same.

Upstream's pipeline names one subject several ways (文化 / 文化政策 / 文化建設 / 文化產業,
農業 / 農業政策). Filters, counts and feeds treat a group as one category under its
canonical name; each file keeps the category as written, so the export and the sync are
unaffected. The table is the one home of the groups: the data-quality page lists the groups
the data uses and suggests names that look alike but are not grouped yet
(:func:`tracker.core.quality.near_duplicate_categories`). Pure data and functions, no database.

The canonical name of a group is its most used spelling in upstream's corpus (文化政策 holds
12 of the 16 culture commitments), so most stored values already read as the group.
"""

from __future__ import annotations

from collections.abc import Iterable

# Canonical name -> the other spellings of the same category.
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "文化政策": ("文化", "文化建設", "文化產業"),
    "農業": ("農業政策",),
    "水資源管理": ("水利政策",),
    "司法": ("司法體系",),
    "醫療衛生": ("健康衛生",),
}

_CANONICAL: dict[str, str] = {
    member: canonical for canonical, members in CATEGORY_GROUPS.items() for member in members
}


def normalise(name: str) -> str:
    """Return a category with surrounding whitespace trimmed and inner runs collapsed."""
    return " ".join(name.split())


def canonical_category(name: str | None) -> str | None:
    """Return the group a category belongs to (the name itself when it is in no group)."""
    if name is None:
        return None
    cleaned = normalise(name)
    return _CANONICAL.get(cleaned, cleaned)


def category_members(name: str) -> list[str]:
    """Return every spelling of the group a category belongs to, canonical name first."""
    canonical = canonical_category(name)
    return [canonical, *CATEGORY_GROUPS.get(canonical, ())]


def category_groups_in(names: Iterable[str | None]) -> dict[str, list[str]]:
    """Return canonical name -> the distinct spellings used, for groups used two ways or more."""
    groups: dict[str, set[str]] = {}
    for name in names:
        if name and name.strip():
            groups.setdefault(canonical_category(name), set()).add(normalise(name))
    return {
        canonical: sorted(spellings)
        for canonical, spellings in groups.items()
        if len(spellings) > 1
    }


def grouped_counts(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Return canonical category -> total, from (stored category, count) pairs."""
    totals: dict[str, int] = {}
    for name, count in counts:
        canonical = canonical_category(name)
        totals[canonical] = totals.get(canonical, 0) + count
    return totals
