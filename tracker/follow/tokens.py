"""Signed links in the mail: confirm a subscription, manage an address, unsubscribe it.

Each kind has its own salt, so one kind of link never works as another, and carries the
address's token key, so deleting the address (or a new key) voids every link sent to it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from tracker.follow.models import Subscriber, Subscription

CONFIRM_SALT = "tracker.follow.confirm"
MANAGE_SALT = "tracker.follow.manage"
UNSUBSCRIBE_SALT = "tracker.follow.unsubscribe"
# A manage link arrives with every digest, so a short life costs readers nothing.
MANAGE_MAX_AGE = dt.timedelta(days=60)
# RFC 8058: an unsubscribe link must keep working for as long as old mail is read.
UNSUBSCRIBE_MAX_AGE = dt.timedelta(days=400)


class TokenError(Exception):
    """A link that is malformed, altered, expired or for an address no longer kept."""


class AddressGone(TokenError):
    """A genuine link for an address that has been deleted (unsubscribed or expired)."""


def confirm_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.FOLLOW_UNCONFIRMED_DAYS)


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "k": subscription.subscriber.token_key}, salt=CONFIRM_SALT
    )


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps({"a": subscriber.pk, "k": subscriber.token_key}, salt=MANAGE_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps({"a": subscriber.pk, "k": subscriber.token_key}, salt=UNSUBSCRIBE_SALT)


def _payload(token: str, salt: str, max_age: dt.timedelta) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError(_("這個連結已經過期。")) from None
    except signing.BadSignature:
        raise TokenError(_("這個連結無效，可能複製時不完整。")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), str):
        raise TokenError(_("這個連結無效，可能複製時不完整。"))
    return payload


def read_confirm_token(token: str) -> Subscription:
    """Return the subscription a confirmation link names, or raise TokenError."""
    payload = _payload(token, CONFIRM_SALT, confirm_max_age())
    subscription = (
        Subscription.objects.select_related("subscriber", "commitment")
        .filter(pk=payload.get("s"), subscriber__token_key=payload["k"])
        .first()
    )
    if subscription is None:
        raise TokenError(_("這個訂閱已不存在：未確認的訂閱會在期限後刪除，請重新訂閱。"))
    return subscription


def _read_subscriber(token: str, salt: str, max_age: dt.timedelta) -> Subscriber:
    payload = _payload(token, salt, max_age)
    subscriber = Subscriber.objects.filter(pk=payload.get("a"), token_key=payload["k"]).first()
    if subscriber is None:
        raise AddressGone(_("這個電子郵件地址已不在訂閱名單中。"))
    return subscriber


def read_manage_token(token: str) -> Subscriber:
    """Return the address a manage link names, or raise TokenError."""
    return _read_subscriber(token, MANAGE_SALT, MANAGE_MAX_AGE)


def read_unsubscribe_token(token: str) -> Subscriber:
    """Return the address an unsubscribe link names, or raise TokenError."""
    return _read_subscriber(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
