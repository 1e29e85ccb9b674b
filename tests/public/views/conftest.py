import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_citation, make_commitment
from tests.samples import sample  # noqa: F401
from tracker.core.models import EntryKind, Status

# The label each kind of judgement carries (tracker.core.entries.JUDGEMENT_LABELS).
LABELS = {
    "unreviewed": "自動判斷，未經編輯審核",
    "reviewed": "自動判斷，經編輯審核",
    "editor": "編輯判斷",
}


@pytest.fixture(params=list(LABELS))
def judged_timeline(request, db, django_user_model):
    """A commitment whose timeline's summaries were judged by software (reviewed or not)
    or by an editor: a progress update, the change to 已達成, further evidence. Returns
    (commitment, the label every summary must carry)."""
    editor = django_user_model.objects.create_user("labels-editor", password="x")
    who = {"created_by": editor} if request.param == "editor" else {}
    if request.param == "reviewed":
        who = {"reviewed_by": editor, "reviewed_at": timezone.now()}
    commitment = make_commitment(
        title="標示測試", status=Status.ACHIEVED, last_updated=dt.date(2026, 3, 3)
    )
    make_citation(commitment, 1, dt.date(2026, 3, 1), summary="疫苗摘要甲", **who)
    make_citation(
        commitment,
        2,
        dt.date(2026, 3, 2),
        EntryKind.STATUS_CHANGE,
        "達成證據",
        summary="疫苗摘要乙",
        **who,
    )
    make_citation(
        commitment,
        3,
        dt.date(2026, 3, 3),
        EntryKind.STATUS_CHANGE,
        "達成證據",
        summary="疫苗摘要丙",
        **who,
    )
    return commitment, LABELS[request.param]
