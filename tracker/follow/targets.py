"""What a reader can follow: a commitment, an agency (any spelling), a category, a search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.core import search
from tracker.core.agencies import canonical_agency, split_agencies
from tracker.core.categories import canonical_category, category_members
from tracker.core.models import Commitment
from tracker.follow.models import Subscription, TargetKind

MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class Target:
    kind: str
    value: str = ""
    commitment: Commitment | None = None

    def label(self) -> str:
        """Return what is followed, as readers read it."""
        if self.kind == TargetKind.COMMITMENT:
            return _("承諾：%(title)s") % {"title": self.commitment.title}
        if self.kind == TargetKind.AGENCY:
            return _("機關：%(agency)s（含各種簡稱）") % {"agency": self.value}
        if self.kind == TargetKind.CATEGORY:
            return _("類別：%(category)s") % {"category": self.value}
        return _("搜尋：「%(query)s」") % {"query": self.value}

    def path(self) -> str:
        """Return the page (in the active language) that shows what is followed."""
        if self.kind == TargetKind.COMMITMENT:
            return reverse("public:commitment_detail", args=[self.commitment.uid])
        parameter = {TargetKind.AGENCY: "agency", TargetKind.CATEGORY: "category"}.get(
            self.kind, "q"
        )
        return reverse("public:commitment_list") + "?" + urlencode({parameter: self.value})

    def query(self) -> str:
        """Return the query string of the follow page for this target."""
        if self.kind == TargetKind.COMMITMENT:
            return urlencode({"commitment": self.commitment.uid})
        parameter = {TargetKind.AGENCY: "agency", TargetKind.CATEGORY: "category"}.get(
            self.kind, "q"
        )
        return urlencode({parameter: self.value})


def target_from_query(params) -> Target:
    """Return the target a follow page's query names, or raise ValidationError."""
    published = Commitment.objects.published()
    if uid := params.get("commitment", "").strip():
        commitment = published.filter(uid=uid).only("pk", "uid", "title").first()
        if commitment is None:
            raise ValidationError(_("找不到這項承諾。"))
        return Target(TargetKind.COMMITMENT, commitment=commitment)
    if agency := params.get("agency", "").strip()[:MAX_VALUE_LENGTH]:
        agency = canonical_agency(agency)
        if not published.for_agency(agency).exists():
            raise ValidationError(_("沒有這個機關的公開承諾。"))
        return Target(TargetKind.AGENCY, agency)
    if category := params.get("category", "").strip()[:MAX_VALUE_LENGTH]:
        # A category group is one target under any of its names, as on the list and feeds.
        category = canonical_category(category)
        if not published.for_category(category).exists():
            raise ValidationError(_("沒有這個類別。"))
        return Target(TargetKind.CATEGORY, category)
    query = " ".join(params.get("q", "").split())
    if len(query) > MAX_VALUE_LENGTH:
        raise ValidationError(_("搜尋字詞太長。"))
    if query and search.parse_query(query):
        return Target(TargetKind.SEARCH, query)
    raise ValidationError(_("請從承諾、機關、類別或搜尋結果頁面點選「以電子郵件追蹤」。"))


def target_of(subscription: Subscription) -> Target:
    return Target(subscription.kind, subscription.value, subscription.commitment)


def matching_commitments(targets: Iterable[Target], candidates) -> dict[Target, set[int]]:
    """Return, per target, which of CANDIDATES (published commitments) it covers.

    CANDIDATES are the commitments that changed: agencies and categories are matched on
    their loaded fields, searches with one query each.
    """
    rows = list(candidates.values_list("pk", "category", "responsible_agency"))
    result: dict[Target, set[int]] = {}
    for target in set(targets):
        if target.kind == TargetKind.COMMITMENT:
            ids = {pk for pk, _category, _agency in rows if pk == target.commitment.pk}
        elif target.kind == TargetKind.AGENCY:
            ids = {pk for pk, _category, agency in rows if target.value in split_agencies(agency)}
        elif target.kind == TargetKind.CATEGORY:
            members = set(category_members(target.value))
            ids = {pk for pk, category, _agency in rows if category in members}
        else:
            ids = set(candidates.search(target.value).values_list("pk", flat=True))
        result[target] = ids
    return result
