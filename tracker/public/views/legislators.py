"""The legislators whose interpellations the replies answer: an index and one page each."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from tracker.core.legislators import by_legislator
from tracker.core.models import Commitment, Source, Status


def _public_replies():
    return Source.objects.public().only(
        "document_id", "term", "session_period", "ey_number", "subject"
    )


def _subjects():
    """Return every public reply's id and subject as light rows (no model instances: the
    index and each page read them all to find the names, 39,500 at 100 times the corpus)."""
    return Source.objects.public().values_list("pk", "subject", named=True)


def legislator_list(request):
    """List every legislator (or caucus) a published reply names, with what their questions drew."""
    replies = by_legislator(_subjects().order_by("term", "session_period", "document_id"))
    per_source = dict(
        Commitment.objects.published().order_by().values_list("source_id").annotate(n=Count("pk"))
    )
    rows = [
        {
            "name": name,
            "replies": len(sources),
            "commitments": sum(per_source.get(source.pk, 0) for source in sources),
        }
        for name, sources in replies.items()
    ]
    rows.sort(key=lambda row: (-row["commitments"], row["name"]))
    return render(request, "tracker/legislator_list.html", {"rows": rows})


def legislator_detail(request, name: str):
    """One legislator: the replies their questions drew and the commitments in each."""
    found = by_legislator(_subjects()).get(name)
    if not found:
        raise Http404(_("沒有這位委員的答復"))
    sources = list(
        _public_replies()
        .filter(pk__in=[row.pk for row in found])
        .order_by("-term", "-session_period", "document_id")
    )
    commitments: dict[int, list[Commitment]] = {}
    for commitment in (
        Commitment.objects.published()
        .filter(source__in=sources)
        .only("uid", "title", "status", "source_id", "responsible_agency", "target_date_text")
        .order_by("title")
    ):
        commitments.setdefault(commitment.source_id, []).append(commitment)
    rows = [(source, commitments.get(source.pk, [])) for source in sources]
    all_commitments = [c for source_commitments in commitments.values() for c in source_commitments]
    counts = [(status, sum(1 for c in all_commitments if c.status == status)) for status in Status]
    return render(
        request,
        "tracker/legislator_detail.html",
        {
            "name": name,
            "rows": rows,
            "total": len(all_commitments),
            "counts": counts,
        },
    )
