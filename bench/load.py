"""Serve the site with gunicorn and measure it with wrk: requests/s and p50/p99 latency.

    python bench/load.py [--workers 2] [--duration 10] [--connections 16] [--save-every 5]
                         [PATH ...]

The database is whatever the environment names (SQLITE_PATH or DATABASE_URL), already
migrated and imported. Each PATH is loaded for --duration seconds; "304:PATH" first fetches
PATH, then loads it with If-None-Match set to the ETag it got (a conditional request).
"DETAIL" stands for the commitment with the longest timeline. Needs Debian's wrk.
--save-every logs a progress update that often during the run, through the editors' service
(each save invalidates every cached page); DJANGO_CACHE_URL selects the shared cache.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_PROXY_COUNT": "0",
}
DEFAULT_PATHS = ["/", "/commitments/", "/commitments/?q=疫苗", "DETAIL", "304:/commitments/"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/?=&:%")


def wait_until_serving(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before serving")
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1)  # noqa: S310 - localhost
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def collect_static() -> None:
    """Production settings serve CSS from collectstatic's manifest: build it first."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        check=True,
        cwd=ROOT,
    )


def start_gunicorn(port: int, workers: int, *options: str) -> subprocess.Popen:
    """Start gunicorn on 127.0.0.1:port with the environment's settings (no access log)."""
    collect_static()
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
            "/dev/null",
            *options,
        ],
        cwd=ROOT,
    )


def wrk(url: str, duration: int, connections: int, headers: list[str]) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for label in ("50%", "99%"):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)", output, re.M).groups()
        figures[label] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    figures["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    figures["socket_errors"] = socket_errors.group(1) if socket_errors else "none"
    figures["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return figures


def detail_path() -> str:
    """Return the path of the commitment with the longest timeline."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from tracker.core.models import Commitment

    longest = (
        Commitment.objects.published()
        .annotate(entries=Count("log_entries"))
        .order_by("-entries", "pk")
        .first()
    )
    return f"/commitments/{longest.uid}/"


def save_now_and_then(seconds: float, stop: threading.Event) -> None:
    """Log a progress update every SECONDS until STOP is set, as an editor's save does.

    Each save goes through the editors' service (tracking_log_add): a new timeline entry on
    the next commitment in id order, the commitment's last update, its search document, the
    kept counts and the data version, which every cached page depends on. The entries stay
    in the benchmark database (their document number says they came from this script).
    """
    detail_path()  # sets Django up
    from django.db import connection

    from tracker.core.models import Commitment
    from tracker.core.services.timeline import Evidence, tracking_log_add

    # The first thousand commitments in turn (a long run starts over: a second entry the same day
    # is a save like the first).
    targets = itertools.cycle(list(Commitment.objects.published().order_by("pk")[:1000]))
    saves = 0
    while not stop.wait(seconds):
        commitment = next(targets)
        tracking_log_add(
            commitment=commitment,
            evidence=Evidence(
                document_number=f"bench-load-{saves + 1}",
                document_url="",
                summary="bench/load.py: an editor's progress update during the load run",
                judgement="",
            ),
        )
        saves += 1
    connection.close()
    print(f"({saves} saves through tracking_log_add, one every {seconds:g} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, gthread)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument(
        "--save-every",
        type=float,
        default=0,
        help="log a progress update every SECONDS during the run, as an editor's save does",
    )
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    os.environ.update(PRODUCTION)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(
        port,
        arguments.workers,
        "--worker-class",
        arguments.worker_class,
        "--threads",
        str(arguments.threads),
    )
    saving = threading.Event()
    saver = None
    try:
        wait_until_serving(base, server)
        if arguments.save_every:
            saver = threading.Thread(target=save_now_and_then, args=(arguments.save_every, saving))
            saver.start()
        database = os.environ.get("DATABASE_URL", "sqlite:" + os.environ.get("SQLITE_PATH", ""))
        print(
            f"gunicorn {arguments.workers} {arguments.worker_class} workers "
            f"({arguments.threads} threads), wrk 2 threads {arguments.connections} "
            f"connections {arguments.duration}s each; database {database.split('@')[-1]}"
        )
        print(f"{'path':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for path in arguments.paths:
            if path == "DETAIL":
                path = detail_path()
            headers = []
            if path.startswith("304:"):
                path = path[4:]
                response = urllib.request.urlopen(base + quote(path))  # noqa: S310 - localhost
                etag = response.headers["ETag"]
                if not etag:
                    print(f"{'304:' + path:<44} no ETag sent: skipped")
                    continue
                headers.append(f"If-None-Match: {etag}")
                label = "304:" + path
            else:
                label = path
            figures = wrk(base + quote(path), arguments.duration, arguments.connections, headers)
            errors = figures["non_2xx_3xx"]
            print(
                f"{label:<44} {figures['rps']:>8.1f} {figures['50%']:>8.2f} "
                f"{figures['99%']:>8.2f} {errors:>7}"
                + ("" if figures["socket_errors"] == "none" else f"  {figures['socket_errors']}")
            )
    finally:
        saving.set()
        if saver is not None:
            saver.join()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
