"""The sync's records as editors read them: a run's log, a queued conflict's field."""

import pytest
from django.utils import translation

from tests.factories import make_commitment
from tracker.core.models import ConflictKind, SyncConflict, SyncRun

pytestmark = pytest.mark.django_db


def conflict(field_name: str) -> SyncConflict:
    return SyncConflict(
        commitment=make_commitment(), kind=ConflictKind.FIELD, field_name=field_name
    )


def test_a_field_is_named_by_its_label_in_the_editors_language():
    with translation.override("zh-hant"):
        assert conflict("target_date_text").field_label == "目標日期（原文）"
    with translation.override("en"):
        assert conflict("target_date_text").field_label == "Target date (as written)"


def test_a_field_the_model_no_longer_has_is_named_as_stored():
    assert conflict("no_such_field").field_label == "no_such_field"


def test_a_runs_log_is_not_called_a_timeline_entry():
    label = SyncRun._meta.get_field("log").verbose_name
    with translation.override("en"):
        assert (str(label), translation.gettext("追蹤紀錄")) == ("Run log", "Timeline entry")
