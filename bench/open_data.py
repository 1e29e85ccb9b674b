"""Open-data figures on the real corpus: download sizes, feeds parsed, ids after a restore.

Loads the corpus into a new SQLite database and prints each download's size as sent raw
and gzipped (through the site's own middleware); parses every feed (the site's, each
category's, each agency's and each commitment's, in both languages) with feedparser and
counts the feeds, entries and bozo results; then imports the site's own zip into a second
new database and counts the timeline entry ids and feed <id>/<updated> values that changed.

    .venv/bin/python bench/open_data.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "commitments"
DOWNLOADS = [
    "/downloads/datapackage.json",
    "/downloads/commitments.csv",
    "/downloads/sources.csv",
    "/downloads/timeline.csv",
    "/downloads/commitments.json",
    "/downloads/commitments.schema.json",
    "/downloads/commitments.zip",
    "/commitments.csv",
    "/commitments.json",
]


def setup(work: Path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.TRACKER_DOWNLOADS_DIR = work / "downloads"
    settings.PAGE_CACHE_ENTRIES = 0
    call_command("migrate", verbosity=0)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def feed_paths() -> list[str]:
    from django.urls import reverse

    from tracker.core.models import Commitment
    from tracker.public.filters import agency_counts

    published = Commitment.objects.published()
    paths = [reverse("public:feed")]
    categories = published.order_by("category").values_list("category", flat=True).distinct()
    paths += [reverse("public:category_feed", args=[category]) for category in categories]
    paths += [reverse("public:agency_feed", args=[agency]) for agency in agency_counts(published)]
    paths += [
        reverse("public:commitment_feed", args=[uid])
        for uid in published.order_by("uid").values_list("uid", flat=True)
    ]
    return paths


def collect_ids() -> dict:
    """Return every entry id (from the core helper) and each feed's ids and dates."""
    import feedparser
    from django.test import Client

    from tracker.core.entries import entry_facts_by_pk
    from tracker.core.models import TrackingLog
    from tracker.public.identity import entry_uri

    entries = list(TrackingLog.objects.select_related("commitment"))
    facts = entry_facts_by_pk(entries)
    client = Client()
    feeds = {}
    stats = {"feeds": 0, "entries": 0, "bozo": 0}
    for path in feed_paths():
        for prefix in ("", "/en"):
            parsed = feedparser.parse(body(client.get(prefix + path)))
            stats["feeds"] += 1
            stats["entries"] += len(parsed.entries)
            stats["bozo"] += int(bool(parsed.bozo))
            feeds[prefix + path] = {
                "id": parsed.feed.get("id"),
                "updated": parsed.feed.get("updated"),
                "entries": [[entry.id, entry.updated] for entry in parsed.entries],
            }
    return {
        "entry_ids": sorted(entry_uri(e.commitment.uid, facts[e.pk].key) for e in entries),
        "feeds": feeds,
        "stats": stats,
    }


def phase_first(corpus: Path, work: Path) -> None:
    setup(work)
    from django.core.management import call_command
    from django.test import Client

    call_command("import_commitments", str(corpus), stdout=io.StringIO(), stderr=io.StringIO())
    client = Client()
    started = time.perf_counter()
    client.get("/downloads/")  # builds the package and the zip for this version of the data
    build_seconds = time.perf_counter() - started
    sizes = []
    for path in DOWNLOADS:
        raw = body(client.get(path))
        packed = body(client.get(path, HTTP_ACCEPT_ENCODING="gzip"))
        sizes.append([path, len(raw), len(packed)])
        if path.endswith(".zip"):
            (work / "site.zip").write_bytes(raw)
    result = collect_ids() | {"sizes": sizes, "build_seconds": build_seconds}
    (work / "first.json").write_text(json.dumps(result, ensure_ascii=False))


def phase_second(work: Path) -> None:
    setup(work)
    from django.core.management import call_command

    folder = work / "unzipped"
    with zipfile.ZipFile(work / "site.zip") as archive:
        archive.extractall(folder)
    call_command("import_commitments", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    (work / "second.json").write_text(json.dumps(collect_ids(), ensure_ascii=False))


def run_phase(name: str, work: Path, database: str, *extra: str) -> None:
    environment = os.environ | {
        "DJANGO_DEBUG": "true",
        "SQLITE_PATH": str(work / database),
        "DJANGO_PAGE_CACHE_ENTRIES": "0",
    }
    subprocess.run(
        [sys.executable, __file__, "--phase", name, "--work", str(work), *extra],
        env=environment,
        check=True,
    )


def report(work: Path) -> None:
    first = json.loads((work / "first.json").read_text())
    second = json.loads((work / "second.json").read_text())
    print("download                              raw bytes   gzip bytes")
    for path, raw, packed in first["sizes"]:
        print(f"{path:36} {raw:11,} {packed:12,}")
    print(f"first /downloads/ request (builds package and zip): {first['build_seconds']:.2f} s")
    stats = first["stats"]
    print(f"feeds parsed: {stats['feeds']:,}, entries: {stats['entries']:,}, bozo: {stats['bozo']}")
    before, after = set(first["entry_ids"]), set(second["entry_ids"])
    print(
        f"timeline entry ids: {len(before):,} before, {len(after):,} after the re-import, "
        f"{len(before - after):,} changed"
    )
    changed_ids = changed_updated = feed_ids = 0
    for path, feed in first["feeds"].items():
        other = second["feeds"].get(path, {"id": None, "updated": None, "entries": []})
        feed_ids += feed["id"] != other["id"]
        changed_updated += feed["updated"] != other["updated"]
        changed_ids += len({e[0] for e in feed["entries"]} ^ {e[0] for e in other["entries"]})
    print(
        f"after the re-import: feed ids changed {feed_ids}, feed <updated> changed "
        f"{changed_updated}, feed entry ids added or removed {changed_ids}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--phase", choices=["first", "second"])
    parser.add_argument("--work", type=Path)
    arguments = parser.parse_args()
    if arguments.phase == "first":
        phase_first(arguments.corpus, arguments.work)
        return
    if arguments.phase == "second":
        phase_second(arguments.work)
        return
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        run_phase("first", work, "first.sqlite3", "--corpus", str(arguments.corpus))
        run_phase("second", work, "second.sqlite3")
        report(work)


if __name__ == "__main__":
    main()
