"""Fixed pages: how the record is kept, and what robots may read."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tracker.core.models import EntryKind, Status


def methodology(request):
    return render(request, "tracker/methodology.html", {"statuses": Status, "kinds": EntryKind})


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Every filter combination is a page; the sitemap lists the ones worth indexing.
        "Disallow: /commitments/?",
        "Disallow: /en/commitments/?",
        f"Disallow: {reverse('public:commitments_csv')}",
        f"Disallow: {reverse('public:commitments_json')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
