"""Following by e-mail: double opt-in, rate limits, tokens, manage page, one-click unsubscribe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from tests.factories import make_commitment
from tests.follow.conftest import text_of
from tracker.follow import tokens
from tracker.follow.models import ConfirmationRequest, Subscriber, Subscription

pytestmark = pytest.mark.django_db


def _follow(client, query: str, email="reader@example.org", frequency="daily", prefix=""):
    return client.post(f"{prefix}/follow/?{query}", {"email": email, "frequency": frequency})


def _links(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text_of(message))


def _path(url: str) -> str:
    return urlsplit(url).path


def test_it_mails_a_confirmation_and_follows_only_after_it(client, smtp):
    commitment = make_commitment(title="擴充疫苗採購")
    response = _follow(client, f"commitment={commitment.uid}")
    assert response.status_code == 302
    assert response["Location"] == "/follow/sent/"
    [message] = smtp.messages
    assert message["To"] == "reader@example.org"
    assert "擴充疫苗採購" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https://tracker\.example\.org/follow/unsubscribe/[^>]+/>",
        message["List-Unsubscribe"].strip(),
    )
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    confirm = next(url for url in _links(message) if "/follow/confirm/" in url)
    assert confirm.startswith("https://tracker.example.org/follow/confirm/")

    # A GET (a mail scanner following links) confirms nothing.
    page = client.get(_path(confirm))
    assert page.status_code == 200
    assert "reader@example.org" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None

    response = client.post(_path(confirm))
    assert response.status_code == 302
    assert "/follow/manage/" in response["Location"]
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert subscription.subscriber.covered_until is not None


def test_the_form_needs_a_csrf_token(smtp):
    commitment = make_commitment()
    client = Client(enforce_csrf_checks=True)
    response = _follow(client, f"commitment={commitment.uid}")
    assert response.status_code == 403
    assert not smtp.messages


def test_english_readers_get_english_mail_with_english_links(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}", prefix="/en")
    [message] = smtp.messages
    assert message["Subject"].strip().startswith("Please confirm")
    assert message["Content-Language"] == "en"
    body = text_of(message)
    assert "confirm" in body.lower()
    links = _links(message)
    assert any(url.startswith("https://tracker.example.org/en/follow/confirm/") for url in links)
    assert Subscriber.objects.get().language == "en"
    html = text_of(message, "html")
    assert '<html lang="en">' in html
    assert "<img" not in html


@pytest.mark.parametrize(
    "address", ["not-an-address", "a@b", "victim@example.org\r\nBcc: x@example.org", ""]
)
def test_a_bad_address_gets_a_message_and_no_mail(client, smtp, address):
    commitment = make_commitment()
    response = _follow(client, f"commitment={commitment.uid}", email=address)
    assert response.status_code == 400
    assert "電子郵件地址。" in response.content.decode()
    assert not smtp.messages
    assert not Subscriber.objects.exists()


def test_an_unknown_target_gets_a_message(client, smtp):
    response = client.get("/follow/?commitment=00000000-0000-0000-0000-000000000000")
    assert response.status_code == 400
    assert "找不到這項承諾" in response.content.decode()
    response = client.get("/follow/")
    assert response.status_code == 200


def test_agency_category_and_search_can_be_followed(client, smtp):
    make_commitment(responsible_agency="衛福部", category="醫療衛生", title="長照十年計畫")
    for query in ("agency=衛福部", "category=醫療衛生", "q=長照"):
        assert _follow(client, query).status_code == 302
    kinds = sorted(Subscription.objects.values_list("kind", "value"))
    assert kinds == [("agency", "衛生福利部"), ("category", "醫療衛生"), ("search", "長照")]
    assert "衛生福利部" in smtp.messages[0]["Subject"]


def test_a_category_is_followed_as_its_group_under_any_of_its_names(client, smtp):
    make_commitment(category="健康衛生", title="長照十年計畫")  # filed under the other name
    assert _follow(client, "category=醫療衛生").status_code == 302
    assert _follow(client, "category=健康衛生", email="other@example.org").status_code == 302
    values = sorted(Subscription.objects.values_list("kind", "value"))
    assert values == [("category", "醫療衛生"), ("category", "醫療衛生")]


def test_following_twice_sends_nothing_new_once_confirmed(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    subscription = Subscription.objects.get()
    client.post(reverse("follow:confirm", args=[tokens.confirm_token(subscription)]))
    smtp.clear()
    response = _follow(client, f"commitment={commitment.uid}")
    # The same answer as for a new address: whether one subscribes is not told.
    assert response["Location"] == "/follow/sent/"
    assert not smtp.messages


def test_confirmations_are_limited_per_address(client, smtp, settings):
    settings.FOLLOW_CONFIRMATIONS_PER_ADDRESS = 2
    commitments = [make_commitment() for _ in range(3)]
    for commitment in commitments[:2]:
        assert _follow(client, f"commitment={commitment.uid}").status_code == 302
    response = _follow(client, f"commitment={commitments[2].uid}")
    assert response.status_code == 400
    assert "太多確認信" in response.content.decode()
    assert len(smtp.messages) == 2
    # Only keyed hashes are counted, never the address.
    assert not ConfirmationRequest.objects.filter(address_key__contains="@").exists()


def test_confirmations_are_limited_per_client(client, smtp, settings):
    settings.FOLLOW_CONFIRMATIONS_PER_CLIENT = 2
    commitment = make_commitment()
    for number in range(2):
        _follow(client, f"commitment={commitment.uid}", email=f"r{number}@example.org")
    response = _follow(client, f"commitment={commitment.uid}", email="r9@example.org")
    assert response.status_code == 400
    assert "太多訂閱申請" in response.content.decode()
    assert len(smtp.messages) == 2


@pytest.mark.parametrize("view", ["confirm", "manage", "unsubscribe"])
def test_a_bad_token_gets_a_message_not_a_traceback(client, view):
    response = client.get(reverse(f"follow:{view}", args=["nonsense"]))
    assert response.status_code == 400
    assert "連結無效" in response.content.decode()


def test_an_expired_confirmation_link_says_so(client, smtp, settings):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    subscription = Subscription.objects.get()
    settings.FOLLOW_UNCONFIRMED_DAYS = 0
    token = tokens.confirm_token(subscription)
    response = client.post(reverse("follow:confirm", args=[token]))
    assert response.status_code == 400
    assert "過期" in response.content.decode()


def test_a_manage_link_does_not_work_as_an_unsubscribe_link(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    subscriber = Subscriber.objects.get()
    response = client.post(reverse("follow:unsubscribe", args=[tokens.manage_token(subscriber)]))
    assert response.status_code == 400
    assert Subscriber.objects.exists()
    # A link for an earlier owner of the row (another key) deletes nothing.
    stale = signing.dumps({"a": subscriber.pk, "k": "earlier"}, salt=tokens.UNSUBSCRIBE_SALT)
    client.post(reverse("follow:unsubscribe", args=[stale]))
    assert Subscriber.objects.exists()


def test_one_click_unsubscribe_needs_no_login_or_csrf_token_and_deletes_the_address(smtp):
    commitment = make_commitment()
    Client().post(
        f"/follow/?commitment={commitment.uid}",
        {"email": "reader@example.org", "frequency": "daily"},
    )
    [message] = smtp.messages
    url = message["List-Unsubscribe"].strip().strip("<>")
    client = Client(enforce_csrf_checks=True)
    # What a mail client sends for RFC 8058.
    response = client.post(
        _path(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()
    # Again (a client that retries): the same answer.
    assert client.post(_path(url)).status_code == 200


def test_unsubscribe_by_get_asks_first(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    subscriber = Subscriber.objects.get()
    response = client.get(
        reverse("follow:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])
    )
    assert response.status_code == 200
    assert Subscriber.objects.exists()


def test_manage_page_changes_settings_and_removes_one_subscription(client, smtp):
    first, second = make_commitment(title="第一項"), make_commitment(title="第二項")
    _follow(client, f"commitment={first.uid}")
    _follow(client, f"commitment={second.uid}")
    subscriber = Subscriber.objects.get()
    manage = reverse("follow:manage", args=[tokens.manage_token(subscriber)])
    page = client.get(manage).content.decode()
    assert "第一項" in page and "第二項" in page
    response = client.post(manage, {"action": "settings", "frequency": "weekly", "language": "en"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.frequency, subscriber.language) == ("weekly", "en")
    one = subscriber.subscriptions.get(commitment=first)
    client.post(manage, {"action": "remove", "subscription": one.pk})
    assert list(subscriber.subscriptions.values_list("commitment", flat=True)) == [second.pk]
    other = subscriber.subscriptions.get()
    response = client.post(manage, {"action": "remove", "subscription": other.pk})
    assert response["Location"] == reverse("follow:unsubscribed")
    assert not Subscriber.objects.exists()


def test_manage_page_cannot_remove_another_address_subscription(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}", email="a@example.org")
    _follow(client, f"commitment={commitment.uid}", email="b@example.org")
    a, b = Subscriber.objects.order_by("email")
    manage = reverse("follow:manage", args=[tokens.manage_token(a)])
    client.post(manage, {"action": "remove", "subscription": b.subscriptions.get().pk})
    assert b.subscriptions.exists()


def test_manage_page_ignores_a_malformed_subscription_number(client, smtp):
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    subscriber = Subscriber.objects.get()
    manage = reverse("follow:manage", args=[tokens.manage_token(subscriber)])
    for number in ("abc", "9" * 40, ""):
        response = client.post(manage, {"action": "remove", "subscription": number})
        assert response.status_code == 302
    assert subscriber.subscriptions.exists()


def test_detail_and_list_pages_link_to_following_by_email(client):
    commitment = make_commitment(category="能源")
    page = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    assert f'href="/follow/?commitment={commitment.uid}"' in page
    listing = client.get("/commitments/?category=能源").content.decode()
    assert "/follow/?category=%E8%83%BD%E6%BA%90" in listing


def test_privacy_note_on_the_methodology_page(client, settings):
    settings.FOLLOW_UNCONFIRMED_DAYS = 9
    page = client.get("/methodology/").content.decode()
    assert 'id="privacy"' in page and "9 天後刪除" in page
    english = client.get("/en/methodology/").content.decode()
    assert "deleted after 9 days" in english


def test_a_mail_server_that_is_down_gets_a_message_not_a_traceback(client, smtp, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    commitment = make_commitment()
    response = _follow(client, f"commitment={commitment.uid}")
    assert response.status_code == 503
    assert "暫時無法寄出確認信" in response.content.decode()


def test_without_a_site_url_confirmation_links_use_the_request_host(client, smtp, settings):
    settings.TRACKER_SITE_URL = ""
    commitment = make_commitment()
    _follow(client, f"commitment={commitment.uid}")
    [message] = smtp.messages
    assert "http://testserver/follow/confirm/" in text_of(message)


def test_follow_and_manage_pages_read_a_fixed_number_of_queries(
    client, smtp, django_assert_max_num_queries
):
    commitments = [make_commitment() for _ in range(6)]
    with django_assert_max_num_queries(2):
        assert client.get(f"/follow/?commitment={commitments[0].uid}").status_code == 200
    for commitment in commitments:
        _follow(client, f"commitment={commitment.uid}")
    subscriber = Subscriber.objects.get()
    manage = reverse("follow:manage", args=[tokens.manage_token(subscriber)])
    with django_assert_max_num_queries(3):
        page = client.get(manage)
    assert page.content.decode().count("取消追蹤") == 6
