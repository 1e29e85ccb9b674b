"""Site-wide response middleware: compression without BREACH, language from the URL only."""

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils.cache import cc_delim_re

# Text worth compressing; zips and images are compressed already.
COMPRESSIBLE_SUBTYPES = {"json", "xml", "javascript"}
COMPRESSIBLE_SUFFIXES = ("+json", "+xml")


def is_text(content_type: str) -> bool:
    """Whether a media type is text: text/*, JSON, XML, or a +json / +xml dialect."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    main, _slash, subtype = media_type.partition("/")
    return (
        main == "text"
        or subtype in COMPRESSIBLE_SUBTYPES
        or subtype.endswith(COMPRESSIBLE_SUFFIXES)
    )


def carries_secret(request, response) -> bool:
    """Whether a response holds something per reader that BREACH could read out.

    A page that used the CSRF token (any form: the admin, the corrections form) has it set
    CSRF_COOKIE_NEEDS_UPDATE; a page built from the session (a logged-in editor's) varies
    on Cookie. Neither is compressed, so an attacker who can inject text and watch sizes
    has nothing secret to guess.
    """
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    vary = {value.strip().lower() for value in cc_delim_re.split(response.get("Vary", ""))}
    return "cookie" in vary or bool(response.cookies)


class PublicGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its random "Heal The Breach" padding), for text without secrets."""

    def process_response(self, request, response):
        if not is_text(response.get("Content-Type", "")) or carries_secret(request, response):
            return response
        return super().process_response(request, response)


class UrlLanguageLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, without Vary: Accept-Language where the URL decides.

    With prefix_default_language=False every address names its language (Chinese at the
    root, English under /en/; the admin is Chinese), so Accept-Language never changes a
    response and telling caches otherwise only splits them.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        used, prefixed_default = is_language_prefix_patterns_used(urlconf)
        if used and not prefixed_default and response.has_header("Vary"):
            kept = [
                value
                for value in cc_delim_re.split(response["Vary"])
                if value.strip() and value.strip().lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
