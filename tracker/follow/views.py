"""Pages of the follow feature: subscribe, confirm, manage by signed link, unsubscribe.

None is cached (each holds a form or acts on a token); unsubscribing by POST needs no
login and no CSRF token, as RFC 8058's one-click unsubscribe posts from the mail client.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracker.follow import mail, services, tokens
from tracker.follow.forms import FollowForm, SettingsForm
from tracker.follow.targets import target_from_query, target_of
from tracker.public.views.corrections import client_key

logger = logging.getLogger(__name__)


def _token_error(request, error: tokens.TokenError):
    return render(
        request, "follow/message.html", {"title": _("連結無法使用"), "error": error}, status=400
    )


@never_cache
@require_http_methods(["GET", "POST"])
def follow_new(request):
    """Ask for an address to follow what the query names, and mail a confirmation."""
    try:
        target = target_from_query(request.GET)
    except ValidationError as error:
        return render(
            request,
            "follow/message.html",
            {"title": _("無法追蹤"), "error": " ".join(error.messages)},
            status=400 if request.GET else 200,
        )
    form = FollowForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                subscription = services.subscription_request(
                    email=form.cleaned_data["email"],
                    target=target,
                    language=get_language(),
                    frequency=form.cleaned_data["frequency"],
                    client_key=client_key(request),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                try:
                    if subscription is not None:
                        mail.confirmation_message(subscription, request).send()
                except OSError:
                    # The mail server is down or refused: the reader may try again later
                    # (the pending subscription expires unless confirmed).
                    logger.exception("follow: the confirmation mail could not be sent")
                    form.add_error(None, _("暫時無法寄出確認信，請稍後再試。"))
                    status = 503
                else:
                    return redirect("follow:sent")
    return render(
        request,
        "follow/follow.html",
        {"form": form, "target": target.label(), "target_url": target.path()},
        status=status,
    )


@never_cache
def follow_sent(request):
    return render(request, "follow/sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def follow_confirm(request, token: str):
    """Show what a confirmation link confirms; confirm on POST (mail scanners only GET)."""
    try:
        subscription = tokens.read_confirm_token(token)
    except tokens.TokenError as error:
        return _token_error(request, error)
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription)
        return redirect("follow:manage", token=tokens.manage_token(subscription.subscriber))
    return render(
        request,
        "follow/confirm.html",
        {"target": target_of(subscription).label(), "email": subscription.subscriber.email},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def follow_manage(request, token: str):
    """List an address's subscriptions; change frequency and language, remove one or all."""
    try:
        subscriber = tokens.read_manage_token(token)
    except tokens.TokenError as error:
        return _token_error(request, error)
    form = SettingsForm(
        initial={"frequency": subscriber.frequency, "language": subscriber.language}
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            number = request.POST.get("subscription", "")
            subscription = subscriber.subscriptions.filter(
                pk=int(number) if number.isdecimal() and len(number) < 19 else 0
            ).first()
            if subscription is not None:
                services.subscription_remove(subscription=subscription)
            if not subscriber.subscriptions.exists():
                return redirect("follow:unsubscribed")
            return redirect("follow:manage", token=token)
        form = SettingsForm(request.POST)
        if form.is_valid():
            services.subscriber_update(
                subscriber=subscriber,
                frequency=form.cleaned_data["frequency"],
                language=form.cleaned_data["language"],
            )
            return redirect("follow:manage", token=token)
        status = 400
    subscriptions = [
        {
            "pk": subscription.pk,
            "target": target_of(subscription),
            "confirmed": subscription.confirmed_at,
        }
        for subscription in subscriber.subscriptions.select_related("commitment").order_by("pk")
    ]
    return render(
        request,
        "follow/manage.html",
        {
            "subscriber": subscriber,
            "subscriptions": subscriptions,
            "form": form,
            "unsubscribe_token": tokens.unsubscribe_token(subscriber),
        },
        status=status,
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request, token: str):
    """RFC 8058: a POST unsubscribes at once, without login or CSRF token; a GET asks first."""
    try:
        subscriber = tokens.read_unsubscribe_token(token)
    except tokens.AddressGone:
        # Already done (a second click, a client that posts twice): the same answer.
        return follow_unsubscribed(request)
    except tokens.TokenError as error:
        return _token_error(request, error)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return follow_unsubscribed(request)
    return render(request, "follow/unsubscribe.html", {"email": subscriber.email})


@never_cache
def follow_unsubscribed(request):
    return render(request, "follow/unsubscribed.html")
