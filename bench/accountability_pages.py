"""Figures for the agency, legislator and question pages on the real corpus (issue 18).

Loads the corpus (and the sample replies) into a fresh SQLite database, records one
question per 10th commitment of 衛生福利部 (half answered) and one completion criterion per
5th commitment, then asks each new page through Django's test client without the page cache:
queries, gzip bytes and the median of 20 server times. Also prints how many replies name
their legislator and how many agency and legislator pages there are.

    .venv/bin/python bench/accountability_pages.py [CORPUS_DIR]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus")
database = Path(tempfile.mkdtemp(prefix="bench-accountability-")) / "db.sqlite3"
os.environ["SQLITE_PATH"] = str(database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.public_pages import measure  # noqa: E402
from tracker.core.legislators import by_legislator, legislators_in_subject  # noqa: E402
from tracker.core.models import Commitment, Source  # noqa: E402
from tracker.core.services.agency_questions import question_answer, question_ask  # noqa: E402
from tracker.core.services.criteria import criterion_add  # noqa: E402


def main() -> None:
    setup_test_environment()
    print(f"database: {database} (fresh), corpus: {CORPUS}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import_commitments", str(CORPUS / "commitments"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    replies = sorted((CORPUS / "replies").glob("*.jsonl"))
    call_command("import_replies", *map(str, replies), stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"import: {time.perf_counter() - start:.1f} s")

    today = timezone.localdate()
    health = list(Commitment.objects.published().for_agency("衛生福利部").order_by("uid"))
    for number, commitment in enumerate(health[::10]):
        question = question_ask(
            commitment=commitment,
            agency=commitment.responsible_agency,
            sent_on=today - dt.timedelta(days=10 + number * 3),
            channel="foi",
            question="請問進度？",
        )
        if number % 2:
            question_answer(
                question=question, base_version=question.version, answered_on=today, answer="好"
            )
    for commitment in Commitment.objects.published().order_by("uid")[::5]:
        criterion_add(commitment=commitment, milestone="budget")
        criterion_add(commitment=commitment, milestone="completed")

    sources = list(Source.objects.all())
    parsed = sum(1 for source in sources if legislators_in_subject(source.subject))
    public = list(Source.objects.public())
    print(f"sources whose subject names a legislator: {parsed} / {len(sources)}")
    print(f"legislator pages: {len(by_legislator(public))}")
    print(f"agency pages: {len(Commitment.objects.published().counts_by_agency())}")

    busiest = max(by_legislator(public).items(), key=lambda item: len(item[1]))[0]
    detail = health[0].uid
    client = Client()
    pages = {
        "agencies index": "/agencies/",
        "agency 衛生福利部": "/agencies/衛生福利部/",
        "legislators index": "/legislators/",
        f"legislator {busiest}": f"/legislators/{busiest}/",
        "questions": "/questions/",
        "questions feed": "/questions/feed/",
        "detail with question + criteria": f"/commitments/{detail}/",
    }
    print(f"\n{'page':36} {'queries':>7} {'HTML bytes':>10} {'gzip':>8} {'median ms':>10}")
    for name, url in pages.items():
        figures = measure(client, url)
        print(
            f"{name:36} {figures['queries']:>7} {figures['html']:>10,} {figures['gzip']:>8,} "
            f"{figures['median_ms']:>10.1f}"
        )


if __name__ == "__main__":
    main()
