"""The downloads of everything: the data package and the Markdown zip, built once per data
version by one builder at a time, and served while the next one is built.

A build is a folder ``build-<data version tag>-<host>`` in TRACKER_DOWNLOADS_DIR holding the
package's files (PACKAGE_FILES), ``commitments.zip`` and ``build.json`` (the data version it
was built from). It appears whole: written under a temporary name, then renamed. The rows
hold absolute links to the site, so each host and scheme has its own builds.

A small database is built by the first request that needs it (the real corpus: about 2 s), so
its downloads are always the current data. Past ``TRACKER_DOWNLOADS_INLINE_LIMIT`` published
commitments a build takes minutes (at 100 times the corpus, 230 s: longer than any request
may take, and every save would start it again), so requests are served the newest complete
build, marked as older than the data, while one background thread per process builds the
current one; a file lock makes every other process wait for that build instead of building
the same. Only when a host has no build at all does a request wait for one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from tracker.core.data_version import data_version_for, version_tag
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CompletionCriterion,
    Source,
    TrackingLog,
)
from tracker.core.services.commitment_export import iter_rendered
from tracker.public.caching import commitment_tallies
from tracker.public.datapackage import (
    COMMITMENT_FIELDS,
    CRITERION_FIELDS,
    FORMAT_VERSION,
    QUESTION_FIELDS,
    SOURCE_FIELDS,
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

logger = logging.getLogger(__name__)

ZIP_NAME = "commitments.zip"
BUILD_INFO = "build.json"
# How many complete builds of a host are kept: the newest, and the one before it, which a
# request may still be about to open when the newest appears.
KEPT_BUILDS = 2
# The files of the data package, with their media types.
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


@dataclass(frozen=True)
class Build:
    """One complete build: its folder, the time of the data version it holds, and whether
    that is the current data (False while the current build is being made)."""

    folder: Path
    changed_at: dt.datetime
    current: bool

    def path(self, name: str) -> Path:
        return self.folder / name


def downloads_dir() -> Path:
    return Path(settings.TRACKER_DOWNLOADS_DIR)


def site_base(request) -> str:
    """Return the site's address as the request reached it, without the final slash."""
    return request.build_absolute_uri("/")[:-1]


def served_build(request) -> Build:
    """Return the build a request is served: the current data's when it exists, else the
    newest complete one while the current one is built (see the module's docstring)."""
    base_url = site_base(request)
    tag, changed_at = version_tag(request), data_version_for(request).changed_at
    target = _build_folder(base_url, tag)
    if target.is_dir():
        return _read(target, current=True)
    previous = newest_build(base_url)
    if previous is not None and _too_large_to_wait_for(request):
        _build_in_background(base_url, tag, changed_at)
        return previous
    return _read(build(base_url, tag, changed_at), current=True)


def newest_build(base_url: str) -> Build | None:
    """Return the most recently completed build of the site at BASE_URL (None if none)."""
    complete = _complete_builds(_host_key(base_url))
    return _read(complete[0], current=False) if complete else None


def build(base_url: str, tag: str, changed_at: dt.datetime) -> Path:
    """Build the downloads of data version TAG for the site at BASE_URL; return its folder.

    One builder per host at a time (a file lock across processes): a second caller waits,
    then finds the build made. Nothing is left half-written if the build fails or dies.
    """
    folder = downloads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    host = _host_key(base_url)
    target = _build_folder(base_url, tag)
    with _exclusive(folder / f".lock-{host}"):
        if target.is_dir():
            return target
        # What a builder killed mid-way (a recycled worker, a reboot) left behind.
        for leftover in folder.glob(f".building-{host}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".building-{host}-"))
        started = time.monotonic()
        try:
            # One package for both languages: its links and descriptions are the default's.
            with translation.override(settings.LANGUAGE_CODE):
                _write_package(staging, base_url, changed_at)
            _write_zip(staging / ZIP_NAME)
            info = {
                "tag": tag,
                "changed_at": changed_at.isoformat(),
                "seconds": round(time.monotonic() - started, 3),
            }
            (staging / BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for old in _complete_builds(host)[KEPT_BUILDS:]:
            shutil.rmtree(old, ignore_errors=True)
    logger.info("downloads: built data version %s in %.1f s", tag, info["seconds"])
    return target


def wait_for_background_builds(timeout: float | None = None) -> None:
    """Wait until this process's background builds have finished (tests, commands)."""
    with _threads_lock:
        running = list(_threads.values())
    for thread in running:
        thread.join(timeout)


# After a failed build (a full disk, a bug), the same data version is not tried again by
# this process for this long: not a build per request while the cause lasts.
RETRY_AFTER_SECONDS = 300
_threads: dict[str, threading.Thread] = {}
_failures: dict[str, tuple[str, float]] = {}  # host -> (tag, when it failed)
_threads_lock = threading.Lock()


def _build_in_background(base_url: str, tag: str, changed_at: dt.datetime) -> None:
    """Start building TAG in a thread of this process, unless one is already building or
    building TAG failed here within RETRY_AFTER_SECONDS."""
    host = _host_key(base_url)
    with _threads_lock:
        running = _threads.get(host)
        if running is not None and running.is_alive():
            return
        failed = _failures.get(host)
        if failed and failed[0] == tag and time.monotonic() - failed[1] < RETRY_AFTER_SECONDS:
            return
        thread = threading.Thread(
            target=_background_build,
            args=(base_url, tag, changed_at),
            name=f"downloads-build-{host}",
            daemon=True,
        )
        _threads[host] = thread
        thread.start()


def _background_build(base_url: str, tag: str, changed_at: dt.datetime) -> None:
    try:
        build(base_url, tag, changed_at)
    except Exception:
        with _threads_lock:
            _failures[_host_key(base_url)] = (tag, time.monotonic())
        logger.exception(
            "downloads: building data version %s failed; the previous build is served "
            "(tried again after %d s, or after the next change)",
            tag,
            RETRY_AFTER_SECONDS,
        )
    finally:
        connections.close_all()  # this thread's own connections


def _too_large_to_wait_for(request) -> bool:
    # The kept counts, read once per data version: not a count of the table.
    published = sum(row["n"] for row in commitment_tallies(request))
    return published > settings.TRACKER_DOWNLOADS_INLINE_LIMIT


def _complete_builds(host: str) -> list[Path]:
    """Return the folders of HOST's complete builds, the most recently completed first."""
    complete = [
        folder
        for folder in downloads_dir().glob(f"build-*-{host}")
        if (folder / BUILD_INFO).is_file()
    ]
    return sorted(
        complete, key=lambda folder: (folder / BUILD_INFO).stat().st_mtime_ns, reverse=True
    )


def _host_key(base_url: str) -> str:
    return hashlib.sha256(f"{base_url}/".encode()).hexdigest()[:12]


def _build_folder(base_url: str, tag: str) -> Path:
    return downloads_dir() / f"build-{tag}-{_host_key(base_url)}"


def _read(folder: Path, *, current: bool) -> Build:
    info = json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    return Build(folder, dt.datetime.fromisoformat(info["changed_at"]), current)


@contextlib.contextmanager
def _exclusive(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# The package's rows (also streamed by the list's CSV and JSON downloads).


def _commitments(queryset, *, timeline: bool):
    commitments = queryset.defer(None).select_related("source")
    if timeline:
        commitments = commitments.prefetch_related(
            Prefetch("log_entries", queryset=TrackingLog.objects.order_by("position"))
        )
    return commitments.iterator(chunk_size=500)


def _detail_url(base_url: str):
    def detail_url(uid):
        return base_url + reverse("public:commitment_detail", args=[uid])

    return detail_url


def commitment_rows(base_url: str, queryset):
    detail_url = _detail_url(base_url)
    for commitment in _commitments(queryset, timeline=False):
        yield commitment_row(commitment, detail_url)


def json_rows(base_url: str, queryset):
    detail_url = _detail_url(base_url)
    for commitment in _commitments(queryset, timeline=True):
        row = commitment_row(commitment, detail_url)
        row["timeline"] = [
            {key: value for key, value in entry.items() if key != "commitment_id"}
            for entry in timeline_rows(commitment)
        ]
        yield row


def schema_url(base_url: str) -> str:
    return base_url + reverse("public:package_file", args=["commitments.schema.json"])


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


def _write_text(path: Path, chunks) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _write_package(folder: Path, base_url: str, changed_at: dt.datetime) -> None:
    published = Commitment.objects.published().order_by("uid")
    _write_text(
        folder / "commitments.csv",
        csv_lines(COMMITMENT_FIELDS, commitment_rows(base_url, published)),
    )
    _write_text(folder / "sources.csv", csv_lines(SOURCE_FIELDS, _source_rows()))
    _write_text(folder / "timeline.csv", csv_lines(TIMELINE_FIELDS, _timeline_rows(published)))
    _write_text(folder / "questions.csv", csv_lines(QUESTION_FIELDS, _question_rows()))
    _write_text(folder / "criteria.csv", csv_lines(CRITERION_FIELDS, _criterion_rows()))
    _write_text(
        folder / "commitments.json",
        json_chunks(json_rows(base_url, published), schema_url=schema_url(base_url)),
    )
    _write_text(
        folder / "commitments.schema.json",
        [json.dumps(json_schema(), ensure_ascii=False, indent=2)],
    )
    _write_text(
        folder / "datapackage.json",
        [json.dumps(_descriptor(folder, base_url, changed_at), ensure_ascii=False, indent=2)],
    )


def _write_zip(path: Path) -> None:
    """Write every published file, byte for byte as export_commitments writes it."""
    stamp = timezone.localtime().timetuple()[:6]
    skipped: list[str] = []
    with zipfile.ZipFile(path, "w") as archive:
        for relative, content in iter_rendered(skipped=skipped):
            info = zipfile.ZipInfo(relative, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    for line in skipped:
        logger.warning("dataset zip: not included: %s", line)


def _integrity(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "hash": "sha256:" + digest.hexdigest()}


def _descriptor(folder: Path, base_url: str, changed_at: dt.datetime) -> dict:
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
        "created": changed_at.isoformat(timespec="seconds"),
        "data_date": date.isoformat() if date else None,
        "homepage": base_url + reverse("public:downloads"),
        "licenses": [license_descriptor()],
        "contributors": [{"title": settings.TRACKER_PUBLISHER, "role": "publisher"}],
        "resources": resources,
    }
