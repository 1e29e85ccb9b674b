"""Refuse requests whose address or form data the database could choke on."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import get_bytes_from_wsgi

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def bytes_problem(decoded: bytes) -> str | None:
    """Return why bytes hold a NUL or are not UTF-8, or None when they are fine."""
    if b"\x00" in decoded:
        return "a NUL character"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"bytes that are not UTF-8 (at byte {error.start})"
    return None


class RefuseMalformedInputMiddleware:
    """Answer 400 to NUL in the path, NUL or invalid UTF-8 in the query string or a form.

    Django passes NUL through and turns broken UTF-8 in parameters into U+FFFD; PostgreSQL
    refuses a NUL in a query (500). One check here covers every view and the admin's filters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path arrives decoded, its broken UTF-8 already turned into %XX text by Django
        # (a harmless 404); the query string and a form are still encoded.
        checks = [
            ("the address", request.path.encode("utf-8", "surrogatepass")),
            ("the query string", _decoded(get_bytes_from_wsgi(request.META, "QUERY_STRING", ""))),
        ]
        if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
            checks.append(("the form data", _decoded(request.body)))
        for where, raw in checks:
            problem = bytes_problem(raw)
            if problem:
                raise BadRequest(f"{where} holds {problem}")
        return self.get_response(request)


def _decoded(encoded: bytes) -> bytes:
    return unquote_to_bytes(encoded.replace(b"+", b" "))
