"""Permanent names for what the site publishes: tag: URIs that survive a move or a restore."""

from urllib.parse import quote

from django.conf import settings

from tracker.core.entries import entry_facts_by_pk


def tag_uri(*parts: str) -> str:
    """Return a tag: URI (RFC 4151) under the site's authority for the given path parts."""
    specific = "/".join(quote(str(part), safe="-._~") for part in parts)
    return f"tag:{settings.TRACKER_TAG_AUTHORITY}:{specific}"


def entry_uri(uid: str, key: str) -> str:
    """Return the permanent id of one timeline entry: its commitment's id and its key."""
    return tag_uri("commitment", uid, "entry", key)


def entry_anchor(key: str) -> str:
    """Return the fragment that names a timeline entry on its commitment's page."""
    return f"entry-{key}"


def entry_lines(entries) -> list:
    """Return entries (for_entry_lines) as a list, each given the anchor that names it on its
    commitment's page and its outcome (tracker.core.entries), reading their timelines once."""
    entries = list(entries)
    facts = entry_facts_by_pk(entries)
    for entry in entries:
        entry.anchor = entry_anchor(facts[entry.pk].key)
        entry.outcome = facts[entry.pk].outcome
    return entries
