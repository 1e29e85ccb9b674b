"""After a save, what each gunicorn worker's first request for a page costs: memory against Redis.

    .venv/bin/python bench/shared_cache.py [--workers 4] [--requests 40] [--saves 5] [PATH ...]

The database is whatever the environment names (SQLITE_PATH or DATABASE_URL), already
imported. For each cache (each worker's own memory, then one redis-server this script starts on
a free port and stops) gunicorn serves the site with --workers sync workers and an access log
that names the worker (pid) and the server time of each request. For each PATH: the data
version is raised (a save), then --requests requests are sent one after another on new
connections, so the workers take turns (after one such round per page to warm every worker
up, not shown). The first request renders the page; the table shows
each other worker's first request ("other first": the median over --saves saves, and the
largest) against the median of the requests that found the page in the worker's cache
("cached"), and their ratio (median, and the largest). With the memory cache every
worker renders once; with Redis one render serves them all. "DETAIL" stands for the
commitment with the longest timeline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION, collect_static, free_port, quote, wait_until_serving  # noqa: E402

DEFAULT_PATHS = ["/", "/commitments/", "/commitments/?q=疫苗", "DETAIL"]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        probe = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True)
        if probe.stdout.strip() == b"PONG":
            break
        time.sleep(0.05)
    return server, f"redis://127.0.0.1:{port}/0"


def start_gunicorn(port: int, workers: int, log: Path, environment: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(D)s %(s)s",
        ],
        cwd=ROOT,
        env=environment,
    )


def read_log(log: Path, skip: int) -> list[tuple[str, float, str]]:
    """Return (worker, milliseconds, status) of each logged request after the first SKIP."""
    lines = log.read_text().splitlines()[skip:]
    rows = []
    for line in lines:
        pid, micros, status = line.split()
        rows.append((pid, int(micros) / 1000, status))
    return rows


def measure(base: str, log: Path, path: str, requests: int) -> dict:
    from django.db import transaction

    from tracker.core.data_version import data_version_bump

    skip = len(log.read_text().splitlines())
    with transaction.atomic():
        data_version_bump()
    for _ in range(requests):
        with urllib.request.urlopen(base + quote(path)) as response:  # noqa: S310 - localhost
            response.read()
    time.sleep(0.3)  # gunicorn writes the access log after the response
    rows = read_log(log, skip)
    seen: set[str] = set()
    render, others, cached = rows[0][1], [], []
    for pid, milliseconds, _status in rows:
        if pid in seen:
            cached.append(milliseconds)
        elif seen:
            others.append(milliseconds)
        seen.add(pid)
    cached_median = statistics.median(cached)
    worst_other = max(others) if others else float("nan")
    return {
        "render": render,
        "others": others,
        "cached": cached_median,
        "ratio": worst_other / cached_median,
        "workers": len(seen),
        "errors": sum(1 for *_, status in rows if not status.startswith(("2", "3"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--saves", type=int, default=5, help="saves (rounds) per page")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    arguments = parser.parse_args()
    os.environ.update(PRODUCTION)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    collect_static()
    import django

    django.setup()
    from load import detail_path

    paths = [detail_path() if path == "DETAIL" else path for path in arguments.paths]
    folder = Path(tempfile.mkdtemp(prefix="bench-shared-cache-"))
    redis, redis_url = start_redis(folder)
    print(
        f"gunicorn {arguments.workers} sync workers, {arguments.saves} saves per page, "
        f"{arguments.requests} requests after each, one at a time; server time from "
        "gunicorn's access log (ms)"
    )
    print(
        f"{'cache':<7} {'path':<44} {'render':>7} {'other first':>11} {'(max)':>9} "
        f"{'cached':>7} {'ratio':>8} {'(max)':>8} {'workers':>7} {'errors':>6}"
    )
    try:
        for cache, url in (("memory", ""), ("redis", redis_url)):
            log = folder / f"access-{cache}.log"
            log.touch()
            port = free_port()
            environment = os.environ | {"DJANGO_CACHE_URL": url}
            server = start_gunicorn(port, arguments.workers, log, environment)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_until_serving(base, server)
                for path in paths:  # every worker imports, compiles and connects first
                    measure(base, log, path, arguments.requests)
                for path in paths:
                    saves = [
                        measure(base, log, path, arguments.requests) for _ in range(arguments.saves)
                    ]
                    renders = statistics.median(figures["render"] for figures in saves)
                    others = [value for figures in saves for value in figures["others"]]
                    cached = statistics.median(figures["cached"] for figures in saves)
                    print(
                        f"{cache:<7} {path[:44]:<44} {renders:>7.1f} "
                        f"{statistics.median(others):>11.2f} {max(others):>9.2f} {cached:>7.2f} "
                        f"{statistics.median(others) / cached:>8.2f} {max(others) / cached:>8.2f} "
                        f"{min(f['workers'] for f in saves):>7} "
                        f"{sum(f['errors'] for f in saves):>6}"
                    )
            finally:
                server.terminate()
                server.wait(timeout=10)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
