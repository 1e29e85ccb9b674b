"""The messages: a confirmation and a digest, each in the reader's language, text and HTML.

Every message carries RFC 8058's one-click unsubscribe (List-Unsubscribe with an https
address and List-Unsubscribe-Post), links are absolute (TRACKER_SITE_URL), nothing in them
tracks the reader (no pixels, no per-reader redirects), and text from the data is escaped in
the HTML and kept to one line in the subject (Django refuses a header with a newline).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from tracker.follow import tokens
from tracker.follow.models import Subscriber, Subscription
from tracker.follow.targets import target_of

SUBJECT_LENGTH = 120


def site_url(path: str, request=None) -> str:
    """Return an absolute address on the site, from TRACKER_SITE_URL (or the request's host)."""
    base = settings.TRACKER_SITE_URL.rstrip("/")
    if not base and request is not None:
        base = request.build_absolute_uri("/").rstrip("/")
    if not base:
        raise ImproperlyConfigured(
            "TRACKER_SITE_URL must be set to send mail (the site's address, "
            "e.g. https://tracker.example.org): links in mail are absolute"
        )
    return base + path


def one_line(text: str) -> str:
    return Truncator(" ".join(str(text).split())).chars(SUBJECT_LENGTH)


def _links(subscriber: Subscriber, request=None) -> dict[str, str]:
    unsubscribe = reverse("follow:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])
    manage = reverse("follow:manage", args=[tokens.manage_token(subscriber)])
    return {
        "unsubscribe_url": site_url(unsubscribe, request),
        "manage_url": site_url(manage, request),
        "privacy_url": site_url(reverse("public:methodology") + "#privacy", request),
        "site_url": site_url(reverse("public:overview"), request),
    }


def _message(
    subscriber, subject, template, context, connection=None, request=None
) -> EmailMultiAlternatives:
    links = _links(subscriber, request)
    context = {**context, **links, "site_name": settings.TRACKER_SITE_NAME}
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"follow/mail/{template}.txt", context),
        to=[subscriber.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{one_line(settings.TRACKER_SITE_NAME)} <{settings.FOLLOW_LIST_ID}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": "en" if subscriber.language == "en" else "zh-Hant",
        },
    )
    message.attach_alternative(
        render_to_string(f"follow/mail/{template}.html", context), "text/html"
    )
    return message


def confirmation_message(subscription: Subscription, request=None) -> EmailMultiAlternatives:
    """Return the mail asking the address's owner to confirm one subscription.

    Sent while answering REQUEST: without TRACKER_SITE_URL its links use the request's host
    (which ALLOWED_HOSTS vouches for).
    """
    subscriber = subscription.subscriber
    with override(subscriber.language):
        target = target_of(subscription)
        path = reverse("follow:confirm", args=[tokens.confirm_token(subscription)])
        context = {
            "target": target.label(),
            "target_url": site_url(target.path(), request),
            "confirm_url": site_url(path, request),
            "days": settings.FOLLOW_UNCONFIRMED_DAYS,
        }
        subject = _("請確認訂閱：%(target)s") % {"target": target.label()}
        return _message(subscriber, subject, "confirm", context, request=request)


def digest_message(digest, connection=None) -> EmailMultiAlternatives:
    """Return the digest mail of one address."""
    subscriber = digest.subscriber
    with override(subscriber.language):
        commitments = [
            {
                "title": changes.commitment.title,
                "status": changes.commitment.get_status_display(),
                "url": site_url(reverse("public:commitment_detail", args=[changes.commitment.uid])),
                "sections": [
                    {
                        "label": str(label),
                        "items": [
                            {
                                "date": item.date.isoformat(),
                                "text": item.text,
                                "origin": item.origin,
                                "url": site_url(
                                    reverse(
                                        "public:commitment_detail",
                                        args=[changes.commitment.uid],
                                    )
                                    + (f"#{item.anchor}" if item.anchor else "")
                                ),
                            }
                            for item in items
                        ],
                    }
                    for label, items in changes.sections
                ],
            }
            for changes in digest.commitments
        ]
        context = {
            "commitments": commitments,
            "more": digest.more,
            "recent_url": site_url(reverse("public:recent")),
            "since": digest.since,
            "until": digest.until,
            "subscriptions": [
                {"label": target.label(), "url": site_url(target.path())}
                for target in digest.subscriptions
            ],
            "frequency": subscriber.get_frequency_display(),
        }
        count = len(commitments) + digest.more
        subject = ngettext(
            "%(site)s：您追蹤的 %(count)d 項承諾有更新",
            "%(site)s：您追蹤的 %(count)d 項承諾有更新",
            count,
        ) % {"site": settings.TRACKER_SITE_NAME, "count": count}
        return _message(subscriber, subject, "digest", context, connection)
