"""Downloads: the data package, the filtered list as CSV or JSON, the Markdown files."""

from __future__ import annotations

import json

from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tracker.core.models import Commitment
from tracker.core.services.commitment_export import commitment_render
from tracker.public.datapackage import (
    COMMITMENT_FIELDS,
    FORMAT_VERSION,
    STATUSES,
    TABLES,
    csv_lines,
    data_date,
    json_chunks,
    license_descriptor,
)
from tracker.public.download_builds import (
    CSV_RESOURCES,
    PACKAGE_FILES,
    ZIP_NAME,
    Build,
    commitment_rows,
    json_rows,
    schema_url,
    served_build,
    site_base,
)
from tracker.public.views.commitments import filtered_commitments, form_problems


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


def commitments_csv(request):
    """Return the list's commitments, with its filters, as CSV (400 for a bad filter)."""
    filterset, error = _filtered(request)
    if error:
        return error
    lines = csv_lines(COMMITMENT_FIELDS, commitment_rows(site_base(request), filterset.qs))
    response = StreamingHttpResponse(lines, content_type=PACKAGE_FILES["commitments.csv"])
    response["Content-Disposition"] = content_disposition_header(True, "commitments.csv")
    return response


def commitments_json(request):
    """Return the list's commitments, with its filters and their timelines, as JSON."""
    filterset, error = _filtered(request)
    if error:
        return error
    base_url = site_base(request)
    chunks = json_chunks(json_rows(base_url, filterset.qs), schema_url=schema_url(base_url))
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


def dataset_zip(request):
    """Return every published file, byte for byte as export_commitments writes them."""
    return _file_response(served_build(request), ZIP_NAME, "application/zip", attachment=True)


def package_file(request, name: str):
    """Return one file of the data package, as built for the current data."""
    if name not in PACKAGE_FILES:
        raise Http404(_("沒有這個檔案"))
    return _file_response(
        served_build(request), name, PACKAGE_FILES[name], attachment=name.endswith(".csv")
    )


def _file_response(build: Build, name: str, content_type: str, *, attachment: bool):
    response = FileResponse(
        open(build.path(name), "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=attachment,
        filename=name,
        content_type=content_type,
    )
    return _mark_if_older(response, build)


def _mark_if_older(response, build: Build):
    """Keep a build older than the data out of every cache: the current one is coming."""
    if not build.current:
        response["Cache-Control"] = "no-store"
    return response


def downloads_page(request):
    """List the downloads with their data date, licence, sizes and documentation."""
    build = served_build(request)
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
            "size": build.path(name).stat().st_size,
            "description": descriptions[name],
        }
        for name in PACKAGE_FILES
    ]
    files.append(
        {
            "name": ZIP_NAME,
            "url": reverse("public:dataset_zip"),
            "size": build.path(ZIP_NAME).stat().st_size,
            "description": _(
                "所有公開承諾的 Markdown 檔案，和匯出指令 export_commitments 逐位元組相同"
            ),
        }
    )
    tables = [
        {"name": name, "file": path, "title": title, "fields": TABLES[name]}
        for name, (path, title) in CSV_RESOURCES.items()
    ]
    response = render(
        request,
        "tracker/downloads.html",
        {
            "build": build,
            "data_date": data_date(),
            "version": FORMAT_VERSION,
            "license": license_descriptor(),
            "files": files,
            "tables": tables,
            "statuses": STATUSES,
        },
    )
    return _mark_if_older(response, build)
