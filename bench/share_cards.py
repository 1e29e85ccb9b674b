"""Time and size of the share cards (tracker/public/cards.py) over the real corpus.

    python bench/share_cards.py [--corpus ../shared/corpus] [--count 100]

Imports commitments/ into a temporary SQLite database (production settings), then renders
the card of the COUNT longest titles and COUNT others (seeded), in Chinese and English,
through the view (as a reader's first request after a data change), and prints render time
(median, 95th percentile, max), PNG size (median, max) and the first-card time (fonts load).
"""

import argparse
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

from load import PRODUCTION  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    parser.add_argument("--count", type=int, default=100)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cards-"))
    os.environ.update(PRODUCTION)
    os.environ["SQLITE_PATH"] = str(work / "db.sqlite3")
    # Every request renders: the page cache would serve the second one.
    os.environ["DJANGO_PAGE_CACHE_ENTRIES"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models.functions import Length
    from django.test import Client

    from tracker.core.models import Commitment
    from tracker.core.services.commitment_import import commitments_import_paths
    from tracker.public import cards

    call_command("migrate", verbosity=0)
    commitments_import_paths(paths=[Path(arguments.corpus).resolve() / "commitments"])
    published = Commitment.objects.published()
    longest = list(
        published.annotate(n=Length("title")).order_by("-n").values_list("uid", flat=True)
    )
    chosen = longest[: arguments.count]
    rest = longest[arguments.count :]
    chosen += random.Random(20260131).sample(rest, min(arguments.count, len(rest)))
    client = Client(HTTP_HOST="localhost")
    print(f"font: Noto Sans CJK TC found: {cards.has_cjk_font()}")
    started = time.perf_counter()
    first = client.get(f"/commitments/{chosen[0]}/card.png")
    print(f"first card (loads the fonts): {(time.perf_counter() - started) * 1000:.0f} ms")
    assert first.status_code == 200, first.status_code
    times, sizes = [], []
    for prefix in ("", "/en"):
        for uid in chosen:
            started = time.perf_counter()
            response = client.get(f"{prefix}/commitments/{uid}/card.png")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            sizes.append(len(response.content))
    times.sort()
    longest_title = published.get(uid=longest[0]).title
    print(f"cards: {len(times)} ({len(chosen)} commitments x 2 languages)")
    print(
        f"render through the view: median {statistics.median(times):.0f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, max {times[-1]:.0f} ms"
    )
    print(
        f"PNG size: median {statistics.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB"
    )
    print(f"longest title: {len(longest_title)} characters")


if __name__ == "__main__":
    main()
