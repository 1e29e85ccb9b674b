"""Fixed pages: how the record is kept, and what robots may read."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from tracker.core.models import EntryKind, QuestionChannel, Status


def methodology(request):
    deadlines = [
        (channel.label, settings.TRACKER_QUESTION_DEADLINE_DAYS[channel.value])
        for channel in QuestionChannel
    ]
    return render(
        request,
        "tracker/methodology.html",
        {"statuses": Status, "kinds": EntryKind, "question_deadlines": deadlines},
    )


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Send /favicon.ico to the static file (not permanently: its hashed name changes)."""
    return HttpResponseRedirect(static("img/favicon.ico"))


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/"]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # Every filter combination is a page (and a download); the sitemap lists the
            # pages worth indexing.
            lines += [
                f"Disallow: {reverse('public:commitment_list')}?",
                f"Disallow: {reverse('public:commitments_csv')}",
                f"Disallow: {reverse('public:commitments_json')}",
            ]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
