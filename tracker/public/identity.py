"""Permanent names for what the site publishes: tag: URIs that survive a move or a restore."""

from urllib.parse import quote

from django.conf import settings


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
