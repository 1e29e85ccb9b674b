"""Every write of the follow feature: subscribe, confirm, manage, unsubscribe, expire."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core.services.corrections import lock_sender
from tracker.follow.models import (
    ConfirmationRequest,
    Frequency,
    Subscriber,
    Subscription,
)
from tracker.follow.targets import Target

ADDRESS_WINDOW = dt.timedelta(hours=24)
CLIENT_WINDOW = dt.timedelta(hours=1)


def normalise_email(email: str) -> str:
    """Return an address trimmed and lower-cased, or raise ValidationError when it is not one."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("請輸入有效的電子郵件地址。")}) from None
    return email


def address_key(email: str) -> str:
    """Return a keyed hash of an address: the rate limit counts it without storing it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), email.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def subscription_request(
    *,
    email: str,
    target: Target,
    language: str,
    frequency: str,
    client_key: str,
) -> Subscription | None:
    """Record a pending subscription and count its confirmation mail against the limits.

    Return the subscription to confirm, or None when the address already follows the target
    (the page says the same either way: whether an address subscribes is nobody's business).
    """
    email = normalise_email(email)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("請選擇寄送頻率。")})
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    key = address_key(email)
    now = timezone.now()
    with transaction.atomic():
        lock_sender(client_key)
        lock_sender(key)
        sent = ConfirmationRequest.objects
        if (
            sent.filter(client_key=client_key, sent_at__gte=now - CLIENT_WINDOW).count()
            >= settings.FOLLOW_CONFIRMATIONS_PER_CLIENT
        ):
            raise ValidationError(
                _("這個網路位址一小時內已送出太多訂閱申請，請稍後再試。"), code="rate_limited"
            )
        if (
            sent.filter(address_key=key, sent_at__gte=now - ADDRESS_WINDOW).count()
            >= settings.FOLLOW_CONFIRMATIONS_PER_ADDRESS
        ):
            raise ValidationError(
                _("這個電子郵件地址一天內已收到太多確認信，請先確認已寄出的信，或明天再試。"),
                code="rate_limited",
            )
        subscriber, _created = Subscriber.objects.get_or_create(
            email=email, defaults={"language": language, "frequency": frequency}
        )
        lookup = {"kind": target.kind, "value": target.value, "commitment": target.commitment}
        subscription = subscriber.subscriptions.filter(**lookup).first()
        if subscription is not None and subscription.confirmed_at is not None:
            return None
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = subscriber.subscriptions.create(**lookup)
            except IntegrityError:
                return None
        ConfirmationRequest.objects.create(address_key=key, client_key=client_key)
    return subscription


def subscription_confirm(*, subscription: Subscription) -> None:
    """Confirm a subscription; the address's first digest covers what changes from now."""
    now = timezone.now()
    with transaction.atomic():
        if subscription.confirmed_at is None:
            subscription.confirmed_at = now
            subscription.save(update_fields=["confirmed_at"])
        Subscriber.objects.filter(pk=subscription.subscriber_id, covered_until=None).update(
            covered_until=now
        )


def subscriber_update(*, subscriber: Subscriber, frequency: str, language: str) -> None:
    """Change how often and in which language an address receives its digest."""
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("請選擇寄送頻率。")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("請選擇語言。")})
    with transaction.atomic():
        subscriber.frequency = frequency
        subscriber.language = language
        subscriber.save(update_fields=["frequency", "language"])


def subscription_remove(*, subscription: Subscription) -> None:
    """Stop following one thing; an address left following nothing is deleted."""
    with transaction.atomic():
        subscriber_id = subscription.subscriber_id
        subscription.delete()
        Subscriber.objects.filter(pk=subscriber_id, subscriptions=None).delete()


def subscriber_unsubscribe(*, subscriber: Subscriber) -> None:
    """Delete an address and everything it follows, at once (nothing is kept)."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).delete()


def follow_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is no longer needed: unconfirmed subscriptions, idle addresses, old counts."""
    now = now or timezone.now()
    unconfirmed_before = now - dt.timedelta(days=settings.FOLLOW_UNCONFIRMED_DAYS)
    with transaction.atomic():
        subscriptions, _detail = Subscription.objects.filter(
            confirmed_at=None, created_at__lt=unconfirmed_before
        ).delete()
        subscribers, _detail = Subscriber.objects.filter(
            subscriptions=None, created_at__lt=unconfirmed_before
        ).delete()
        requests, _detail = ConfirmationRequest.objects.filter(
            sent_at__lt=now - max(ADDRESS_WINDOW, CLIENT_WINDOW)
        ).delete()
    return {
        "subscriptions": subscriptions,
        "addresses": subscribers,
        "confirmation_requests": requests,
    }
