"""Print how much the gunicorn workers grow under query strings: unread ones, and searches.

Usage (a database with the corpus imported; the settings come from the environment):
    SQLITE_PATH=/tmp/corpus.sqlite3 DJANGO_DEBUG=true .venv/bin/python bench/page_cache_memory.py

The outside test's case: 600 requests to /sitemap-sources.xml?n=<i> grew two workers by
245 MB. Pages are now keyed only on the parameters they read, and the cache is bounded by
bytes (DJANGO_PAGE_CACHE_MB).
"""

from __future__ import annotations

import argparse
import urllib.parse
import urllib.request
from pathlib import Path

from load import free_port, start_gunicorn, wait_until_serving


def worker_rss_mb(master: int) -> float:
    """Return the resident memory of the master's workers, in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if fields.get("PPid", "").strip() == str(master):
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


def fetch(url: str) -> int:
    with urllib.request.urlopen(url) as response:  # noqa: S310 (our own local server)
        return len(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, args.workers)
    try:
        wait_until_serving(base, server)
        cases = [
            ("/sitemap-sources.xml?n={i}", "a parameter no page reads"),
            ("/commitments/?q=%E7%AC%AC{i}", "a different search each time"),
        ]
        for pattern, label in cases:
            for _ in range(args.workers * 4):
                size = fetch(base + pattern.format(i=0))
            before = worker_rss_mb(server.pid)
            for i in range(args.requests):
                fetch(base + pattern.format(i=i))
            after = worker_rss_mb(server.pid)
            print(
                f"{args.requests} x {pattern} ({label}; page {size:,} bytes): "
                f"{args.workers} workers {before:.1f} MB -> {after:.1f} MB "
                f"(+{after - before:.1f} MB)"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
