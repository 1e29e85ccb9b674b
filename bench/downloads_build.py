"""The downloads after a change: what a reader waits for, and what the builder takes.

    .venv/bin/python bench/downloads_build.py

Against the database the environment names (SQLITE_PATH or DATABASE_URL), already imported;
it raises the data version once (as any save does). Builds the downloads (package and zip)
for the current data, then raises the version and times the next /downloads/ page and
commitments.zip requests, served at once from that build past
TRACKER_DOWNLOADS_INLINE_LIMIT while one thread builds the current data; then waits for
that build. Prints seconds, each build's size and the process's peak memory.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PRODUCTION, collect_static  # noqa: E402


def main() -> None:
    os.environ.update(PRODUCTION)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("TRACKER_DOWNLOADS_DIR", tempfile.mkdtemp(prefix="downloads-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    collect_static()
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.test import Client

    from tracker.core.data_version import data_version_bump, data_version_for, version_tag
    from tracker.core.models import Commitment
    from tracker.public import download_builds

    published = Commitment.objects.published().count()
    print(
        f"{published:,} published commitments; inline limit "
        f"{settings.TRACKER_DOWNLOADS_INLINE_LIMIT:,}; builds in {settings.TRACKER_DOWNLOADS_DIR}"
    )
    version = data_version_for()
    started = time.perf_counter()
    folder = download_builds.build("http://testserver", version_tag(), version.changed_at)
    size = sum(path.stat().st_size for path in folder.iterdir())
    print(f"build of the current data: {time.perf_counter() - started:.1f} s, {size:,} bytes")

    data_version_bump()
    client = Client()
    for path in ("/downloads/", "/downloads/commitments.zip", "/downloads/commitments.csv"):
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        print(
            f"after a change, {path}: {(time.perf_counter() - started) * 1000:.1f} ms, "
            f"status {response.status_code}, Cache-Control {response['Cache-Control']}"
        )
    started = time.perf_counter()
    download_builds.wait_for_background_builds()
    print(f"the background build finished {time.perf_counter() - started:.1f} s later")
    response = client.get("/downloads/")
    print(f"then /downloads/: Cache-Control {response['Cache-Control']}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
