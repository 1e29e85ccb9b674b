"""Requests the database could choke on, and writes it refuses: a clear answer, not a 500."""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

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


def is_read_only_error(error: BaseException) -> bool:
    """Whether a database error says the database may not be written (SQLite, PostgreSQL)."""
    text = str(error).lower()
    return isinstance(error, DatabaseError) and ("readonly" in text or "read-only" in text)


class ReadOnlyDatabaseMiddleware:
    """Answer a write to a read-only database with a 503 and one log line, not a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_read_only_error(exception):
            return None
        logger.error("read-only database: %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(
            _("資料庫目前為唯讀，無法儲存變更；請稍後再試。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "300"
        return response
