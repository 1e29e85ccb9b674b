"""Readers' e-mail addresses and what each follows; kept only as long as they are needed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.core.models import Commitment


def new_token_key() -> str:
    return secrets.token_urlsafe(16)


class Frequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每週")


class TargetKind(models.TextChoices):
    COMMITMENT = "commitment", _("承諾")
    AGENCY = "agency", _("機關")
    CATEGORY = "category", _("類別")
    SEARCH = "search", _("搜尋")


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        """Return the addresses with at least one confirmed subscription."""
        return self.filter(subscriptions__confirmed_at__isnull=False).distinct()


class Subscriber(models.Model):
    """One e-mail address, its language and how often it wants a digest."""

    email = models.EmailField(_("電子郵件地址"), max_length=254, unique=True)
    language = models.CharField(_("語言"), max_length=10, choices=settings.LANGUAGES)
    frequency = models.CharField(
        _("寄送頻率"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    # Signed links carry it: deleting the address (or changing the key) voids every link.
    token_key = models.CharField(max_length=32, default=new_token_key, editable=False)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    # The next digest covers what changed after this moment.
    covered_until = models.DateTimeField(_("已寄送至"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("訂閱者")
        verbose_name_plural = _("訂閱者")

    def __str__(self):
        return self.email


class Subscription(models.Model):
    """One thing an address follows: a commitment, an agency, a category or a search."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(_("追蹤對象類型"), max_length=12, choices=TargetKind.choices)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The agency's canonical name, the category, or the search query ("" for a commitment).
    value = models.CharField(_("追蹤對象"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("確認時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("訂閱")
        verbose_name_plural = _("訂閱")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "commitment", "value"],
                name="follow_subscription_unique",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "kind", "value"],
                condition=models.Q(commitment__isnull=True),
                name="follow_subscription_unique_without_commitment",
            ),
        ]

    def __str__(self):
        return f"{self.kind}:{self.commitment_id or self.value}"


class ConfirmationRequest(models.Model):
    """A confirmation mail sent, for the rate limits: keyed hashes only, never the address."""

    address_key = models.CharField(max_length=64, db_index=True)
    client_key = models.CharField(max_length=64, db_index=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("確認信紀錄")
        verbose_name_plural = _("確認信紀錄")

    def __str__(self):
        return f"{self.address_key[:8]} {self.sent_at:%Y-%m-%d %H:%M}"
