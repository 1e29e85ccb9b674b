import datetime as dt
import io

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import CommandError, call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def attempt(age, address):
    record = AccessAttempt.objects.create(
        username="editor", ip_address=address, user_agent="x", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=timezone.now() - age)
    return record


def login_log(age):
    record = AccessLog.objects.create(username="editor", ip_address="203.0.113.9", user_agent="x")
    AccessLog.objects.filter(pk=record.pk).update(attempt_time=timezone.now() - age)
    return record


def test_it_deletes_expired_attempts_and_old_logs_only(settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    _expired, current = (
        attempt(dt.timedelta(hours=1), "203.0.113.1"),
        attempt(dt.timedelta(minutes=1), "203.0.113.2"),
    )
    _old, recent = login_log(dt.timedelta(days=31)), login_log(dt.timedelta(days=29))
    out = io.StringIO()
    call_command("expire_login_records", "--days", "30", stdout=out)
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [current.pk]
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "deleted 1 expired failed-login attempts, 1 login logs" in out.getvalue()


def test_it_refuses_a_retention_below_a_day():
    with pytest.raises(CommandError, match="--days must be at least 1, got 0"):
        call_command("expire_login_records", "--days", "0")
