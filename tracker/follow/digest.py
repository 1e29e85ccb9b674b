"""What changed for each address since its last digest, and the run that mails it.

The changes are read once per run, for all published commitments, from the same homes the
feeds read: new timeline entries (their creation in the history), status changes (entries
of that kind), published corrections and editors' changes (tracker.core.changes). Each
address then gets the items of the commitments its subscriptions cover.

Extension point: another kind of change (an agency's answers) is one more section —
``register_section("answers", _("機關回覆"), collect_answers)`` from that app's
``AppConfig.ready``, where ``collect_answers(commitments, since, until)`` returns
DigestItems; nothing here changes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from tracker.core.changes import editor_changes
from tracker.core.entries import (
    JUDGEMENT_LABELS,
    entry_facts_by_pk,
    entry_judgement_label,
)
from tracker.core.models import Commitment, Correction, EntryKind, TrackingLog
from tracker.follow import mail
from tracker.follow.models import Frequency, Subscriber
from tracker.follow.services import follow_expire
from tracker.follow.targets import matching_commitments, target_of
from tracker.public.feeds import entry_text
from tracker.public.identity import entry_anchor
from tracker.public.templatetags.public import entry_origin

# A digest lists at most this many commitments; the rest are counted and linked.
MAX_COMMITMENTS = 30
# Timers start late now and then: a weekly address is due a little before its seven days.
SLACK = dt.timedelta(hours=2)
PERIODS = {Frequency.DAILY: dt.timedelta(days=1), Frequency.WEEKLY: dt.timedelta(days=7)}


@dataclass(frozen=True)
class DigestItem:
    """One change a reader is told about, in the language active when it was made."""

    commitment_id: int
    appeared_at: dt.datetime  # when the site published it: the digest's window
    date: dt.date  # the date readers see (the entry's, the decision's)
    text: str
    origin: str  # where it came from: the pipeline (and its review) or the newsroom
    anchor: str = ""  # the fragment on the commitment's page


Collector = Callable[[object, dt.datetime, dt.datetime], list[DigestItem]]


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    collect: Collector


def _entries(commitments, since, until, *, status_changes: bool) -> list[DigestItem]:
    history = TrackingLog.history.model
    created = history.objects.filter(
        history_type="+", history_date__gt=since, history_date__lte=until
    )
    appeared = created.filter(id=OuterRef("pk")).order_by("history_date").values("history_date")
    kinds = {"kind": EntryKind.STATUS_CHANGE}
    queryset = TrackingLog.objects.filter(
        commitment__in=commitments, pk__in=created.values("id")
    ).annotate(appeared_at=Subquery(appeared[:1]))
    queryset = queryset.filter(**kinds) if status_changes else queryset.exclude(**kinds)
    entries = list(queryset.select_related("created_by").order_by("entry_date", "position"))
    facts = entry_facts_by_pk(entries)
    items = []
    for entry in entries:
        fact = facts[entry.pk]
        origin = entry_origin(entry)
        judgement = entry_judgement_label(entry)
        if judgement:
            origin = _("%(origin)s；%(judgement)s") % {
                "origin": origin,
                "judgement": JUDGEMENT_LABELS[judgement],
            }
        text = entry_text(entry, fact.status_after)
        if not status_changes:
            text = _("%(kind)s：%(text)s") % {"kind": entry.get_kind_display(), "text": text}
        items.append(
            DigestItem(
                commitment_id=entry.commitment_id,
                appeared_at=entry.appeared_at,
                date=entry.entry_date,
                text=text,
                origin=origin,
                anchor=entry_anchor(fact.key),
            )
        )
    return items


def collect_entries(commitments, since, until) -> list[DigestItem]:
    return _entries(commitments, since, until, status_changes=False)


def collect_status_changes(commitments, since, until) -> list[DigestItem]:
    return _entries(commitments, since, until, status_changes=True)


def collect_corrections(commitments, since, until) -> list[DigestItem]:
    corrections = Correction.objects.public().filter(
        commitment__in=commitments, decided_at__gt=since, decided_at__lte=until
    )
    return [
        DigestItem(
            commitment_id=correction.commitment_id,
            appeared_at=correction.decided_at,
            date=timezone.localdate(correction.decided_at),
            text=correction.public_note,
            origin=_("來源：編輯部（已採納的讀者更正）"),
            anchor="corrections",
        )
        for correction in corrections
    ]


def collect_editor_changes(commitments, since, until) -> list[DigestItem]:
    changes = editor_changes(commitments.values("pk"), limit=200)
    return [
        DigestItem(
            commitment_id=change.commitment_id,
            appeared_at=change.changed_at,
            date=timezone.localdate(change.changed_at),
            text="；".join(f"{item.label}：{item.before} → {item.after}" for item in change.fields),
            origin=_("來源：編輯部"),
        )
        for change in changes
        if since < change.changed_at <= until
    ]


SECTIONS: list[Section] = [
    Section("status", gettext_lazy("狀態變更"), collect_status_changes),
    Section("entries", gettext_lazy("新的追蹤紀錄"), collect_entries),
    Section("corrections", gettext_lazy("已公開的更正"), collect_corrections),
    Section("edits", gettext_lazy("編輯部修正的資料"), collect_editor_changes),
]


def register_section(key: str, label, collect: Collector) -> None:
    """Add a kind of change to every digest (see the module's docstring)."""
    SECTIONS[:] = [section for section in SECTIONS if section.key != key]
    SECTIONS.append(Section(key, label, collect))


@dataclass
class CommitmentChanges:
    commitment: Commitment
    sections: list[tuple[object, list[DigestItem]]]  # (label, items) = field(default_factory=list)


@dataclass
class Digest:
    subscriber: Subscriber
    since: dt.datetime
    until: dt.datetime
    commitments: list[CommitmentChanges]
    more: int  # commitments with changes left out (MAX_COMMITMENTS)
    subscriptions: list


@dataclass
class RunSummary:
    due: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    bytes: int = 0
    seconds: float = 0.0
    expired: dict = field(default_factory=dict)


def due_subscribers(now: dt.datetime):
    """Return the confirmed addresses whose digest is due at NOW, subscriptions loaded."""
    due = Subscriber.objects.none()
    for frequency, period in PERIODS.items():
        due |= Subscriber.objects.filter(
            frequency=frequency, covered_until__lte=now - period + SLACK
        )
    return due.filter(subscriptions__confirmed_at__isnull=False).distinct().order_by("pk")


class Changes:
    """The run's changes, read once per language for the earliest window any address needs."""

    def __init__(self, since: dt.datetime, until: dt.datetime):
        self.since, self.until = since, until
        self.published = Commitment.objects.published()
        self._items: dict[str, dict[str, list[DigestItem]]] = {}
        self._changed = None

    def items(self, language: str) -> dict[str, list[DigestItem]]:
        if language not in self._items:
            with override(language):
                self._items[language] = {
                    section.key: section.collect(self.published, self.since, self.until)
                    for section in SECTIONS
                }
        return self._items[language]

    def changed_ids(self) -> set[int]:
        items = self.items(settings.LANGUAGE_CODE)
        return {item.commitment_id for section in items.values() for item in section}


def digests_build(subscribers, *, until: dt.datetime) -> list[Digest]:
    """Return the digest of each given address: what changed after its covered_until."""
    subscribers = list(subscribers.prefetch_related("subscriptions__commitment"))
    if not subscribers:
        return []
    since = min(subscriber.covered_until for subscriber in subscribers)
    changes = Changes(since, until)
    changed = changes.changed_ids()
    candidates = Commitment.objects.published().filter(pk__in=changed)
    targets = {
        subscription: target_of(subscription)
        for subscriber in subscribers
        for subscription in subscriber.subscriptions.all()
        if subscription.confirmed_at is not None
    }
    covered = matching_commitments(targets.values(), candidates) if changed else {}
    commitments = candidates.only("pk", "uid", "title", "status").in_bulk()
    digests = []
    for subscriber in subscribers:
        confirmed = [s for s in subscriber.subscriptions.all() if s.confirmed_at is not None]
        ids = set().union(*(covered.get(targets[s], set()) for s in confirmed))
        per_commitment: dict[int, dict[str, list[DigestItem]]] = defaultdict(dict)
        latest: dict[int, dt.datetime] = {}
        for key, items in changes.items(subscriber.language).items() if ids else ():
            for item in items:
                if item.commitment_id in ids and item.appeared_at > subscriber.covered_until:
                    per_commitment[item.commitment_id].setdefault(key, []).append(item)
                    latest[item.commitment_id] = max(
                        latest.get(item.commitment_id, item.appeared_at), item.appeared_at
                    )
        order = sorted(per_commitment, key=lambda pk: (latest[pk], pk), reverse=True)
        shown = [
            CommitmentChanges(
                commitment=commitments[pk],
                sections=[
                    (section.label, per_commitment[pk][section.key])
                    for section in SECTIONS
                    if section.key in per_commitment[pk]
                ],
            )
            for pk in order[:MAX_COMMITMENTS]
        ]
        digests.append(
            Digest(
                subscriber=subscriber,
                since=subscriber.covered_until,
                until=until,
                commitments=shown,
                more=max(0, len(order) - MAX_COMMITMENTS),
                subscriptions=[target_of(s) for s in confirmed],
            )
        )
    return digests


def digests_send(*, now: dt.datetime | None = None, connection=None) -> RunSummary:
    """Mail every due address its digest (none when nothing changed) and move its window on."""
    started = time.perf_counter()
    now = now or timezone.now()
    summary = RunSummary(expired=follow_expire(now=now))
    digests = digests_build(due_subscribers(now), until=now)
    summary.due = len(digests)
    connection = connection or get_connection()
    with connection:
        for digest in digests:
            if digest.commitments:
                message = mail.digest_message(digest, connection=connection)
                try:
                    message.send()
                except OSError:
                    summary.failed += 1
                    continue
                summary.sent += 1
                summary.bytes += len(message.message().as_bytes())
            else:
                summary.empty += 1
            Subscriber.objects.filter(pk=digest.subscriber.pk).update(covered_until=now)
    summary.seconds = time.perf_counter() - started
    return summary
