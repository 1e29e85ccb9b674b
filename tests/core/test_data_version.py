"""The data version's tag: what cache keys, ETags and download names are made of."""

import pytest

from tracker.core import data_version


@pytest.fixture
def checkout(tmp_path, settings):
    """A small tree standing in for the code, with its static manifest."""
    (tmp_path / "tracker").mkdir()
    (tmp_path / "tracker" / "page.html").write_text("<p>one</p>")
    (tmp_path / "static").mkdir()
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    data_version.release.cache_clear()
    yield tmp_path
    data_version.release.cache_clear()


def fresh_release():
    data_version.release.cache_clear()
    return data_version.release()


def test_the_release_changes_with_a_template(checkout):
    before = fresh_release()
    (checkout / "tracker" / "page.html").write_text("<p>two</p>")
    assert fresh_release() != before


def test_the_release_changes_with_the_static_manifest(checkout):
    (checkout / "static" / "staticfiles.json").write_text('{"paths": {"a.css": "a.1.css"}}')
    before = fresh_release()
    (checkout / "static" / "staticfiles.json").write_text('{"paths": {"a.css": "a.2.css"}}')
    assert fresh_release() != before


def test_the_release_ignores_compiled_python(checkout):
    before = fresh_release()
    (checkout / "tracker" / "__pycache__").mkdir()
    (checkout / "tracker" / "__pycache__" / "page.cpython-311.pyc").write_bytes(b"\0")
    assert fresh_release() == before


def test_a_named_release_is_used_as_is(checkout, monkeypatch):
    monkeypatch.setenv("TRACKER_RELEASE", "2026.12.01-abc")
    assert fresh_release() == "2026.12.01-abc"


@pytest.mark.django_db
def test_the_tag_holds_the_number_its_time_and_the_release(monkeypatch):
    monkeypatch.setenv("TRACKER_RELEASE", "r1")
    data_version.release.cache_clear()
    data_version.data_version_bump()
    version = data_version.data_version_for()
    expected = f"{version.version}.{int(version.changed_at.timestamp() * 1000)}.r1"
    assert data_version.version_tag() == expected
    data_version.release.cache_clear()
