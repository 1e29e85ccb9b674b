"""axe-core results for every main public page, at phone and desktop width.

Runs against a running site (default http://127.0.0.1:8000, e.g. `scripts/run-site.sh` after
importing the real corpus; its database is read from SQLITE_PATH) in Debian's Chromium and
prints, per page and width, the number of violations by impact and the rules involved.

    .venv/bin/python bench/axe_pages.py [BASE_URL]
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"
DATABASE = Path(
    os.environ.get("SQLITE_PATH", Path(__file__).resolve().parent.parent / "db.sqlite3")
)


def sample_ids() -> tuple[str, str]:
    """Return the commitment with the longest timeline and its reply, from the local DB."""
    with sqlite3.connect(DATABASE) as db:
        uid, document_id = db.execute(
            "SELECT c.uid, s.document_id FROM tracker_commitment c "
            "JOIN tracker_source s ON s.id = c.source_id "
            "JOIN tracker_trackinglog l ON l.commitment_id = c.id "
            "WHERE c.is_published GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return uid, document_id


def main() -> None:
    uid, document_id = sample_ids()
    pages = {
        "overview": "/",
        "list": "/commitments/",
        "list 已延宕+衛生福利部": "/commitments/?status="
        + quote("已延宕")
        + "&agency="
        + quote("衛生福利部"),
        "search 疫苗": "/commitments/?q=" + quote("疫苗"),
        "detail (longest timeline)": f"/commitments/{uid}/",
        "source": f"/sources/{document_id}/",
        "recent": "/recent/",
        "methodology": "/methodology/",
        "downloads": "/downloads/",
        "corrections": "/corrections/",
        "correction form": f"/commitments/{uid}/correction/",
        "overview (English)": "/en/",
    }
    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        print(f"{'page':28} {'width':>5}  violations by impact (rules)")
        for name, path in pages.items():
            for width in (375, 1280):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(BASE + path)
                violations = Axe.run(axe, page).response["violations"]
                impacts = Counter(violation["impact"] for violation in violations)
                rules = ", ".join(sorted({violation["id"] for violation in violations}))
                summary = ", ".join(f"{impact} {n}" for impact, n in impacts.items()) or "none"
                print(f"{name:28} {width:>5}  {summary}{f' ({rules})' if rules else ''}")
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
