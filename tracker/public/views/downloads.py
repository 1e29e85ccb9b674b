"""Downloads: the data package, the filtered list as CSV or JSON, the Markdown files."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core.data_version import data_version_for, version_tag
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CompletionCriterion,
    Source,
    TrackingLog,
)
from tracker.core.services.commitment_export import commitment_render, iter_rendered
from tracker.public.datapackage import (
    COMMITMENT_FIELDS,
    CRITERION_FIELDS,
    FORMAT_VERSION,
    QUESTION_FIELDS,
    SOURCE_FIELDS,
    STATUSES,
    TABLES,
    TIMELINE_FIELDS,
    commitment_row,
    criterion_row,
    csv_lines,
    data_date,
    json_chunks,
    json_schema,
    license_descriptor,
    question_row,
    source_row,
    table_schema,
    timeline_rows,
)
from tracker.public.views.commitments import filtered_commitments, form_problems

logger = logging.getLogger(__name__)

ZIP_NAME = "commitments.zip"
# The files of the data package, with their media types; all built once per data version.
PACKAGE_FILES = {
    "datapackage.json": "application/json",
    "commitments.csv": "text/csv; charset=utf-8",
    "sources.csv": "text/csv; charset=utf-8",
    "timeline.csv": "text/csv; charset=utf-8",
    "questions.csv": "text/csv; charset=utf-8",
    "criteria.csv": "text/csv; charset=utf-8",
    "commitments.json": "application/json",
    "commitments.schema.json": "application/schema+json",
}
CSV_RESOURCES = {
    "commitments": ("commitments.csv", gettext_lazy("承諾")),
    "sources": ("sources.csv", gettext_lazy("來源答復")),
    "timeline": ("timeline.csv", gettext_lazy("追蹤紀錄（每項承諾的時間軸）")),
    "questions": ("questions.csv", gettext_lazy("向機關的詢問與回覆")),
    "criteria": ("criteria.csv", gettext_lazy("完成標準")),
}


def _filtered(request):
    """Return the list's filterset for a download, or a 400 naming each bad parameter."""
    filterset = filtered_commitments(request)
    if filterset.is_valid():
        return filterset, None
    problems = form_problems(filterset.form)
    if request.resolver_match.url_name == "commitments_json":
        body = json.dumps(
            {
                "errors": [
                    {"parameter": name, "label": label, "message": message}
                    for name, label, message in problems
                ]
            },
            ensure_ascii=False,
        )
        return None, HttpResponseBadRequest(body, content_type="application/json; charset=utf-8")
    lines = [f"{name}（{label}）：{message}" for name, label, message in problems]
    return None, HttpResponseBadRequest(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )


def _commitments(queryset, *, timeline: bool):
    commitments = queryset.defer(None).select_related("source")
    if timeline:
        commitments = commitments.prefetch_related(
            Prefetch("log_entries", queryset=TrackingLog.objects.order_by("position"))
        )
    return commitments.iterator(chunk_size=500)


def _detail_url(request):
    base = request.build_absolute_uri("/")[:-1]

    def detail_url(uid):
        return base + reverse("public:commitment_detail", args=[uid])

    return detail_url


def _commitment_rows(request, queryset):
    detail_url = _detail_url(request)
    for commitment in _commitments(queryset, timeline=False):
        yield commitment_row(commitment, detail_url)


def _json_rows(request, queryset):
    detail_url = _detail_url(request)
    for commitment in _commitments(queryset, timeline=True):
        row = commitment_row(commitment, detail_url)
        row["timeline"] = [
            {key: value for key, value in entry.items() if key != "commitment_id"}
            for entry in timeline_rows(commitment)
        ]
        yield row


def _timeline_rows(queryset):
    for commitment in _commitments(queryset, timeline=True):
        yield from timeline_rows(commitment)


def _source_rows():
    sources = (
        Source.objects.filter(commitments__in=Commitment.objects.published())
        .distinct()
        .order_by("document_id")
    )
    for source in sources.iterator(chunk_size=500):
        yield source_row(source)


def _question_rows():
    questions = (
        AgencyQuestion.objects.public()
        .select_related("commitment", "answer_entry")
        .order_by("sent_on", "uid")
    )
    for question in questions.iterator(chunk_size=500):
        yield question_row(question)


def _criterion_rows():
    criteria = (
        CompletionCriterion.objects.filter(commitment__is_published=True)
        .select_related("commitment")
        .order_by("commitment__uid", "position", "pk")
    )
    for criterion in criteria.iterator(chunk_size=500):
        yield criterion_row(criterion)


def _schema_url(request) -> str:
    return request.build_absolute_uri(
        reverse("public:package_file", args=["commitments.schema.json"])
    )


def commitments_csv(request):
    """Return the list's commitments, with its filters, as CSV (400 for a bad filter)."""
    filterset, error = _filtered(request)
    if error:
        return error
    lines = csv_lines(COMMITMENT_FIELDS, _commitment_rows(request, filterset.qs))
    response = StreamingHttpResponse(lines, content_type=PACKAGE_FILES["commitments.csv"])
    response["Content-Disposition"] = content_disposition_header(True, "commitments.csv")
    return response


def commitments_json(request):
    """Return the list's commitments, with its filters and their timelines, as JSON."""
    filterset, error = _filtered(request)
    if error:
        return error
    chunks = json_chunks(_json_rows(request, filterset.qs), schema_url=_schema_url(request))
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
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
    return Path(settings.TRACKER_DOWNLOADS_DIR)


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


def package_folder(request) -> Path:
    """Return the folder of the data package's files, building it once per data version.

    The rows hold absolute links to this site, so each host and scheme gets its own build.
    """
    folder = downloads_dir()
    host = hashlib.sha256(request.build_absolute_uri("/").encode()).hexdigest()[:12]
    prefix = f"package-{version_tag(request)}-"
    target = folder / f"{prefix}{host}"
    if target.is_dir():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".building-package-"))
    try:
        # One package for both languages: its links and descriptions are the default's.
        with translation.override(settings.LANGUAGE_CODE):
            _write_package(request, staging)
        try:
            os.rename(staging, target)
        except OSError:  # another worker finished the same build first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in folder.glob("package-*"):
        if not old.name.startswith(prefix):
            shutil.rmtree(old, ignore_errors=True)
    return target


def _write_text(path: Path, chunks) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _write_package(request, folder: Path) -> None:
    published = Commitment.objects.published().order_by("uid")
    _write_text(
        folder / "commitments.csv",
        csv_lines(COMMITMENT_FIELDS, _commitment_rows(request, published)),
    )
    _write_text(folder / "sources.csv", csv_lines(SOURCE_FIELDS, _source_rows()))
    _write_text(folder / "timeline.csv", csv_lines(TIMELINE_FIELDS, _timeline_rows(published)))
    _write_text(folder / "questions.csv", csv_lines(QUESTION_FIELDS, _question_rows()))
    _write_text(folder / "criteria.csv", csv_lines(CRITERION_FIELDS, _criterion_rows()))
    _write_text(
        folder / "commitments.json",
        json_chunks(_json_rows(request, published), schema_url=_schema_url(request)),
    )
    _write_text(
        folder / "commitments.schema.json",
        [json.dumps(json_schema(), ensure_ascii=False, indent=2)],
    )
    _write_text(
        folder / "datapackage.json",
        [json.dumps(_descriptor(request, folder), ensure_ascii=False, indent=2)],
    )


def _integrity(path: Path) -> dict:
    content = path.read_bytes()
    return {"bytes": len(content), "hash": "sha256:" + hashlib.sha256(content).hexdigest()}


def _descriptor(request, folder: Path) -> dict:
    """Return datapackage.json: what each file holds, its schema, size and checksum."""
    date = data_date()
    resources = [
        {
            "name": name,
            "path": path,
            "title": str(title),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            **_integrity(folder / path),
            "schema": table_schema(name),
        }
        for name, (path, title) in CSV_RESOURCES.items()
    ]
    return {
        "profile": "tabular-data-package",
        "name": "commitment-tracker",
        "title": "政策承諾追蹤 Commitment Tracker",
        "description": (
            "行政院對立法院質詢書面答復中的承諾、其來源答復與追蹤紀錄。"
            "commitments.json holds the same commitments with their timelines; "
            "its JSON Schema is commitments.schema.json."
        ),
        "version": FORMAT_VERSION,
        "created": data_version_for(request).changed_at.isoformat(timespec="seconds"),
        "data_date": date.isoformat() if date else None,
        "homepage": request.build_absolute_uri(reverse("public:downloads")),
        "licenses": [license_descriptor()],
        "contributors": [{"title": settings.TRACKER_PUBLISHER, "role": "publisher"}],
        "resources": resources,
    }


def package_file(request, name: str):
    """Return one file of the data package, as built for the current data."""
    if name not in PACKAGE_FILES:
        raise Http404(_("沒有這個檔案"))
    path = package_folder(request) / name
    return FileResponse(
        open(path, "rb"),
        as_attachment=name.endswith(".csv"),
        filename=name,
        content_type=PACKAGE_FILES[name],
    )


def downloads_page(request):
    """List the downloads with their data date, licence, sizes and documentation."""
    folder = package_folder(request)
    descriptions = {
        "datapackage.json": _("資料包說明（Frictionless Data Package）：各表的欄位、型別與授權"),
        "commitments.csv": _("承諾（每項承諾一列）"),
        "sources.csv": _("來源答復（每份行政院書面答復一列）"),
        "timeline.csv": _("追蹤紀錄（每筆紀錄一列，含來源與判斷標示）"),
        "questions.csv": _("編輯部向機關的詢問（每次詢問一列：管道、期限、回覆日期與原文）"),
        "criteria.csv": _("編輯部訂的完成標準（每個里程碑一列：狀態、確認日期與依據）"),
        "commitments.json": _("承諾與其完整時間軸（JSON）"),
        "commitments.schema.json": _("commitments.json 的 JSON Schema"),
    }
    files = [
        {
            "name": name,
            "url": reverse("public:package_file", args=[name]),
            "size": (folder / name).stat().st_size,
            "description": descriptions[name],
        }
        for name in PACKAGE_FILES
    ]
    files.append(
        {
            "name": ZIP_NAME,
            "url": reverse("public:dataset_zip"),
            "size": dataset_zip_path().stat().st_size,
            "description": _(
                "所有公開承諾的 Markdown 檔案，和匯出指令 export_commitments 逐位元組相同"
            ),
        }
    )
    tables = [
        {"name": name, "file": path, "title": title, "fields": TABLES[name]}
        for name, (path, title) in CSV_RESOURCES.items()
    ]
    return render(
        request,
        "tracker/downloads.html",
        {
            "data_date": data_date(),
            "version": FORMAT_VERSION,
            "license": license_descriptor(),
            "files": files,
            "tables": tables,
            "statuses": STATUSES,
        },
    )
