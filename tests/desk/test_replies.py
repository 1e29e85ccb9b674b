import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment, make_source
from tracker.core.models import Source

QUEUE = "admin:tracker_replytoreview_changelist"


@pytest.fixture
def reply(db):
    make_commitment(
        title="偏鄉幸福巴士",
        wording="114年底前新增30條偏鄉需求反應式公車路線。",
        file_path="交通/巴士.md",
    )
    return make_source(
        subject="行政院函送委員就偏鄉公車所提質詢之書面答復<script>alert(1)</script>",
        reply_text="經交據交通部查復如下：一、偏鄉幸福巴士需求反應式路線已新增22條。",
        imported_from_replies=timezone.now(),
    )


def suggestions_url(source):
    return reverse("admin:tracker_replytoreview_suggestions", args=[source.pk])


def test_queue_lists_only_new_uncited_replies(admin_client, reply):
    cited = make_commitment().source
    cited.imported_from_replies = timezone.now()
    cited.save()
    response = admin_client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [Source.objects.get(pk=reply.pk)]


def test_mark_reviewed_takes_a_reply_off_the_queue(admin_client, reply):
    response = admin_client.post(
        reverse(QUEUE), {"action": "mark_reviewed", "_selected_action": [reply.pk]}, follow=True
    )
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.reviewed_at is not None
    assert list(response.context["cl"].result_list) == []


def test_suggestions_page_marks_the_matching_passage_and_escapes_text(admin_client, reply):
    response = admin_client.get(suggestions_url(reply))
    content = response.content.decode()
    assert response.status_code == 200
    assert "一、<mark>偏鄉幸福巴士需求反應式路線</mark>已<mark>新增</mark>22條。" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content
    assert 'name="summary"' in content


def test_suggestions_page_lists_the_matching_terms_without_boilerplate(admin_client, reply):
    response = admin_client.get(suggestions_url(reply))
    item = response.context["rows"][0]["item"]
    assert item.terms[0] == "偏鄉幸福巴士需求反應式路線"
    assert not any("委員" in term or "答復" in term for term in item.terms)
    assert '<span class="suggestion-term">偏鄉幸福巴士需求反應式路線</span>' in (
        response.content.decode()
    )


def test_logging_from_a_suggestion_adds_the_entry_and_clears_the_queue(admin_client, reply):
    commitment = reply_commitment()
    response = admin_client.post(
        suggestions_url(reply),
        {
            "commitment": commitment.pk,
            "source": reply.pk,
            "judgement": "進度更新",
            "summary": "已新增22條路線。",
            "entry_date": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    entry = commitment.log_entries.order_by("-position").first()
    assert (entry.kind, entry.summary, entry.document_number) == (
        "進度更新",
        "已新增22條路線。",
        reply.ey_number,
    )
    assert list(admin_client.get(reverse(QUEUE)).context["cl"].result_list) == []


def test_bad_log_input_gets_a_message_naming_the_field(admin_client, reply):
    commitment = reply_commitment()
    response = admin_client.post(
        suggestions_url(reply),
        {
            "commitment": commitment.pk,
            "source": reply.pk,
            "judgement": "亂填",
            "summary": "",
            "entry_date": "2999-01-01",
        },
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("判斷：") for message in messages)
    assert any(message.startswith("內容摘要：") for message in messages)
    assert any(message.startswith("日期：") for message in messages)
    assert commitment.log_entries.count() == 1


def test_viewer_without_change_permission_cannot_log(client, reply):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_replytoreview"))
    client.force_login(viewer)
    assert client.get(suggestions_url(reply)).status_code == 200
    response = client.post(suggestions_url(reply), {"commitment": 1, "source": reply.pk})
    assert response.status_code == 403


def test_commitment_page_suggests_replies(admin_client, reply):
    commitment = reply_commitment()
    url = reverse("admin:tracker_replytoreview_commitment_suggestions", args=[commitment.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["rows"][0]["item"].source == reply


def reply_commitment():
    from tracker.core.models import Commitment

    return Commitment.objects.get(file_path="交通/巴士.md")
