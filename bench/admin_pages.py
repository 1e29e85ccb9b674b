"""Measure the editors' desk on the real corpus: queries and response time per admin page.

    python bench/admin_pages.py [--corpus DIR] [--runs 20]

Loads the corpus into a new, empty SQLite database, logs in an editor (group 編輯) with
Django's test client, and for each page prints the number of SQL queries and the median,
min and max response time of the runs (after one warm-up request).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/commitments"))
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-admin-"))
    os.environ["SQLITE_PATH"] = str(work / "db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")  # as measured so far: development settings
    sys.path.insert(0, str(ROOT))
    try:
        run(Path(arguments.corpus), arguments.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(corpus: Path, runs: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core import signals
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tracker.core.models import Commitment
    from tracker.core.services.commitment_import import commitments_import_paths
    from tracker.core.services.roles import EDITOR

    # As in Django's test runner: keep one connection, so queries can be counted per page.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    report = commitments_import_paths(paths=[corpus])
    print(f"corpus: {corpus}: {report.summary()} ({time.perf_counter() - started:.1f} s)")
    editor = User.objects.create_user(username="bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    longest = Commitment.objects.with_log_count().order_by("-log_count", "pk").first()
    changelist = reverse("admin:tracker_commitment_changelist")
    pages = [
        ("changelist", changelist),
        ("changelist, search 疫苗", f"{changelist}?q=疫苗"),
        ("changelist, filter overdue", f"{changelist}?overdue=yes"),
        (
            f"change page, longest timeline ({longest.log_count} entries)",
            reverse("admin:tracker_commitment_change", args=[longest.pk]),
        ),
        (
            "history page, same commitment",
            reverse("admin:tracker_commitment_history", args=[longest.pk]),
        ),
        ("data-quality page", reverse("admin:tracker_commitment_quality")),
    ]
    versions = f"python {sys.version.split()[0]}, SQLite {connection.Database.sqlite_version}"
    print(f"{runs} runs per page, {versions}")
    print(f"{'page':<48} {'queries':>7} {'KiB':>6} {'median ms':>9} {'min ms':>7} {'max ms':>7}")
    for name, url in pages:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        rows = response.content.count(b'class="action-select"')
        if rows:
            name = f"{name}, {rows} rows"
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries.captured_queries)  # read now: later requests reset the log
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<48} {query_count:>7} {len(response.content) / 1024:>6.0f} "
            f"{statistics.median(times):>9.1f} {min(times):>7.1f} {max(times):>7.1f}"
        )


if __name__ == "__main__":
    main()
