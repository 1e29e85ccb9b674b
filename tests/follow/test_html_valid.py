"""The follow pages, the embed and the mail's HTML are valid by the Nu Html Checker."""

import pytest
from django.urls import reverse

from tests.factories import make_commitment, make_log
from tests.follow.conftest import text_of
from tests.helpers import html_problems, needs_vnu
from tracker.core.models import EntryKind
from tracker.follow import tokens
from tracker.follow.digest import digests_send
from tracker.follow.models import Subscriber, Subscription

pytestmark = pytest.mark.django_db


@needs_vnu
def test_follow_pages_embed_and_mail_are_valid_html(client, smtp, tmp_path):
    commitment = make_commitment(title="<擴充> & 疫苗")
    client.post(
        f"/follow/?commitment={commitment.uid}", {"email": "r@example.org", "frequency": "daily"}
    )
    subscription = Subscription.objects.get()
    subscriber = subscription.subscriber
    pages = {
        "follow": f"/follow/?commitment={commitment.uid}",
        "follow-error": "/follow/?commitment=nope",
        "sent": reverse("follow:sent"),
        "confirm": reverse("follow:confirm", args=[tokens.confirm_token(subscription)]),
        "manage": reverse("follow:manage", args=[tokens.manage_token(subscriber)]),
        "unsubscribe": reverse("follow:unsubscribe", args=[tokens.unsubscribe_token(subscriber)]),
        "unsubscribed": reverse("follow:unsubscribed"),
        "embed": f"/embed/commitments/{commitment.uid}/",
        "embed-en": f"/en/embed/commitments/{commitment.uid}/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    Subscriber.objects.update(covered_until="2000-01-01T00:00:00Z")
    subscription.confirmed_at = subscription.created_at
    subscription.save()
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="<進度> & 更新")
    digests_send()
    for number, message in enumerate(smtp.messages):
        path = tmp_path / f"mail-{number}.html"
        path.write_text(text_of(message, "html"), encoding="utf-8")
        files.append(str(path))
    assert len(files) == len(pages) + 2
    assert html_problems(files) == []
