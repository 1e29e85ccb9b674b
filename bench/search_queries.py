"""What readers find: 20 queries a reader would type, on the real corpus.

Loads the corpus into a fresh SQLite database, then runs each query through the public
list's own filters in relevance order (what ``/commitments/?q=…`` shows) and prints the
number of results and the rank (1 = first) of the first result whose title contains the
query under any spelling a reader would accept: the character variants (台/臺, 汙/污,
布/佈) and the agency's other names listed below, spelled out here rather than taken from
the code under test, so the same script measures before and after a change.

    .venv/bin/python bench/search_queries.py [CORPUS_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(
    sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "commitments"
)
database = Path(tempfile.mkdtemp(prefix="bench-queries-")) / "db.sqlite3"
os.environ["SQLITE_PATH"] = str(database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from tracker.core.models import Commitment  # noqa: E402
from tracker.public.filters import CommitmentFilter  # noqa: E402

TAIPOWER = ("台電", "臺電", "台灣電力公司", "臺灣電力公司")
HEALTH = ("衛福部", "衛生福利部")
# Query -> the spellings that count as the query in a title.
QUERIES: dict[str, tuple[str, ...]] = {
    "台北": ("台北", "臺北"),
    "臺北": ("台北", "臺北"),
    "台灣": ("台灣", "臺灣"),
    "臺灣": ("台灣", "臺灣"),
    "台電": TAIPOWER,
    "臺電": TAIPOWER,
    "衛福部": HEALTH,
    "衛生福利部": HEALTH,
    "疫苗": ("疫苗",),
    "電網": ("電網",),
    "長照": ("長照",),
    "空污": ("空污", "空汙"),
    "空汙": ("空污", "空汙"),
    "公佈": ("公佈", "公布"),
    "農委會": ("農委會", "農業委員會"),
    "環保署": ("環保署", "環境保護署"),
    "健保": ("健保",),
    "食安": ("食安",),
    "綠能": ("綠能",),
    "社會住宅": ("社會住宅",),
}


def ranked_titles(text: str) -> list[str]:
    """Return the titles the public list shows for a query, in relevance order."""
    filterset = CommitmentFilter(
        {"q": text, "sort": "relevance"}, queryset=Commitment.objects.published().for_list()
    )
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("title", flat=True))


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("import_commitments", str(CORPUS), stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"{Commitment.objects.published().count():,} published commitments in {CORPUS}\n")
    print("| query | results | first title match | titles matching |")
    print("| --- | ---: | ---: | ---: |")
    for text, spellings in QUERIES.items():
        titles = ranked_titles(text)
        ranks = [
            rank
            for rank, title in enumerate(titles, start=1)
            if any(spelling in title for spelling in spellings)
        ]
        first = str(ranks[0]) if ranks else "–"
        print(f"| {text} | {len(titles):,} | {first} | {len(ranks):,} |")


if __name__ == "__main__":
    main()
