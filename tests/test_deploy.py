"""The shipped deploy files: systemd units that verify cleanly, jobs that exist, one log zone."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from tests.conftest import ROOT

UNITS = sorted((ROOT / "deploy" / "systemd").glob("tracker*.*"))
INSTALLED_AT = "/srv/tracker"


def unit_lines(path: Path, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", path.read_text(), re.MULTILINE)


def test_there_is_the_site_and_a_timer_per_job():
    names = {path.name for path in UNITS}
    assert "tracker.service" in names
    timers = {name for name in names if name.endswith(".timer")}
    assert timers >= {"tracker-clearsessions.timer", "tracker-expire-logins.timer"}
    for timer in timers:
        assert timer.replace(".timer", ".service") in names, f"{timer} has no service"


def test_every_unit_passes_systemd_analyze_verify_without_a_warning(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd is not installed (scripts/run-tests.sh installs it)")
    assert (ROOT / ".venv" / "bin" / "gunicorn").exists()
    for unit in UNITS:
        # The checkout stands in for /srv/tracker, so that the programs they name exist.
        text = unit.read_text()
        (tmp_path / unit.name).write_text(text.replace(INSTALLED_AT, str(ROOT)))
    result = subprocess.run(
        [analyze, "verify", *sorted(p.name for p in tmp_path.iterdir())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=str)
def test_every_service_runs_as_the_site_confined_to_its_folder(unit):
    for key, value in [
        ("User", "tracker"),
        ("Group", "tracker"),
        ("WorkingDirectory", INSTALLED_AT),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", f"{INSTALLED_AT}/var"),
        ("NoNewPrivileges", "yes"),
    ]:
        assert unit_lines(unit, key) == [value], f"{unit.name}: {key}"
    # Configuration comes from the file the settings read, not from systemd.
    assert not unit_lines(unit, "EnvironmentFile")


@pytest.mark.parametrize("unit", [u for u in UNITS if u.name != "tracker.service"], ids=str)
def test_every_job_runs_a_management_command_that_exists(unit):
    if unit.suffix == ".timer":
        assert unit_lines(unit, "Persistent") == ["true"]
        return
    commands = unit_lines(unit, "ExecStart")
    assert commands
    commands += unit_lines(unit, "ExecStartPost")
    for command in commands:
        program, script, name, *_ = command.split()
        assert (program, script) == (f"{INSTALLED_AT}/.venv/bin/python", "manage.py")
        assert name in get_commands(), f"{unit.name}: no command {name}"


def test_the_site_reloads_gracefully():
    unit = ROOT / "deploy" / "systemd" / "tracker.service"
    assert unit_lines(unit, "ExecReload") == ["/bin/kill -s HUP $MAINPID"]
    assert unit_lines(unit, "ExecStart") == [
        f"{INSTALLED_AT}/.venv/bin/gunicorn --config deploy/gunicorn.conf.py config.wsgi"
    ]


def test_gunicorn_logs_in_the_time_zone_django_logs_in():
    text = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert f'os.environ["TZ"] = "{settings.TIME_ZONE}"' in text
    assert settings.LOGGING["formatters"]["line"]["datefmt"] == "[%Y-%m-%d %H:%M:%S %z]"
