"""Time the evidence suggestions as the desk runs them, on the real corpus in a new database.

    python bench/evidence_speed.py [--corpus DIR]

Imports the commitment files and the reply rows into a new, empty SQLite database, then
prints: the index build (first request after an import), the suggestions for every reply of
the open-data sample (what the desk's queue shows for a day's replies: the top 10 with
their passage, matched terms and badges, database queries included), and a rebuild after
one more import changed one reply.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    os.environ["SQLITE_PATH"] = str(work / "db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("TRACKER_ENV_FILE", "")
    sys.path.insert(0, str(ROOT))
    try:
        run(Path(arguments.corpus))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(corpus: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.core.models import Source
    from tracker.core.services import evidence
    from tracker.core.services.commitment_import import commitments_import_paths

    call_command("migrate", verbosity=0)
    commitments_import_paths(paths=[corpus / "commitments"])
    reply_files = sorted((corpus / "replies").glob("*.jsonl"))
    with open(os.devnull, "w") as quiet:
        call_command("import_replies", *map(str, reply_files), verbosity=0, stdout=quiet)
    sample = set()
    for path in reply_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                sample.add(json.loads(line)["payload"]["baseId"])
    sources = list(Source.objects.filter(document_id__in=sample).order_by("pk"))

    started = time.perf_counter()
    evidence.suggestion_index()
    print(f"index build after an import: {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    shown = [evidence.suggestions_for_reply(source=source, limit=10) for source in sources]
    elapsed = time.perf_counter() - started
    with CaptureQueriesContext(connection) as queries:
        evidence.suggestions_for_reply(source=sources[0], limit=10)
    print(
        f"suggestions for the sample's {len(sources)} replies (top 10, passage, matched terms, "
        f"badges): {elapsed:.2f} s in total, {1000 * elapsed / len(sources):.1f} ms a reply, "
        f"{len(queries)} queries a reply; "
        f"{sum(len(items) for items in shown)} suggestions"
    )

    source = sources[0]
    source.reply_text += "\n（補充）"
    source.save()
    started = time.perf_counter()
    evidence.suggestion_index()
    print(f"rebuild after one reply changed: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
