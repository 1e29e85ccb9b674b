"""The one rule for web addresses that come in from files, replies and forms: http(s) only.

Pure (no Django), so the format module can use it; ``models.validate_web_url`` adapts it
for model and form fields, the templates' ``web_link`` filters for links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000
# Whitespace, C0/C1 controls and backslashes: browsers strip or reinterpret them, so an
# address holding one may not go where it seems to.
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")


def web_url_problem(url: str) -> str | None:
    """Return why URL is not a full http:// or https:// address, or None when it is."""
    if len(url) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH} characters"
    if _UNSAFE_IN_URL.search(url):
        return "contains a space, a control character or a backslash"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (a bad port raises ValueError)
    except ValueError:
        return "not a valid address"
    if parts.scheme.lower() not in WEB_SCHEMES:
        scheme = f"{parts.scheme}:" if parts.scheme else "no scheme"
        return f"must start with http:// or https:// (got {scheme[:20]})"
    if not host:
        return "has no host name after http(s)://"
    return None


def web_url(url: str | None) -> str:
    """Return URL when it is a safe http(s) address, else "" (never a javascript: link)."""
    url = url or ""
    return url if url and web_url_problem(url) is None else ""
