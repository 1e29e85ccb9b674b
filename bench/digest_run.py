"""Time a digest run over one day of the real history, for 1,000 subscriptions.

    python bench/digest_run.py [--corpus ../shared/corpus] [--subscriptions 1000] [--save DIR]

Imports history/2026-01-30, confirms N subscriptions (seeded: 70 % commitments, 15 %
agencies, 10 % categories, 5 % searches; one address each, every other one in English),
imports commitments/ (01-31), then runs the digest (tracker.follow.digest.digests_send)
through Django's SMTP backend to a real SMTP server (aiosmtpd) on a free local port. Prints
the run's wall time, queries, messages sent and their sizes. Production settings, SQLite in
a temporary folder.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION, free_port  # noqa: E402


class Sink:
    def __init__(self, save: Path | None):
        self.sizes = []
        self.save = save

    async def handle_DATA(self, server, session, envelope):
        self.sizes.append(len(envelope.original_content))
        if self.save is not None and len(self.sizes) <= 20:
            (self.save / f"{len(self.sizes):02d}.eml").write_bytes(envelope.original_content)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--save", type=Path, help="keep the first 20 messages here (.eml)")
    arguments = parser.parse_args()
    corpus = Path(arguments.corpus).resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    port = free_port()
    os.environ.update(PRODUCTION)
    os.environ.update(
        {
            "SQLITE_PATH": str(work / "db.sqlite3"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "TRACKER_SITE_URL": "https://commitments.example.org",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tracker.core.agencies import split_agencies
    from tracker.core.models import Commitment
    from tracker.core.services.commitment_import import commitments_import_paths
    from tracker.follow.digest import digests_send
    from tracker.follow.models import Subscriber, Subscription

    call_command("migrate", verbosity=0)
    commitments_import_paths(paths=[corpus / "history" / "2026-01-30"])
    published = list(
        Commitment.objects.published().values_list("pk", "category", "responsible_agency")
    )
    agencies = sorted({a for _pk, _c, field in published for a in split_agencies(field)})
    categories = sorted({category for _pk, category, _a in published})
    searches = ["疫苗", "長照", "電網", "再生能源", "食安", "空污", "住宅", "托育"]
    rng = random.Random(20260131)
    covered = timezone.now()
    kinds = {"commitment": 0, "agency": 0, "category": 0, "search": 0}
    for number in range(arguments.subscriptions):
        subscriber = Subscriber.objects.create(
            email=f"reader{number}@example.org",
            language="en" if number % 2 else "zh-hant",
            covered_until=covered,
        )
        roll = rng.random()
        if roll < 0.70:
            target = {"kind": "commitment", "commitment_id": rng.choice(published)[0]}
        elif roll < 0.85:
            target = {"kind": "agency", "value": rng.choice(agencies)}
        elif roll < 0.95:
            target = {"kind": "category", "value": rng.choice(categories)}
        else:
            target = {"kind": "search", "value": rng.choice(searches)}
        kinds[target["kind"]] += 1
        Subscription.objects.create(subscriber=subscriber, confirmed_at=covered, **target)

    started = time.perf_counter()
    commitments_import_paths(paths=[corpus / "commitments"])
    imported = time.perf_counter() - started

    sink = Sink(arguments.save)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            summary = digests_send(now=covered + dt.timedelta(days=1))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        controller.stop()
    sizes = sink.sizes
    print(f"subscriptions: {arguments.subscriptions} ({kinds})")
    print(f"import of commitments/ (01-31) after 01-30: {imported:.2f} s")
    # CPU time includes the SMTP server's thread (same process): the figure to compare on a
    # busy machine, where wall time depends on the other processes.
    print(f"digest run: {seconds:.2f} s wall, {cpu:.2f} s CPU, {len(queries)} queries")
    print(
        f"addresses due {summary.due}; sent {summary.sent}; nothing new {summary.empty}; "
        f"failed {summary.failed}"
    )
    if sizes:
        print(
            f"messages received by the SMTP server: {len(sizes)}, {sum(sizes):,} bytes in all; "
            f"per message median {statistics.median(sizes):,.0f} B, max {max(sizes):,} B"
        )


if __name__ == "__main__":
    main()
