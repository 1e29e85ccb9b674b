"""The open-data settings: feed id authority and data licence, refused loudly when wrong."""

import pytest

from tests.test_security import PRODUCTION, bare_environment, read_setting, run_manage


def production(tmp_path, **extra):
    return bare_environment(tmp_path, **{**PRODUCTION, **extra})


def test_the_defaults_are_a_tag_authority_and_cc_by(tmp_path):
    value = read_setting(
        tmp_path,
        "settings.TRACKER_TAG_AUTHORITY, settings.TRACKER_DATA_LICENSE",
        DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"],
        DJANGO_ALLOWED_HOSTS="a.example",
    )
    assert value == "commitment-tracker.example.org,2026 CC-BY-4.0"


def test_a_known_licence_brings_its_title_and_address(tmp_path):
    value = read_setting(
        tmp_path,
        "settings.TRACKER_DATA_LICENSE_URL",
        DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"],
        DJANGO_ALLOWED_HOSTS="a.example",
        DJANGO_DATA_LICENSE="CC0-1.0",
    )
    assert value == "https://creativecommons.org/publicdomain/zero/1.0/"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_FEED_TAG_AUTHORITY", "https://example.org/", "DJANGO_FEED_TAG_AUTHORITY must"),
        ("DJANGO_FEED_TAG_AUTHORITY", "example.org", "DJANGO_FEED_TAG_AUTHORITY must"),
        ("DJANGO_DATA_LICENSE", "MY-OWN", "DJANGO_DATA_LICENSE_URL"),
    ],
)
def test_a_bad_value_stops_the_server_in_one_line(tmp_path, variable, value, message):
    result = run_manage("check", environment=production(tmp_path, **{variable: value}))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in result.stderr
