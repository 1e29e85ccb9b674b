"""The deployment's configuration file, and what production refuses to run without."""

import subprocess
import sys

import pytest

from tests.test_security import PRODUCTION, ROOT, run_manage

KEY = "k" * 40 + '#not a comment $HOME "quoted" \\ end'


def env_file(tmp_path, text, mode=0o640):
    path = tmp_path / "tracker.env"
    path.write_text(text)
    path.chmod(mode)
    return path


def setting(environment, expression):
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr({expression}))",
        environment=environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_manage_py_reads_the_file_with_its_quoting(tmp_path):
    path = env_file(
        tmp_path,
        f"DJANGO_SECRET_KEY='{KEY}'\n"
        "DJANGO_ALLOWED_HOSTS=a.example,b.example  # two hosts\n"
        f'SQLITE_PATH="{tmp_path}/db.sqlite3"\n'
        "DJANGO_SECRET_KEY_FALLBACKS=old-key-1,old-key-2\n",
    )
    environment = {"PATH": PRODUCTION["PATH"], "TRACKER_ENV_FILE": str(path)}
    assert setting(
        environment, "(settings.SECRET_KEY, settings.ALLOWED_HOSTS, settings.SECRET_KEY_FALLBACKS)"
    ) == repr((KEY, ["a.example", "b.example"], ["old-key-1", "old-key-2"]))
    assert setting(environment, "settings.DATABASES['default']['NAME']") == repr(
        f"{tmp_path}/db.sqlite3"
    )


def test_the_environment_wins_over_the_file(tmp_path):
    path = env_file(tmp_path, f"DJANGO_SECRET_KEY={KEY}\nDJANGO_ALLOWED_HOSTS=file.example\n")
    environment = PRODUCTION | {
        "TRACKER_ENV_FILE": str(path),
        "SQLITE_PATH": str(tmp_path / "db"),
        "DJANGO_ALLOWED_HOSTS": "shell.example",
    }
    assert setting(environment, "settings.ALLOWED_HOSTS") == repr(["shell.example"])


@pytest.mark.parametrize("mode", [0o644, 0o660, 0o604])
def test_a_file_others_can_read_or_the_service_can_rewrite_is_refused(tmp_path, mode):
    path = env_file(tmp_path, f"DJANGO_SECRET_KEY={KEY}\n", mode)
    result = run_manage("check", environment=PRODUCTION | {"TRACKER_ENV_FILE": str(path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"manage.py: configuration error: {path} has mode {mode:04o}: other users can read it "
        f"or its group can write it (chown root:tracker {path} && chmod 640 {path})"
    ]


def test_a_line_that_cannot_be_read_is_named_not_skipped(tmp_path):
    path = env_file(tmp_path, f"DJANGO_ALLOWED_HOSTS=a.example\nDJANGO_SECRET_KEY='{KEY}\n")
    result = run_manage("check", environment=PRODUCTION | {"TRACKER_ENV_FILE": str(path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"manage.py: configuration error: {path}, line 2: not NAME=value (an unclosed quote?)"
    ]
    assert KEY not in result.stderr


def test_a_named_file_that_is_missing_is_refused(tmp_path):
    result = run_manage(
        "check", environment=PRODUCTION | {"TRACKER_ENV_FILE": str(tmp_path / "nope.env")}
    )
    assert result.returncode == 2
    assert "TRACKER_ENV_FILE names" in result.stderr
    assert "nope.env, which does not exist" in result.stderr


def test_production_without_a_database_setting_refuses_instead_of_making_sqlite(tmp_path):
    result = run_manage("migrate", environment=PRODUCTION)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL must be set when DJANGO_DEBUG is not true" in lines[0]


def test_development_still_defaults_to_sqlite(tmp_path):
    environment = {"PATH": PRODUCTION["PATH"], "TRACKER_ENV_FILE": "", "DJANGO_DEBUG": "true"}
    assert setting(environment, "settings.DATABASES['default']['ENGINE']") == repr(
        "django.db.backends.sqlite3"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("fallbacks", "logged_in"), [(True, True), (False, False)])
def test_rotating_the_key_keeps_editors_logged_in_only_with_the_old_key_as_fallback(
    client, settings, django_user_model, fallbacks, logged_in
):
    editor = django_user_model.objects.create_superuser("chief", password="a-long-password-1")
    client.force_login(editor)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + "r" * 60
    settings.SECRET_KEY_FALLBACKS = [old_key] if fallbacks else []
    response = client.get("/admin/")
    assert (response.status_code == 200) is logged_in


@pytest.mark.parametrize(("fallbacks", "valid"), [(True, True), (False, False)])
def test_an_open_correction_form_survives_a_rotation_only_with_the_fallback(
    settings, fallbacks, valid
):
    from django.core import signing

    from tracker.public.views.corrections import TOKEN_SALT, form_token

    token = form_token("x" * 36)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + "r" * 60
    settings.SECRET_KEY_FALLBACKS = [old_key] if fallbacks else []
    try:
        signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        accepted = False
    else:
        accepted = True
    assert accepted is valid


def test_a_cache_url_shares_every_cache_through_redis(tmp_path):
    environment = {
        "PATH": PRODUCTION["PATH"],
        "TRACKER_ENV_FILE": "",
        "DJANGO_DEBUG": "true",
        "DJANGO_CACHE_URL": "redis://:secret@127.0.0.1:6390/2",
    }
    assert setting(
        environment,
        "sorted({c['BACKEND'].rsplit('.', 1)[1] + ' ' + c['LOCATION'] "
        "for c in settings.CACHES.values()})",
    ) == repr(["RedisCache redis://:secret@127.0.0.1:6390/2"])


def test_a_cache_url_that_is_not_redis_is_named_without_its_password(tmp_path):
    environment = PRODUCTION | {
        "SQLITE_PATH": str(tmp_path / "db"),
        "DJANGO_CACHE_URL": "memcached://user:hunter2@10.0.0.1",
    }
    result = run_manage("check", environment=environment)
    assert result.returncode == 2
    assert "DJANGO_CACHE_URL must start with redis://" in result.stderr
    assert "hunter2" not in result.stderr


def test_check_deploy_warns_when_the_file_is_not_root_s(tmp_path):
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root to give the file to another user")
    path = env_file(tmp_path, f"DJANGO_SECRET_KEY={KEY}\n")
    environment = PRODUCTION | {"TRACKER_ENV_FILE": str(path), "SQLITE_PATH": str(tmp_path / "d")}
    clean = run_manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert clean.returncode == 0, clean.stderr
    os.chown(path, 65534, 65534)  # nobody: as if the service's user owned it
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert result.returncode != 0
    assert "tracker.W001" in result.stderr


def test_question_deadlines_change_per_channel_and_a_bad_one_is_named(tmp_path):
    environment = {
        "PATH": PRODUCTION["PATH"],
        "TRACKER_ENV_FILE": "",
        "DJANGO_DEBUG": "true",
        "SQLITE_PATH": str(tmp_path / "db"),
        "TRACKER_QUESTION_DEADLINE_DAYS": "email=10, press=3",
    }
    days = setting(environment, "settings.TRACKER_QUESTION_DEADLINE_DAYS")
    assert days == repr({"letter": 30, "foi": 15, "email": 10, "press": 3, "other": 14})
    result = run_manage(
        "check", environment=environment | {"TRACKER_QUESTION_DEADLINE_DAYS": "fax=3"}
    )
    assert result.returncode != 0
    assert "TRACKER_QUESTION_DEADLINE_DAYS must be channel=days pairs" in result.stderr
    assert "'fax=3'" in result.stderr


def test_a_worker_freezes_django_its_apps_and_the_urlconf_out_of_full_collections(tmp_path):
    # config.wsgi, as each gunicorn worker imports it: what is loaded once (the URLconf and
    # every view with it) is frozen, so the collector's full passes no longer walk it.
    script = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), 'tracker.public.urls' in sys.modules, "
        "'tracker.desk.admin' in sys.modules, len(gc.get_objects()))"
    )
    environment = PRODUCTION | {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    frozen, urls, admin, tracked = result.stdout.split()
    assert urls == admin == "True"
    assert int(frozen) > 20_000
    assert int(tracked) < int(frozen) / 10  # little is left for a full pass to walk
