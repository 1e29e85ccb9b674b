"""Readers' suggested corrections: submitted from the public site, decided by an editor."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.core.models import Commitment, Correction, CorrectionStatus

RATE_LIMIT = 5
RATE_WINDOW = dt.timedelta(hours=1)


def correction_submit(
    *,
    commitment: Commitment,
    message: str,
    evidence: str,
    contact: str,
    client_key: str,
    form_nonce: str,
) -> Correction:
    """Queue a reader's correction for the editors, at most RATE_LIMIT an hour per sender.

    FORM_NONCE identifies the form it was sent from: a form already used is refused, so a
    replayed submission adds nothing.
    """
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("請寫下需要更正的內容")})
    if not commitment.is_published:
        raise ValidationError(_("這筆承諾目前不公開，無法提出更正"))
    with transaction.atomic():
        lock_sender(client_key)
        since = timezone.now() - RATE_WINDOW
        recent = Correction.objects.filter(client_key=client_key, submitted_at__gte=since)
        if recent.count() >= RATE_LIMIT:
            raise ValidationError(
                _("一小時內最多可送出 %(limit)d 則更正，請稍後再試") % {"limit": RATE_LIMIT},
                code="rate_limited",
            )
        if Correction.objects.filter(form_nonce=form_nonce).exists():
            raise _already_sent()
        try:
            # A savepoint: the same form sent twice at once loses on the unique column.
            with transaction.atomic():
                return Correction.objects.create(
                    commitment=commitment,
                    message=message,
                    evidence=evidence.strip(),
                    contact=contact.strip(),
                    client_key=client_key,
                    form_nonce=form_nonce,
                )
        except IntegrityError:
            raise _already_sent() from None


def _already_sent() -> ValidationError:
    return ValidationError(
        _("這份表單已經送出過了；若要再提出一則更正，請重新開啟表單。"), code="already_sent"
    )


def lock_sender(client_key: str) -> None:
    """Make one sender's submissions count and insert one at a time, until commit."""
    # Without it, submissions sent at the same moment all count the same earlier ones and
    # all pass the limit. There is no row to lock per sender, so PostgreSQL takes an advisory
    # lock on the key; SQLite needs none, as its IMMEDIATE transactions run one at a time.
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(client_key.encode()).digest()[:8], signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def correction_decide(*, correction: Correction, status: str, public_note: str, user) -> None:
    """Record an editor's decision; an accepted correction needs a note the public can read."""
    public_note = public_note.strip()
    if status not in CorrectionStatus.values:
        raise ValidationError({"status": _("未知的處理狀態：%(status)s") % {"status": status}})
    if status == CorrectionStatus.ACCEPTED and not public_note:
        raise ValidationError({"public_note": _("採納更正時必須填寫公開說明")})
    with transaction.atomic():
        correction.status = status
        correction.public_note = public_note
        if status == CorrectionStatus.PENDING:
            correction.decided_at = None
            correction.decided_by = None
        else:
            correction.decided_at = timezone.now()
            correction.decided_by = user
        correction.save()
