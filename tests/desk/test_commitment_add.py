"""Creating a commitment in the admin: a draft with an id, a path and its 初始建立 entry."""

import pytest
from django.urls import reverse

from tests.factories import make_commitment, make_source
from tracker.core import format as fmt
from tracker.core.models import Commitment, EntryKind
from tracker.core.services.commitment_export import commitment_render, commitments_for_export
from tracker.core.services.timeline import today

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/tracker/commitment/add/"


def add_data(source_object, **values):
    return {
        "title": "擴大長照據點",
        "category": "社會福利",
        "responsible_agency": "衛生福利部",
        "target_date_text": "114-12-31",
        "target_value": "",
        "source": str(source_object.pk),
        "wording": "本部將於明年底前擴大長照據點。",
        "shows_reply": "on",
        "file_path": "",
    } | values


def test_new_commitment_is_a_renderable_draft_with_its_created_entry(editor_client, editor):
    source = make_source(term="11", session_period="02")

    response = editor_client.post(ADD_URL, add_data(source))

    assert response.status_code == 302
    commitment = Commitment.objects.get(title="擴大長照據點")
    assert len(commitment.uid) == 36
    assert commitment.file_path == "社會福利/擴大長照據點.md"
    assert commitment.is_published is False
    assert (commitment.created_date, commitment.last_updated) == (today(), today())
    (entry,) = commitment.log_entries.all()
    assert (entry.kind, entry.text) == (EntryKind.CREATED, "從第11屆第02會期答復文件中萃取此承諾。")
    text = commitment_render(commitment=Commitment.objects.with_timeline().get(pk=commitment.pk))
    assert fmt.render(fmt.parse(text)) == text
    assert 'target_date: "114-12-31"' in text
    assert commitment not in commitments_for_export()
    assert commitment.history.first().history_user == editor


def test_default_path_gets_a_number_when_taken(editor_client):
    source = make_source()
    make_commitment(file_path="社會福利/擴大長照據點.md")

    editor_client.post(ADD_URL, add_data(source))

    assert Commitment.objects.filter(file_path="社會福利/擴大長照據點-2.md").exists()


def test_editor_can_choose_the_path(editor_client):
    editor_client.post(ADD_URL, add_data(make_source(), file_path="長照/據點.md"))

    assert Commitment.objects.get(title="擴大長照據點").file_path == "長照/據點.md"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"file_path": "/etc/passwd.md"}, "file_path", "相對路徑"),
        ({"file_path": "長照/據點.txt"}, "file_path", ".md"),
        ({"wording": "## 章節"}, "wording", "不可以「## 」開頭"),
        ({"title": ""}, "title", "必須"),
        ({"source": ""}, "source", "必須"),
    ],
)
def test_bad_new_commitment_is_refused_with_a_message(editor_client, values, field, message):
    response = editor_client.post(ADD_URL, add_data(make_source(), **values))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Commitment.objects.exists()


def test_draft_is_published_by_a_chief_editor_only(editor_client, chief_client):
    editor_client.post(ADD_URL, add_data(make_source()))
    commitment = Commitment.objects.get()
    changelist = reverse("admin:tracker_commitment_changelist")
    action = {"action": "publish_action", "_selected_action": [commitment.pk]}

    editor_client.post(changelist, action)
    commitment.refresh_from_db()
    assert commitment.is_published is False

    chief_client.post(changelist, action)
    commitment.refresh_from_db()
    assert commitment.is_published is True
