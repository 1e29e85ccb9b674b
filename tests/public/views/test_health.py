"""/healthz: what load balancers and monitoring ask."""

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import free_ports

pytestmark = pytest.mark.django_db


def test_it_says_ok_in_one_query_and_is_never_cached(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "static": "ok"},
    }
    assert len(queries) == 1
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_a_pending_migration_fails_it_at_once(client):
    assert client.get("/healthz").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'tracker'")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


def test_a_database_never_migrated_is_reachable_but_pending(client, monkeypatch):
    def no_table(*args, **kwargs):
        raise OperationalError("no such table: django_migrations")

    monkeypatch.setattr(connection, "cursor", no_table)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "pending",
        "cache": "ok",
        "static": "ok",
    }


def test_an_unreachable_database_fails_it_without_details(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server at 10.0.0.5 password=hunter2")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"
    assert b"10.0.0.5" not in response.content
    assert b"hunter2" not in response.content


def test_an_unreachable_cache_fails_it(client, monkeypatch):
    from django.core.cache import caches

    def refuse(*args, **kwargs):
        raise ConnectionError("redis at 10.0.0.6 refused")

    monkeypatch.setattr(caches["pages"], "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "unreachable",
        "static": "ok",
    }
    assert b"10.0.0.6" not in response.content


def test_a_missing_static_manifest_fails_it(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["static"] == "missing"
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert client.get("/healthz").status_code == 200


def test_it_answers_plain_http_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_a_redis_cache_that_does_not_answer_fails_it(client, settings):
    (closed,) = free_ports(1)
    settings.CACHES = settings.CACHES | {
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unreachable"
