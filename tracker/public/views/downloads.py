"""Downloads: the filtered list as CSV or JSON, one commitment's file, every file as a zip."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from tracker.core.agencies import split_agencies
from tracker.core.data_version import version_tag
from tracker.core.models import Commitment
from tracker.core.services.commitment_export import commitment_render, iter_rendered
from tracker.public.views.commitments import filtered_commitments

logger = logging.getLogger(__name__)

FIELDS = [
    "id",
    "title",
    "status",
    "category",
    "responsible_agency",
    "agencies",
    "target_date",
    "target_date_iso",
    "target_value",
    "term",
    "session_period",
    "document_id",
    "ey_number",
    "source_url",
    "created_at",
    "last_updated",
    "url",
]
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
ZIP_NAME = "commitments.zip"


def _row(commitment: Commitment, detail_url) -> dict:
    source = commitment.source
    return {
        "id": commitment.uid,
        "title": commitment.title,
        "status": commitment.status,
        "category": commitment.category,
        "responsible_agency": commitment.responsible_agency,
        "agencies": split_agencies(commitment.responsible_agency),
        "target_date": commitment.target_date_text,
        "target_date_iso": commitment.target_date.isoformat() if commitment.target_date else None,
        "target_value": commitment.target_value,
        "term": source.term,
        "session_period": source.session_period,
        "document_id": source.document_id,
        "ey_number": source.ey_number,
        "source_url": source.url,
        "created_at": commitment.created_date.isoformat(),
        "last_updated": commitment.last_updated.isoformat(),
        "url": detail_url(commitment.uid),
    }


def _rows(request):
    filterset = filtered_commitments(request)
    commitments = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    commitments = (
        commitments.defer(None)
        .select_related("source")
        .only(
            *[
                f"{name}"
                for name in (
                    "uid",
                    "title",
                    "status",
                    "category",
                    "responsible_agency",
                    "target_date_text",
                    "target_date",
                    "target_value",
                    "created_date",
                    "last_updated",
                    "source__term",
                    "source__session_period",
                    "source__document_id",
                    "source__ey_number",
                    "source__url",
                )
            ]
        )
    )
    base = request.build_absolute_uri("/")[:-1]

    def detail_url(uid):
        return base + reverse("public:commitment_detail", args=[uid])

    for commitment in commitments.iterator(chunk_size=1000):
        yield _row(commitment, detail_url)


def spreadsheet_safe(value) -> str:
    """Return a cell value that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "、".join(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def commitments_csv(request):
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark tells Excel the file is UTF-8, so Chinese shows as Chinese.
        yield "\ufeff" + writer.writerow(FIELDS)
        for row in _rows(request):
            yield writer.writerow([spreadsheet_safe(row[name]) for name in FIELDS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "commitments.csv")
    return response


def commitments_json(request):
    def chunks():
        yield '{"fields": ' + json.dumps(FIELDS) + ', "commitments": ['
        for number, row in enumerate(_rows(request)):
            yield ("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, "commitments.json")
    return response


def commitment_markdown(request, uid: str):
    """Return one commitment's file, byte for byte as export_commitments writes it."""
    commitment = get_object_or_404(Commitment.objects.published().with_timeline(), uid=uid)
    content = commitment_render(commitment=commitment).encode("utf-8")
    response = HttpResponse(content, content_type="text/markdown; charset=utf-8")
    name = commitment.file_path.rsplit("/", 1)[-1]
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _dataset_version() -> str:
    """Return a key that changes whenever a published file's bytes could change.

    The number with its time and the release: a restore rewinds the number (later changes
    would reuse it), an upgrade may change how files are rendered.
    """
    return version_tag()


def downloads_dir() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "downloads"
    return Path(getattr(settings, "TRACKER_DOWNLOADS_DIR", default))


def dataset_zip_path() -> Path:
    """Return the zip of every published file, building it once per version of the data."""
    folder = downloads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"commitments-{_dataset_version()}.zip"
    if path.exists():
        return path
    stamp = timezone.localtime().timetuple()[:6]
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            skipped: list[str] = []
            for relative, content in iter_rendered(skipped=skipped):
                info = zipfile.ZipInfo(relative, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        os.replace(temporary, path)
        for line in skipped:
            logger.warning("dataset zip: not included: %s", line)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in folder.glob("commitments-*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def dataset_zip(request):
    path = dataset_zip_path()
    return FileResponse(open(path, "rb"), as_attachment=True, filename=ZIP_NAME)


def downloads_page(request):
    return render(request, "tracker/downloads.html", {"today": dt.date.today(), "fields": FIELDS})
