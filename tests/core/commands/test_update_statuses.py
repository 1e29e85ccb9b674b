import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_commitment
from tracker.core import format as fmt


@pytest.mark.django_db
def test_dry_run_lists_what_would_change_and_writes_nothing(capsys):
    commitment = make_commitment(target_date_text="2025-12-31", file_path="交通建設/延宕.md")
    call_command("update_statuses", "--dry-run", "--today", "2030-01-01")
    out = capsys.readouterr().out
    assert "would change: 交通建設/延宕.md: 追蹤中 → 已延宕 (目標日期 2025-12-31 已過)" in out
    assert "1 would change on 2030-01-01: 1 → 已延宕" in out
    commitment.refresh_from_db()
    assert commitment.status == fmt.STATUS_TRACKING


@pytest.mark.django_db
def test_it_changes_statuses_and_a_rerun_changes_nothing(capsys):
    make_commitment(target_date_text=None, created_date=dt.date(2026, 1, 1))
    call_command("update_statuses", "--today", "2026-08-01")
    assert "1 changed on 2026-08-01: 0 → 已延宕 (target date passed), 1 → 無更新" in (
        capsys.readouterr().out
    )
    call_command("update_statuses", "--today", "2026-08-01")
    assert "0 changed" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_lists_target_dates_it_cannot_read(capsys):
    make_commitment(target_date_text="YYYY-05-31", file_path="其他/佔位.md")
    call_command("update_statuses", "--dry-run", "--today", "2026-02-01")
    assert "not understood: 其他/佔位.md: target_date 'YYYY-05-31'" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--today", "2026-13-01"], "--today: '2026-13-01' is not a date written as YYYY-MM-DD"),
        (["--today", "2999-01-01"], "would be dated in the future"),
    ],
)
def test_bad_today_gets_a_clear_message(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("update_statuses", *arguments)
