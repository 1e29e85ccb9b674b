"""Sidebar filters of the desk's lists. Each runs at most one query for its choices."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from tracker.core import format as fmt
from tracker.core.agencies import split_agencies
from tracker.core.categories import canonical_category
from tracker.core.models import Commitment, Source, TrackingLog, overdue_condition
from tracker.core.services.timeline import today


class AgencyFilter(admin.SimpleListFilter):
    """Agencies with their aliases merged (衛福部 and 衛生福利部 are one choice)."""

    title = _("負責機關（別名合併）")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        spellings = (
            Commitment.objects.order_by()
            .exclude(responsible_agency=None)
            .values_list("responsible_agency", flat=True)
            .distinct()
        )
        self.spellings: dict[str, set[str]] = {}
        for spelling in spellings:
            for agency in split_agencies(spelling):
                self.spellings.setdefault(agency, set()).add(spelling)
        return [(agency, agency) for agency in sorted(self.spellings)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(responsible_agency__in=self.spellings.get(self.value(), ()))
        return queryset


class OneCommitmentFilter(admin.SimpleListFilter):
    """The records of one commitment, reached from its change page; shown so it can be cleared."""

    title = _("承諾")
    parameter_name = "commitment__id__exact"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        return [
            (str(pk), title)
            for pk, title in Commitment.objects.filter(pk=int(value)).values_list("pk", "title")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(commitment_id=int(value))
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """Categories with their groups merged (文化 and 文化政策 are one choice)."""

    title = _("類別（相近類別合併）")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        names = Commitment.objects.order_by().values_list("category", flat=True).distinct()
        return [(name, name) for name in sorted({canonical_category(name) for name in names})]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.for_category(self.value())
        return queryset


class TermSessionFilter(admin.SimpleListFilter):
    title = _("屆別與會期")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        pairs = (
            Source.objects.filter(commitments__isnull=False)
            .order_by("term", "session_period")
            .values_list("term", "session_period")
            .distinct()
        )
        return [(f"{term}-{session}", f"第{term}屆第{session}會期") for term, session in pairs]

    def queryset(self, request, queryset):
        term, _separator, session = (self.value() or "").partition("-")
        if term and session:
            return queryset.filter(source__term=term, source__session_period=session)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("已逾期（目標日期已過且未達成）")),
            ("no", _("未逾期")),
        ]

    def queryset(self, request, queryset):
        overdue = overdue_condition(today())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title = _("自動判斷")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("pending", _("有未審核的自動判斷"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(
                Exists(TrackingLog.objects.needs_review().filter(commitment=OuterRef("pk")))
            )
        return queryset


class TargetDateFormatFilter(admin.SimpleListFilter):
    """How the target date is written: the data has ROC-calendar dates and placeholders."""

    title = _("目標日期寫法")
    parameter_name = "target_format"

    def lookups(self, request, model_admin):
        return [
            ("iso", _("ISO（YYYY-MM-DD）")),
            ("non_iso", _("非 ISO（民國年或其他）")),
            ("unparsed", _("無法解讀")),
            ("none", _("未填")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "iso":
            return queryset.filter(target_date_text__regex=fmt.ISO_DATE_PATTERN)
        if value == "non_iso":
            return queryset.exclude(target_date_text=None).exclude(
                target_date_text__regex=fmt.ISO_DATE_PATTERN
            )
        if value == "unparsed":
            return queryset.exclude(target_date_text=None).filter(target_date=None)
        if value == "none":
            return queryset.filter(target_date_text=None)
        return queryset
