"""Editors saving in the admin while readers browse, on SQLite under gunicorn: any failures?

    python bench/sqlite_contention.py [--workers 4] [--editors 2] [--duration 30]

The database is whatever the environment names (SQLITE_PATH), already migrated and imported.
Each editor logs in to /admin/ over HTTP as a browser would, then in a loop opens a random
commitment's change page and posts the form back with a progress update (one 進度更新 entry
and last_updated, in one transaction). Meanwhile wrk reads the list, a search and detail pages.
Prints the saves, their failures, the readers' requests and failures, and every "database is
locked" line in gunicorn's error log. Needs Debian's wrk. Writes to the database: run it on a
copy.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import PRODUCTION, ROOT, free_port, quote, start_gunicorn, wait_until_serving

READER_PATHS = ["/commitments/", "/commitments/?q=疫苗", "/", "/recent/"]


class FormReader(HTMLParser):
    """Collect the fields of one <form> as a browser would submit them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else self._first_option
            self.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML parser drops the newline a textarea starts with, as browsers do.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


class Browser:
    """One editor's session: cookies kept by hand (production marks them Secure)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | list | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, quote(path), body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), text

    def form(self, path: str, form_id: str) -> tuple[int, list[tuple[str, str]]]:
        status, _, text = self.request("GET", path)
        reader = FormReader(form_id)
        reader.feed(text)
        return status, reader.fields


def editor_loop(port, username, password, paths, stop, results, lock):
    browser = Browser(port)
    status, fields = browser.form("/admin/login/", "login-form")
    fields = dict(fields) | {"username": username, "password": password}
    status, _, _ = browser.request("POST", "/admin/login/?next=/admin/", fields)
    if status != 302:
        with lock:
            results["failures"].append(f"{username}: login answered {status}")
        return
    rng = random.Random(username)
    while not stop.is_set():
        path = rng.choice(paths)
        started = time.perf_counter()
        status, fields = browser.form(path, "commitment_form")
        if status != 200 or not fields:
            with lock:
                results["failures"].append(f"{username}: GET {path} answered {status}")
            continue
        data = [(k, v) for k, v in fields if not k.startswith("progress_")]
        data += [
            ("progress_date", time.strftime("%Y-%m-%d")),
            ("progress_source_type", "立法院答復"),
            ("progress_document_number", f"負載測試-{secrets.token_hex(4)}"),
            ("progress_summary", f"{username} 的負載測試進度更新"),
            ("progress_judgement", "進度更新"),
            ("_continue", "儲存並繼續編輯"),
        ]
        status, _, text = browser.request("POST", path, data)
        elapsed = time.perf_counter() - started
        with lock:
            if status == 302:
                results["saves"] += 1
                results["save_seconds"].append(elapsed)
            else:
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
                detail = re.sub(r"<[^>]+>", " ", " ".join(errors))[:200]
                results["failures"].append(f"{username}: POST {path} answered {status} {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    arguments = parser.parse_args()
    os.environ.update(PRODUCTION)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db.models import Count

    from tracker.core.models import Commitment
    from tracker.core.services.roles import EDITOR, roles_setup

    roles_setup()
    password = secrets.token_urlsafe(16)
    editors = []
    for number in range(arguments.editors):
        user, _ = User.objects.update_or_create(
            username=f"bench-editor-{number + 1}", defaults={"is_staff": True}
        )
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=EDITOR))
        editors.append(user.username)
    rows = list(
        Commitment.objects.published()
        .annotate(entries=Count("log_entries"))
        .order_by("-entries", "pk")
        .values_list("pk", "uid")[:200]
    )
    change_paths = [f"/admin/tracker/commitment/{pk}/change/" for pk, _ in rows]
    detail = f"/commitments/{rows[0][1]}/"
    from django.db import connections

    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    error_log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    server = start_gunicorn(
        port, arguments.workers, "--error-logfile", str(error_log), "--timeout", "120"
    )
    try:
        wait_until_serving(base, server)
        stop = threading.Event()
        lock = threading.Lock()
        results = {"saves": 0, "save_seconds": [], "failures": []}
        threads = [
            threading.Thread(
                target=editor_loop,
                args=(port, name, password, change_paths, stop, results, lock),
            )
            for name in editors
        ]
        readers = []
        for path in [*READER_PATHS, detail]:
            readers.append(
                subprocess.Popen(
                    [
                        "wrk",
                        "-t1",
                        f"-c{max(1, arguments.connections // 4)}",
                        f"-d{arguments.duration}s",
                        base + quote(path),
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for thread in threads:
            thread.start()
        outputs = [reader.communicate()[0] for reader in readers]
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    reads = sum(int(re.search(r"(\d+) requests in", out).group(1)) for out in outputs)
    bad_reads = sum(
        int(m.group(1))
        for out in outputs
        for m in re.finditer(r"Non-2xx or 3xx responses: (\d+)", out)
    )
    socket_errors = [
        m.group(1) for out in outputs for m in re.finditer(r"Socket errors: (.*)", out)
    ]
    log = error_log.read_text(errors="replace")
    locked = [line for line in log.splitlines() if "database is locked" in line]
    tracebacks = log.count("Traceback")
    seconds = sorted(results["save_seconds"])
    median = seconds[len(seconds) // 2] * 1000 if seconds else float("nan")
    print(
        f"gunicorn {arguments.workers} sync workers on SQLite; {arguments.editors} editors; "
        f"wrk readers on {len(readers)} paths, {arguments.duration}s"
    )
    print(f"editor saves (GET form + POST):  {results['saves']}  median {median:.0f} ms")
    print(f"editor failures:                 {len(results['failures'])}")
    for failure in results["failures"][:10]:
        print("   ", failure)
    print(f"reader requests:                 {reads}")
    print(f"reader non-2xx/3xx:              {bad_reads}")
    print(f"reader socket errors:            {'; '.join(socket_errors) or 'none'}")
    print(f"'database is locked' in log:     {len(locked)}")
    print(f"tracebacks in log:               {tracebacks}")
    error_log.unlink()
    failed = results["failures"] or bad_reads or locked or tracebacks or not results["saves"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
