"""Atom feeds of new timeline entries: the whole site, one category, one commitment."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core.models import Commitment, EntryShape, TrackingLog

FEED_LENGTH = 50


def entry_text(entry: TrackingLog) -> str:
    """Return a log entry as plain text (the feed generator escapes it)."""
    if entry.shape == EntryShape.STATUS_RULE:
        return _("狀態：%(before)s → %(after)s；原因：%(reason)s") % {
            "before": entry.from_status,
            "after": entry.to_status,
            "reason": entry.reason,
        }
    if entry.shape == EntryShape.EVIDENCE:
        return entry.summary
    return entry.text


class LatestEntriesFeed:
    """Mixed into Django's Feed: items are log entries of published commitments."""

    feed_type = Atom1Feed

    def entries(self):
        return (
            TrackingLog.objects.filter(commitment__is_published=True)
            .select_related("commitment")
            .order_by("-entry_date", "-pk")
        )

    def items(self, obj=None):
        return self.entries_for(obj)[:FEED_LENGTH]

    def entries_for(self, obj):
        return self.entries()

    def item_title(self, item):
        return f"{item.commitment.title}：{item.get_kind_display()}"

    def item_description(self, item):
        return entry_text(item)

    def item_link(self, item):
        url = reverse("public:commitment_detail", args=[item.commitment.uid])
        return f"{url}#entry-{item.position}"

    def item_guid(self, item):
        return f"urn:commitment-tracker:entry:{item.commitment.uid}:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return timezone.make_aware(dt.datetime.combine(item.entry_date, dt.time()))

    def item_updateddate(self, item):
        return item.modified_at


class SiteFeed(LatestEntriesFeed, Feed):
    title = gettext_lazy("政策承諾追蹤：最新追蹤紀錄")
    subtitle = gettext_lazy("所有公開承諾的最新追蹤紀錄")

    def link(self):
        return reverse("public:recent")


class CategoryFeed(LatestEntriesFeed, Feed):
    def get_object(self, request, category):
        if not Commitment.objects.published().filter(category=category).exists():
            raise Http404(_("沒有這個類別"))
        return category

    def title(self, obj):
        return _("政策承諾追蹤：%(category)s類的追蹤紀錄") % {"category": obj}

    def link(self, obj):
        return reverse("public:commitment_list") + "?" + urlencode({"category": obj})

    def entries_for(self, obj):
        return self.entries().filter(commitment__category=obj)


class CommitmentFeed(LatestEntriesFeed, Feed):
    def get_object(self, request, uid):
        return get_object_or_404(Commitment.objects.published(), uid=uid)

    def title(self, obj):
        return _("追蹤紀錄：%(title)s") % {"title": obj.title}

    def link(self, obj):
        return reverse("public:commitment_detail", args=[obj.uid])

    def entries_for(self, obj):
        return self.entries().filter(commitment=obj)
