"""correction_submit: the limit per sender holds when submissions arrive together."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.conftest import ROOT
from tests.factories import make_commitment
from tracker.core.models import Correction, CorrectionQuerySet
from tracker.core.services.corrections import RATE_LIMIT, correction_submit

SENDERS = RATE_LIMIT + 3
EXPECTED = ["accepted"] * RATE_LIMIT + ["rate_limited"] * (SENDERS - RATE_LIMIT)


def slow_counts():
    """Widen the gap between counting and inserting, as a busy server would."""
    counted = CorrectionQuerySet.count

    def slow_count(queryset):
        answer = counted(queryset)
        time.sleep(0.2)
        return answer

    CorrectionQuerySet.count = slow_count


def submit(commitment, number) -> str:
    try:
        correction_submit(
            commitment=commitment,
            message=f"更正 {number}",
            evidence="",
            contact="",
            client_key="same-sender",
            form_nonce=f"nonce-{number}",
        )
    except ValidationError as error:
        return error.code
    return "accepted"


# SQLite's in-memory test database cannot take concurrent writers (its shared cache answers
# "table is locked" at once), so on SQLite the senders are processes on a database file.
SQLITE_RACE = """
import json, multiprocessing, django
django.setup()
from django.core.management import call_command
from django.db import connection
from tests.core.services.test_corrections import SENDERS, slow_counts, submit
from tests.factories import make_commitment
call_command("migrate", verbosity=0)
commitment = make_commitment()
connection.close()
slow_counts()
def run(number):
    connection.close()
    return submit(commitment, number)
with multiprocessing.get_context("fork").Pool(SENDERS) as pool:
    print(json.dumps(pool.map(run, range(SENDERS))))
"""


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_for_submissions_sent_at_the_same_moment(monkeypatch, tmp_path):
    if connection.vendor == "sqlite":
        environment = {
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        }
        result = subprocess.run(
            [sys.executable, "-c", SQLITE_RACE],
            env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert sorted(json.loads(result.stdout.splitlines()[-1])) == EXPECTED
        return
    monkeypatch.setattr(CorrectionQuerySet, "count", CorrectionQuerySet.count)
    slow_counts()
    commitment = make_commitment()
    start = threading.Barrier(SENDERS)
    outcomes = []

    def sender(number):
        start.wait()
        try:
            outcomes.append(submit(commitment, number))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, args=(number,)) for number in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == EXPECTED
    assert Correction.objects.filter(client_key="same-sender").count() == RATE_LIMIT
