# Existing databases: entries get their origin and key, commitments their upstream base. In
# a migration of its own: PostgreSQL cannot create 0006's indexes after rows changed in the
# same transaction ("pending trigger events").

from django.db import migrations


def backfill_provenance(apps, schema_editor):
    """Give existing entries their origin and key, and each commitment an upstream base.

    Entries an editor logged (created_by set) are the newsroom's; every other entry came
    from an import. The base is the commitment as stored, without the newsroom's entries:
    the best record of what upstream last delivered that a database made before the sync
    has.
    """
    from django.utils import timezone

    from tracker.core import format as fmt

    Commitment = apps.get_model("tracker", "Commitment")
    TrackingLog = apps.get_model("tracker", "TrackingLog")
    UpstreamBase = apps.get_model("tracker", "UpstreamBase")
    # Idempotent: a database that already has keys and bases keeps them.
    TrackingLog.objects.filter(created_by__isnull=True, key="").update(origin="upstream")
    names = (
        "entry_date", "kind", "shape", "text", "from_status", "to_status", "reason",
        "source_type", "document_number", "document_url", "summary", "judgement",
    )
    now = timezone.now()
    have_base = set(UpstreamBase.objects.values_list("commitment_id", flat=True))
    for commitment in Commitment.objects.select_related("source").iterator(chunk_size=500):
        if commitment.pk in have_base:
            continue
        rows = list(TrackingLog.objects.filter(commitment=commitment).order_by("position"))
        entries = [fmt.LogEntryData(**{name: getattr(row, name) for name in names}) for row in rows]
        if any(not row.key for row in rows):
            for row, key in zip(rows, fmt.timeline_keys(entries), strict=True):
                row.key = key
            TrackingLog.objects.bulk_update(rows, ["key"])
        source = commitment.source
        upstream = [
            entry for row, entry in zip(rows, entries, strict=True) if row.origin == "upstream"
        ]
        data = fmt.CommitmentData(
            id=commitment.uid,
            title=commitment.title,
            category=commitment.category,
            status=commitment.status,
            target_date=commitment.target_date_text,
            target_value=commitment.target_value,
            responsible_agency=commitment.responsible_agency,
            source=fmt.SourceData(
                source.document_id, source.term, source.session_period, source.ey_number,
                source.url,
            ),
            created_at=commitment.created_date,
            last_updated=max(
                [commitment.created_date, *(entry.entry_date for entry in upstream)]
            ) if len(upstream) != len(rows) else commitment.last_updated,
            wording=commitment.wording,
            reply=fmt.ReplyData(source.subject, source.reply_text) if commitment.shows_reply else None,
            log=upstream,
        )
        try:
            text = fmt.render(data)
        except fmt.FormatError:
            continue  # a record the format cannot hold has no base; the next sync merges it
        UpstreamBase.objects.create(
            commitment=commitment, file_path=commitment.file_path, text=text, imported_at=now
        )


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0006_sync'),
    ]

    operations = [
        migrations.RunPython(backfill_provenance, migrations.RunPython.noop),
    ]
