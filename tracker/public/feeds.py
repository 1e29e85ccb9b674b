"""Atom feeds of what changed: the whole site, a category, an agency, one commitment.

Items are new timeline entries, published corrections and editors' changes. Ids are tag:
URIs built from the commitment's id and the entry's permanent key, and dates come from the
data itself (entry dates, decisions, edits), so a restore or a move to another database or
host changes neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core.agencies import canonical_agency
from tracker.core.categories import canonical_category
from tracker.core.changes import editor_changes
from tracker.core.entries import (
    JUDGEMENT_AUTOMATED_REVIEWED,
    JUDGEMENT_AUTOMATED_UNREVIEWED,
    JUDGEMENT_LABELS,
    EntryOutcome,
    entry_facts_by_pk,
    entry_judgement_label,
)
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CommitmentAlias,
    Correction,
    EntryKind,
    EntryShape,
    Origin,
    Status,
    TrackingLog,
)
from tracker.public.identity import entry_anchor, entry_uri, tag_uri

FEED_LENGTH = 50
# A changed field's old and new values are cut to this many characters in a feed.
CHANGE_PREVIEW = 120


class TextSummaryAtomFeed(Atom1Feed):
    """Atom whose summaries are declared plain text: they are text, never markup."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


@dataclass(frozen=True)
class FeedItem:
    title: str
    text: str
    link: str
    guid: str
    date: dt.datetime
    author: str


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def entry_text(entry: TrackingLog, outcome: EntryOutcome | None = None) -> str:
    """Return a log entry as plain text, with the status a status change led to; text
    software wrote says so (its judgement label)."""
    text = _entry_text(entry, outcome or EntryOutcome())
    code = entry_judgement_label(entry)
    if code in (JUDGEMENT_AUTOMATED_UNREVIEWED, JUDGEMENT_AUTOMATED_REVIEWED):
        return _("%(text)s（%(label)s）") % {"text": text, "label": JUDGEMENT_LABELS[code]}
    return text


def _entry_text(entry: TrackingLog, outcome: EntryOutcome) -> str:
    if entry.shape == EntryShape.STATUS_RULE:
        return _("狀態：%(before)s → %(after)s；原因：%(reason)s") % {
            "before": status_label(entry.from_status),
            "after": status_label(entry.to_status),
            "reason": entry.reason,
        }
    if entry.shape == EntryShape.EVIDENCE:
        if entry.kind == EntryKind.STATUS_CHANGE:
            after = status_label(outcome.status) if outcome.status else _("未記錄")
            if outcome.further_evidence:
                return _("狀態維持：%(after)s；再一份依據：%(summary)s") % {
                    "after": after,
                    "summary": entry.summary,
                }
            return _("新狀態：%(after)s；依據：%(summary)s") % {
                "after": after,
                "summary": entry.summary,
            }
        return entry.summary
    return entry.text


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _detail(uid: str) -> str:
    return reverse("public:commitment_detail", args=[uid])


def _entry_items(entries) -> list[FeedItem]:
    """Return the newest entries of ENTRIES (a TrackingLog queryset) as feed items."""
    entries = list(
        entries.select_related("commitment").order_by("-entry_date", "-pk")[:FEED_LENGTH]
    )
    facts = entry_facts_by_pk(entries)
    items = []
    for entry in entries:
        fact = facts[entry.pk]
        commitment = entry.commitment
        items.append(
            FeedItem(
                title=_("%(title)s：%(kind)s")
                % {"title": commitment.title, "kind": entry.get_kind_display()},
                text=entry_text(entry, fact.outcome),
                link=f"{_detail(commitment.uid)}#{entry_anchor(fact.key)}",
                guid=entry_uri(commitment.uid, fact.key),
                date=_midnight(entry.entry_date),
                author=_author(entry.origin),
            )
        )
    return items


def _author(origin: str) -> str:
    if origin == Origin.NEWSROOM:
        return settings.TRACKER_PUBLISHER
    return str(Origin(origin).label)


def _correction_items(commitments) -> list[FeedItem]:
    corrections = Correction.objects.public().filter(commitment__in=commitments)[:FEED_LENGTH]
    return [
        FeedItem(
            title=_("%(title)s：更正") % {"title": correction.commitment.title},
            text=correction.public_note,
            link=f"{_detail(correction.commitment.uid)}#corrections",
            guid=tag_uri(
                "commitment", correction.commitment.uid, "correction", _stamp(correction.decided_at)
            ),
            date=correction.decided_at,
            author=settings.TRACKER_PUBLISHER,
        )
        for correction in corrections
        if correction.decided_at
    ]


def _change_items(commitments) -> list[FeedItem]:
    changes = editor_changes(commitments.values("pk"), limit=FEED_LENGTH)
    by_pk = Commitment.objects.only("uid", "title").in_bulk(
        {change.commitment_id for change in changes}
    )
    items = []
    for change in changes:
        commitment = by_pk[change.commitment_id]
        what = _("追蹤紀錄修正") if change.is_entry else _("資料修正")
        text = "；".join(
            f"{field.label}：{Truncator(field.before).chars(CHANGE_PREVIEW)} → "
            f"{Truncator(field.after).chars(CHANGE_PREVIEW)}"
            for field in change.fields
        )
        kind = "entry-edit" if change.is_entry else "edit"
        items.append(
            FeedItem(
                title=_("%(title)s：%(kind)s") % {"title": commitment.title, "kind": what},
                text=text,
                link=_detail(commitment.uid),
                guid=tag_uri("commitment", commitment.uid, kind, _stamp(change.changed_at)),
                date=change.changed_at,
                author=settings.TRACKER_PUBLISHER,
            )
        )
    return items


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


class ChangesFeed(Feed):
    """Django's Feed over FeedItems; subclasses choose the commitments and the titles."""

    feed_type = TextSummaryAtomFeed
    item_guid_is_permalink = False

    def author_name(self):
        return settings.TRACKER_PUBLISHER

    def commitments(self, obj):
        return Commitment.objects.published()

    def entries(self, obj, commitments):
        """Return the timeline entries the feed draws from: those of COMMITMENTS."""
        return TrackingLog.objects.filter(commitment__in=commitments)

    def items(self, obj=None):
        commitments = self.commitments(obj)
        items = [
            *_entry_items(self.entries(obj, commitments)),
            *_correction_items(commitments),
            *_change_items(commitments),
        ]
        items.sort(key=lambda item: (item.date, item.guid), reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.guid

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.date

    def item_author_name(self, item):
        return item.author


class SiteFeed(ChangesFeed):
    title = gettext_lazy("政策承諾追蹤：最新追蹤紀錄")
    subtitle = gettext_lazy("所有公開承諾的最新追蹤紀錄、更正與修正")

    def feed_guid(self):
        return tag_uri("feed")

    def entries(self, obj, commitments):
        # Every published commitment's: read newest first from the entries' index, stopping
        # after a feed's worth (as the overview's latest entries; the IN list of all
        # published commitments made SQLite read every entry: 0.46 s at 100 times the corpus).
        return TrackingLog.objects.of_published()

    def link(self):
        return reverse("public:recent")


class CategoryFeed(ChangesFeed):
    def get_object(self, request, category):
        category = canonical_category(category)
        if not Commitment.objects.published().for_category(category).exists():
            raise Http404(_("沒有這個類別"))
        return category

    def feed_guid(self, obj):
        return tag_uri("feed", "category", obj)

    def title(self, obj):
        return _("政策承諾追蹤：%(category)s類的追蹤紀錄") % {"category": obj}

    def link(self, obj):
        return reverse("public:commitment_list") + "?" + urlencode({"category": obj})

    def commitments(self, obj):
        return Commitment.objects.published().for_category(obj)


class AgencyFeed(ChangesFeed):
    def get_object(self, request, agency):
        # Any spelling of the agency follows its whole group, named and identified by its name.
        agency = canonical_agency(agency)
        if not Commitment.objects.published().for_agency(agency).exists():
            raise Http404(_("沒有這個機關"))
        return agency

    def feed_guid(self, obj):
        return tag_uri("feed", "agency", obj)

    def title(self, obj):
        return _("政策承諾追蹤：%(agency)s的追蹤紀錄") % {"agency": obj}

    def link(self, obj):
        return reverse("public:commitment_list") + "?" + urlencode({"agency": obj})

    def commitments(self, obj):
        return Commitment.objects.published().for_agency(obj)


class CommitmentFeed(ChangesFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            # A duplicate merged into another commitment: its feed is the kept one's.
            kept = CommitmentAlias.objects.published_uid(uid=kwargs.get("uid"))
            if kept is None:
                raise
            return redirect("public:commitment_feed", uid=kept, permanent=True)

    def get_object(self, request, uid):
        return get_object_or_404(Commitment.objects.published(), uid=uid)

    def feed_guid(self, obj):
        return tag_uri("feed", "commitment", obj.uid)

    def title(self, obj):
        return _("追蹤紀錄：%(title)s") % {"title": obj.title}

    def link(self, obj):
        return reverse("public:commitment_detail", args=[obj.uid])

    def commitments(self, obj):
        return Commitment.objects.filter(pk=obj.pk)


class QuestionFeed(ChangesFeed):
    """The newsroom's questions to agencies and their answers, newest first."""

    title = gettext_lazy("政策承諾追蹤：向機關的詢問與回覆")
    subtitle = gettext_lazy("編輯部就承諾向負責機關提出的詢問、回覆期限與機關的回覆")

    def feed_guid(self):
        return tag_uri("feed", "questions")

    def link(self):
        return reverse("public:questions")

    def items(self, obj=None):
        questions = (
            AgencyQuestion.objects.public()
            .select_related("commitment")
            .order_by("-sent_on", "-pk")[:FEED_LENGTH]
        )
        answers = (
            AgencyQuestion.objects.public()
            .filter(answered_on__isnull=False)
            .select_related("commitment")
            .order_by("-answered_on", "-pk")[:FEED_LENGTH]
        )
        items = [_question_item(question) for question in questions]
        items += [_answer_item(question) for question in answers]
        items.sort(key=lambda item: (item.date, item.guid), reverse=True)
        return items[:FEED_LENGTH]


def _question_guid(question: AgencyQuestion, what: str) -> str:
    return tag_uri("commitment", question.commitment.uid, "question", question.uid, what)


def _question_item(question: AgencyQuestion) -> FeedItem:
    commitment = question.commitment
    return FeedItem(
        title=_("%(title)s：詢問%(agency)s")
        % {"title": commitment.title, "agency": question.agency},
        text=_("%(sent)s 以%(channel)s詢問，回覆期限 %(deadline)s：%(question)s")
        % {
            "sent": question.sent_on.isoformat(),
            "channel": question.get_channel_display(),
            "deadline": question.deadline.isoformat(),
            "question": question.question,
        },
        link=f"{_detail(commitment.uid)}#questions",
        guid=_question_guid(question, "asked"),
        date=_midnight(question.sent_on),
        author=settings.TRACKER_PUBLISHER,
    )


def _answer_item(question: AgencyQuestion) -> FeedItem:
    commitment = question.commitment
    return FeedItem(
        title=_("%(title)s：%(agency)s的回覆")
        % {"title": commitment.title, "agency": question.agency},
        text=question.answer,
        link=f"{_detail(commitment.uid)}#questions",
        guid=_question_guid(question, "answered"),
        date=_midnight(question.answered_on),
        author=question.agency,
    )
