"""One Executive Yuan reply and the commitments drawn from it."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from tracker.core.models import Commitment, Source


def source_detail(request, document_id: str):
    source = get_object_or_404(Source, document_id=document_id)
    commitments = list(
        Commitment.objects.published()
        .filter(source=source)
        .only("uid", "title", "status", "category", "responsible_agency", "target_date_text")
        .order_by("title")
    )
    if not commitments:
        # A reply no published commitment cites is not part of the public record yet.
        raise Http404(_("找不到這份答復文件"))
    return render(
        request, "tracker/source_detail.html", {"source": source, "commitments": commitments}
    )
