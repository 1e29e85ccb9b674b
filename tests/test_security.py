"""Security headers, production settings, and protection against password guessing."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import ROOT

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-for-the-check",
    "DJANGO_ALLOWED_HOSTS": "commitments.example.org",
    "PATH": os.environ["PATH"],
    # Never the deployment's own configuration file, should the suite run on a server.
    "TRACKER_ENV_FILE": "",
}


def run_manage(*arguments, environment):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    environment = PRODUCTION | {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", environment=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    environment = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run_manage("check", environment=environment | {"SQLITE_PATH": str(tmp_path / "d")})
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def bare_environment(tmp_path, **extra):
    """An environment that sets nothing of the site's: what a forgotten .env looks like."""
    return {
        "PATH": os.environ["PATH"],
        "TRACKER_ENV_FILE": "",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        **extra,
    }


def test_without_any_setting_manage_py_refuses_in_one_line(tmp_path):
    result = run_manage("check", environment=bare_environment(tmp_path))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DJANGO_SECRET_KEY must be set" in lines[0]
    assert not (tmp_path / "db.sqlite3").exists()


def read_setting(tmp_path, expression, **extra):
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        environment=bare_environment(tmp_path, **extra),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("debug", [None, "", "false", "0", "no", "off"])
def test_debug_is_off_unless_asked_for(tmp_path, debug):
    extra = {
        "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "a.example",
    }
    if debug is not None:
        extra["DJANGO_DEBUG"] = debug
    assert read_setting(tmp_path, "settings.DEBUG, settings.SESSION_COOKIE_SECURE", **extra) == (
        "False True"
    )


def test_debug_when_asked_for_uses_the_development_key(tmp_path):
    assert read_setting(tmp_path, "settings.DEBUG", DJANGO_DEBUG="true") == "True"


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("dev-insecure-commitment-tracker-key-do-not-use-in-production", "tracker.E001"),
        ("short-but-random-Q7x", "tracker.E002"),
        ("a" * 80, "tracker.E002"),
    ],
)
def test_the_development_key_or_a_weak_key_fails_the_check_without_debug(tmp_path, key, code):
    environment = PRODUCTION | {"SQLITE_PATH": str(tmp_path / "d"), "DJANGO_SECRET_KEY": key}
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert code in result.stderr


def test_a_weak_key_is_fine_for_development(tmp_path):
    environment = bare_environment(tmp_path, DJANGO_DEBUG="true", DJANGO_SECRET_KEY="short")
    result = run_manage("check", environment=environment)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("debug", ["true", "false"])
def test_forwarded_for_is_not_trusted_by_default(tmp_path, debug):
    extra = {
        "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "a.example",
    }
    value = read_setting(
        tmp_path,
        "settings.PROXY_COUNT, settings.AXES_IPWARE_META_PRECEDENCE_ORDER, "
        "hasattr(settings, 'SECURE_PROXY_SSL_HEADER') and settings.SECURE_PROXY_SSL_HEADER",
        DJANGO_DEBUG=debug,
        **extra,
    )
    assert value == "0 ['REMOTE_ADDR'] None"


@pytest.mark.lockout
def test_rotating_forwarded_for_does_not_dodge_the_lockout_by_default(client, editor, settings):
    for number in range(settings.AXES_FAILURE_LIMIT + 7):
        behind_proxy(client, "wrong", f"198.51.100.{number}")
    assert behind_proxy(client, "correct horse battery", "198.51.100.250").status_code == 429


def test_a_bad_setting_value_is_named(tmp_path):
    environment = PRODUCTION | {"DJANGO_HSTS_SECONDS": "a year", "SQLITE_PATH": str(tmp_path / "d")}
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert "DJANGO_HSTS_SECONDS must be a whole number, got 'a year'" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "editor", password="correct horse battery", is_staff=True
    )


def attempt(client, password, address):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.lockout
def test_password_guessing_locks_out_that_client_only(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong", "203.0.113.7").status_code == 200
    assert attempt(client, "wrong", "203.0.113.7").status_code == 429
    locked = attempt(client, "correct horse battery", "203.0.113.7")
    assert locked.status_code == 429
    assert "登入失敗太多次" in locked.content.decode()

    elsewhere = attempt(client, "correct horse battery", "198.51.100.2")
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == "/admin/"


def behind_proxy(client, password, forwarded_for):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def one_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


@pytest.mark.lockout
def test_behind_the_proxy_one_client_cannot_lock_out_another(client, editor, settings, one_proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        behind_proxy(client, "wrong", "203.0.113.7")
    assert behind_proxy(client, "correct horse battery", "203.0.113.7").status_code == 429
    assert behind_proxy(client, "correct horse battery", "198.51.100.2").status_code == 302


@pytest.mark.lockout
def test_spoofed_forwarded_chains_cannot_dodge_the_lockout(client, editor, settings, one_proxy):
    for number in range(settings.AXES_FAILURE_LIMIT):
        behind_proxy(client, "wrong", f"10.9.8.{number}, 203.0.113.7")
    spoofed = behind_proxy(client, "correct horse battery", "10.9.8.200, 203.0.113.7")
    assert spoofed.status_code == 429
    assert behind_proxy(client, "correct horse battery", "198.51.100.2").status_code == 302


@pytest.mark.lockout
def test_a_failed_login_is_logged_with_username_and_client_address(
    client, editor, one_proxy, caplog
):
    with caplog.at_level("WARNING", logger="axes"):
        behind_proxy(client, "wrong", "203.0.113.9")
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("axes")]
    assert any('username: "editor"' in line and "203.0.113.9" in line for line in lines), lines
    assert not any("wrong" in line for line in lines)
