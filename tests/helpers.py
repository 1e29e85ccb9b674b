"""Assertions shared by the import and export tests."""

from tracker.core import format as fmt
from tracker.core.models import Commitment, DuplicateCopy, Source, TrackingLog


def database_snapshot() -> tuple:
    """Return everything stored, rendered, so a test can assert nothing changed."""
    rendered = tuple(
        (c.pk, c.file_path, c.is_published, fmt.render(c.to_data()))
        for c in Commitment.objects.with_timeline().order_by("pk")
    )
    sources = tuple(Source.objects.order_by("pk").values_list())
    logs = tuple(TrackingLog.objects.order_by("pk").values_list("pk", "commitment_id", "position"))
    copies = tuple(DuplicateCopy.objects.order_by("pk").values_list("pk", "file_path", "file_text"))
    return rendered, sources, logs, copies
