"""Commitments, the Executive Yuan replies they come from, and their tracking timeline."""

import datetime as dt
import functools
import re
import secrets
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from tracker.core import format as fmt
from tracker.core import search
from tracker.core.agencies import canonical_agency, split_agencies
from tracker.core.categories import category_members
from tracker.core.links import web_url_problem


class CachedHistoryManager(HistoryManager):
    """simple-history's manager, with its class built once instead of on every access.

    simple-history's descriptor calls ``from_queryset`` (a new class, via ``inspect``) each
    time ``Model.history`` or ``instance.history`` is read, which every save does: a third of
    a millisecond per save, a large part of an import.
    """

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class Status(models.TextChoices):
    TRACKING = fmt.STATUS_TRACKING, _("追蹤中")
    ACHIEVED = fmt.STATUS_ACHIEVED, _("已達成")
    DELAYED = fmt.STATUS_DELAYED, _("已延宕")
    STALE = fmt.STATUS_STALE, _("無更新")


class EntryKind(models.TextChoices):
    CREATED = fmt.KIND_CREATED, _("初始建立")
    PROGRESS = fmt.KIND_PROGRESS, _("進度更新")
    STATUS_CHANGE = fmt.KIND_STATUS_CHANGE, _("狀態變更")


# A name for each status in ASCII, for style classes and icons on every page.
STATUS_SLUGS = {
    Status.TRACKING: "tracking",
    Status.ACHIEVED: "achieved",
    Status.DELAYED: "delayed",
    Status.STALE: "stale",
}


def status_slug(status: str) -> str:
    """Return a status's ASCII name ("other" for a status the format does not know)."""
    return STATUS_SLUGS.get(status, "other")


class Origin(models.TextChoices):
    """Where a timeline entry came from: the upstream pipeline's files or the newsroom."""

    UPSTREAM = "upstream", _("上游資料")
    NEWSROOM = "newsroom", _("編輯部")


class EntryShape(models.TextChoices):
    TEXT = fmt.SHAPE_TEXT, _("自由文字")
    STATUS_RULE = fmt.SHAPE_STATUS_RULE, _("狀態與原因")
    EVIDENCE = fmt.SHAPE_EVIDENCE, _("引用文件")


def validate_file_path(value: str) -> None:
    """Refuse a commitment file path that could escape the export folder."""
    problem = file_path_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_path")


def validate_web_url(value: str) -> None:
    """Refuse a non-empty address that is not a full http:// or https:// URL."""
    if value and web_url_problem(value) is not None:
        raise ValidationError(
            _("網址必須是 http:// 或 https:// 開頭的完整網址"), code="invalid_url"
        )


# Most file systems allow 255 bytes per folder or file name (not characters: a Chinese
# character is 3 bytes in UTF-8, so 85 of them fill a name).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 900
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: a name
# holding one breaks listings, shells and the one-line messages that name the file.
UNSAFE_IN_FILE_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def file_path_problem(value: str) -> str | None:
    """Return why a relative file path is unsafe or malformed, or None when it is fine."""
    if not value:
        return _("路徑不可為空")
    if "\x00" in value:
        return _("路徑不可包含 NUL 字元")
    unsafe = UNSAFE_IN_FILE_NAME.search(value)
    if unsafe:
        return _("路徑不可包含控制字元（%(code)s）") % {"code": f"U+{ord(unsafe.group()):04X}"}
    if "\\" in value:
        return _("路徑請用 / 分隔，不可包含 \\")
    path = PurePosixPath(value)
    if path.is_absolute() or value.startswith("/"):
        return _("路徑必須是相對路徑（例如 國防外交/捍衛國家主權.md）")
    if any(part in ("", ".", "..") for part in value.split("/")):
        return _("路徑不可包含 .、.. 或空的資料夾名稱")
    if any(part.startswith(".") for part in path.parts):
        return _("路徑的資料夾與檔名不可以 . 開頭")
    if path.suffix != ".md":
        return _("檔名必須以 .md 結尾")
    if len(value.encode("utf-8")) > MAX_PATH_BYTES:
        return _("路徑太長")
    for part in path.parts:
        size = len(part.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            return _("「%(name)s…」有 %(size)d 位元組；資料夾或檔名最多 %(limit)d 位元組") % {
                "name": part[:20],
                "size": size,
                "limit": MAX_NAME_BYTES,
            }
    return None


class Versioned(models.Model):
    """A row whose version goes up on every save, so an editor's stale form is noticed."""

    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.version += 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            auto_now = {
                field.name
                for field in self._meta.concrete_fields
                if getattr(field, "auto_now", False)
            }
            kwargs["update_fields"] = {*update_fields, "version", *auto_now}
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field):  # Django's name: get_status_display and the like
        """Return a choice field's label, as Django does, from the field's labels kept by
        value (:func:`choice_labels`).

        Django builds a dict of the field's choices on every call, and hashing each lazy
        label translates it: a long timeline asks for dozens of its entries' kinds, a list
        for each row's status."""
        value = make_hashable(getattr(self, field.attname))
        return force_str(choice_labels(field).get(value, value), strings_only=True)


@functools.cache
def choice_labels(field) -> dict:
    """Return a choice field's labels (lazy: translated when shown) by value."""
    return {make_hashable(value): label for value, label in field.flatchoices}


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Return the replies a published commitment cites (those readers can open)."""
        return self.filter(pk__in=Commitment.objects.published().order_by().values("source_id"))

    def to_review(self):
        """Return imported replies no commitment cites yet and no editor has set aside."""
        cited_numbers = TrackingLog.objects.exclude(document_number="").values("document_number")
        return (
            self.filter(imported_from_replies__isnull=False, reviewed_at__isnull=True)
            .exclude(commitments__isnull=False)
            .exclude(ey_number__in=cited_numbers)
        )


class Source(Versioned):
    """One Executive Yuan written reply to a Legislative Yuan interpellation."""

    document_id = models.CharField(_("答復文件識別碼"), max_length=64, unique=True)
    term = models.CharField(_("屆別"), max_length=10, db_index=True)
    session_period = models.CharField(_("會期"), max_length=10, db_index=True)
    ey_number = models.CharField(_("行政院函號"), max_length=300, blank=True)
    url = models.URLField(_("文件連結"), max_length=500, blank=True, validators=[validate_web_url])
    subject = models.TextField(_("主旨"), blank=True)
    reply_text = models.TextField(_("答復內容"), blank=True)
    # Filled by import_replies from the Legislative Yuan's open data (issue 6).
    session_times = models.CharField(_("會次"), max_length=10, blank=True)
    ly_number = models.CharField(_("立法院函號"), max_length=300, blank=True)
    imported_from_replies = models.DateTimeField(
        _("匯入答復資料時間"), null=True, blank=True, editable=False
    )
    reviewed_at = models.DateTimeField(
        _("審閱完成時間"),
        null=True,
        blank=True,
        help_text=_("編輯看過這份新答復、決定不需再處理的時間；未審閱者列在「待審閱的新答復」"),
    )
    modified_at = models.DateTimeField(_("資料庫更新時間"), auto_now=True)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["modified_at"],
        verbose_name=_("答復文件修改紀錄"),
        verbose_name_plural=_("答復文件修改紀錄"),
    )

    class Meta:
        verbose_name = _("答復文件")
        verbose_name_plural = _("答復文件")
        ordering = ["term", "session_period", "document_id"]
        indexes = [models.Index(fields=["term", "session_period"], name="source_term_session")]

    def __str__(self):
        label = self.subject or self.ey_number or self.document_id
        return f"第{self.term}屆第{self.session_period}會期 {label[:60]}"

    def to_data(self) -> fmt.SourceData:
        return fmt.SourceData(
            document_id=self.document_id,
            term=self.term,
            session_period=self.session_period,
            ey_number=self.ey_number,
            url=self.url,
        )


def overdue_condition(today=None) -> Q:
    """Return the condition of being overdue: the target date has passed, not achieved."""
    return Q(target_date__lt=today or timezone.localdate()) & ~Q(status=Status.ACHIEVED)


class NullsLastIndex(models.Index):
    """An index whose descending columns keep their nulls last, as the list's sorts do.

    PostgreSQL's descending order puts nulls first unless told otherwise; SQLite's puts them
    last already and refuses the NULLS clause in an index, so it gets the plain columns.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using, **kwargs)
        columns = [
            models.F(name).desc(nulls_last=True) if order == "DESC" else models.F(name)
            for name, order in self.fields_orders
        ]
        index = models.Index(*columns, name=self.name)
        return index.create_sql(model, schema_editor, using, **kwargs)


def _by_status(rows) -> dict[str, int]:
    """Return status -> number from (status, number) rows, every status present."""
    counts = dict.fromkeys(Status.values, 0)
    for status, number in rows:
        counts[status] = counts.get(status, 0) + number
    return counts


def _by_agency(rows) -> dict[str, dict[str, int]]:
    """Return canonical agency -> status -> number from (agency field, status, number) rows:
    a field naming two agencies counts for each, a field naming none for no agency."""
    result: dict[str, dict[str, int]] = {}
    for spelling, status, number in rows:
        for agency in split_agencies(spelling):
            counts = result.setdefault(agency, dict.fromkeys(Status.values, 0))
            counts[status] = counts.get(status, 0) + number
    return result


class DistinctFrom(Lookup):
    """Whether two values differ, NULL told from every value (SQL's IS DISTINCT FROM, which
    SQLite spells IS NOT): a lookup to use as an expression, ``filter(DistinctFrom(a, b))``."""

    lookup_name = "distinct_from"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        operator = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
        return f"{lhs} {operator} {rhs}", [*lhs_params, *rhs_params]


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        """Return the commitments a reader may see."""
        return self.filter(is_published=True)

    def locked(self, pk):
        """Return one commitment read under a row lock (call inside a transaction), so that
        writers to it and to its timeline queue instead of overwriting each other."""
        return self.select_for_update().get(pk=pk)

    def with_timeline(self):
        """Return commitments with their source and log entries loaded in two queries."""
        return self.select_related("source").prefetch_related(
            Prefetch(
                "log_entries",
                queryset=TrackingLog.objects.select_related("created_by").order_by("position"),
            )
        )

    def with_page_parts(self):
        """Return commitments knowing which parts of their page they have: agency questions,
        completion criteria, public corrections, a target date that was ever written
        otherwise (``has_questions`` … ``target_date_rewritten``).

        Most commitments have none of them, and each is one more round trip to the
        database when read; these are index lookups in the commitment's own query."""
        own = OuterRef("pk")
        rewritten = self.model.history.model.objects.filter(
            DistinctFrom(F("target_date_text"), OuterRef("target_date_text")), id=own
        )
        return self.annotate(
            has_questions=Exists(AgencyQuestion.objects.filter(commitment=own)),
            has_criteria=Exists(CompletionCriterion.objects.filter(commitment=own)),
            has_corrections=Exists(Correction.objects.public().filter(commitment=own)),
            target_date_rewritten=Exists(rewritten),
        )

    def with_log_count(self):
        return self.annotate(log_count=Count("log_entries"))

    def search(self, query):
        """Return the commitments matching a reader's query (text or tracker.core.search.Query)."""
        if not isinstance(query, search.Query):
            query = search.parse_query(query)
        return self.filter(search.matching(query)) if query else self

    def overdue(self, today=None):
        """Return the commitments whose target date has passed and that are not achieved."""
        return self.filter(overdue_condition(today))

    def tallies(self, today=None) -> list[dict]:
        """Return the number of commitments, and of overdue ones, per status, category and
        agency field, counted from the table in one query (an index-only scan of
        commitment_tallies); the pages read the kept counts instead (CommitmentTally)."""
        return list(
            self.order_by()
            .values("status", "category", "responsible_agency")
            .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_condition(today)))
        )

    def for_category(self, name: str):
        """Return the commitments filed under a category's group, under any of its names."""
        return self.filter(category__in=category_members(name))

    def delayed_before_target(self, today=None):
        """Return the 已延宕 commitments whose target date (ISO or 民國) has not passed."""
        today = today or timezone.localdate()
        return self.filter(status=Status.DELAYED, target_date__gte=today)

    def agency_fields(self, name: str) -> list[str]:
        """Return the agency fields (as written) that name an agency under any spelling."""
        canonical = canonical_agency(name)
        # From the tallies the database keeps (a few hundred rows), not the whole table.
        return sorted(
            spelling
            for spelling in CommitmentTally.objects.filter(number__gt=0)
            .order_by()
            .values_list("responsible_agency", flat=True)
            .distinct()
            if canonical in split_agencies(spelling)
        )

    def for_agency(self, name: str, *, fields: list[str] | None = None):
        """Return the commitments naming an agency under any of its spellings (FIELDS: its
        agency_fields, when the caller has read them already)."""
        if fields is None:
            fields = self.agency_fields(name)
        return self.filter(responsible_agency__in=fields)

    def achieved_with_unmet_criteria(self):
        """Return 已達成 commitments that a completion criterion not met contradicts."""
        return self.filter(
            status=Status.ACHIEVED,
            pk__in=CompletionCriterion.objects.unsettled().values("commitment_id"),
        )

    def status_counts(self) -> dict[str, int]:
        """Return status -> number of commitments, every status present (0 where none)."""
        return _by_status(self.order_by().values_list("status").annotate(n=Count("pk")))

    def counts_by_agency(self) -> dict[str, dict[str, int]]:
        """Return canonical agency -> status -> count (a field naming two agencies counts
        for each; commitments naming none are left out)."""
        rows = self.order_by().values_list("responsible_agency", "status").annotate(n=Count("pk"))
        return _by_agency(rows)

    def for_list(self):
        """Return commitments with what a list row shows, leaving long texts unread."""
        return self.select_related("source").defer(
            "wording", "target_value", "source__reply_text", "source__subject"
        )


class Commitment(Versioned):
    """A promise the Executive Yuan made in a written reply, and what became of it."""

    uid = models.CharField(
        _("識別碼"),
        max_length=36,
        unique=True,
        help_text=_("檔案中的 id：36 個字元，匯入與匯出以此對應同一筆承諾"),
    )
    title = models.CharField(_("標題"), max_length=500)
    category = models.CharField(_("類別"), max_length=100, db_index=True)
    status = models.CharField(
        _("狀態"), max_length=10, choices=Status.choices, default=Status.TRACKING, db_index=True
    )
    # The format tells null (no value) from "" (an empty value), so these text fields are
    # nullable, against Django's usual advice.
    # The file keeps the target date as written (ISO, ROC calendar, or a placeholder);
    # target_date is what it means, where it can be understood, for filters and rules.
    target_date_text = models.CharField(  # noqa: DJ001
        _("目標日期（原文）"), max_length=100, null=True, blank=True
    )
    target_date = models.DateField(
        _("目標日期"), null=True, blank=True, db_index=True, editable=False
    )
    target_value = models.TextField(_("目標值"), null=True, blank=True)  # noqa: DJ001
    responsible_agency = models.CharField(  # noqa: DJ001
        _("負責機關"), max_length=200, null=True, blank=True, db_index=True
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("來源答復")
    )
    wording = models.TextField(_("承諾原文"))
    shows_reply = models.BooleanField(
        _("檔案附上來源回覆"),
        default=True,
        help_text=_("匯出的檔案是否包含「來源回覆」一節（原始資料有些檔案省略）"),
    )
    file_path = models.CharField(
        _("檔案路徑"),
        max_length=300,
        unique=True,
        validators=[validate_file_path],
        help_text=_("匯出時的相對路徑，例如 國防外交/捍衛國家主權.md"),
    )
    created_date = models.DateField(_("建立日期"))
    last_updated = models.DateField(_("最後更新"), db_index=True)
    is_published = models.BooleanField(_("已公開"), default=True, db_index=True)
    modified_at = models.DateTimeField(_("資料庫更新時間"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["modified_at"],
        verbose_name=_("承諾修改紀錄"),
        verbose_name_plural=_("承諾修改紀錄"),
    )

    class Meta:
        verbose_name = _("承諾")
        verbose_name_plural = _("承諾")
        ordering = ["-last_updated", "title"]
        permissions = [("publish_commitment", _("可公開或撤下承諾"))]
        # Covering indexes: the counts (CommitmentQuerySet.tallies) and the list's default
        # order (also within a status filter) read only these columns, never the rows with
        # their long texts. is_published
        # comes last: SQLite tests a boolean as a bare column, which no index prefix serves.
        indexes = [
            models.Index(
                fields=["status", "category", "responsible_agency", "target_date", "is_published"],
                name="commitment_tallies",
            ),
            models.Index(
                fields=["-last_updated", "title", "id", "is_published"],
                name="commitment_list_order",
            ),
            models.Index(
                fields=["status", "-last_updated", "title", "id", "is_published"],
                name="commitment_status_order",
            ),
            # The list filtered by category or agency (a group: IN over its spellings) in its
            # default order: SQLite reads each spelling's first rows in order and stops, where
            # the single-column index made it read and sort all of them (the 16,300 rows of
            # 衛生福利部 at 100×: 21 ms -> 0.09 ms). PostgreSQL walks commitment_list_order.
            models.Index(
                fields=["category", "-last_updated", "title", "id", "is_published"],
                name="commitment_category_order",
            ),
            models.Index(
                fields=["responsible_agency", "-last_updated", "title", "id", "is_published"],
                name="commitment_agency_order",
            ),
            # The list sorted by target date, either way (nulls last both ways): read in order
            # from either end, not sorted whole (PostgreSQL sorted all 118,500 rows at 100×
            # for every page). They serve the target-year filter and menu too.
            models.Index(
                fields=["target_date", "title", "id", "is_published"],
                name="commitment_target_order",
            ),
            NullsLastIndex(
                fields=["-target_date", "title", "id", "is_published"],
                name="commitment_target_desc_order",
            ),
            # The list oldest update first (title and key still ascending: not the reverse
            # of commitment_list_order).
            models.Index(
                fields=["last_updated", "title", "id", "is_published"],
                name="commitment_updated_order",
            ),
            # The list sorted by title: read in order, not sorted whole.
            models.Index(fields=["title", "id", "is_published"], name="commitment_title_order"),
            # With source_term_session: the list's term and session menus without the rows;
            # a search's matched replies give their commitments' ids from it alone (on
            # PostgreSQL a lookup by source_id alone read 18,700 rows for 疫苗 at 100×).
            models.Index(
                fields=["source", "is_published", "id"], name="commitment_published_sources"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.target_date = fmt.parse_target_date(self.target_date_text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "target_date_text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "target_date"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.target_date_text is not None and not self.target_date_text.strip():
            self.target_date_text = None

    def to_data(self) -> fmt.CommitmentData:
        """Return this commitment as the format's dataclass (uses the prefetched timeline)."""
        source = self.source
        reply = None
        if self.shows_reply:
            reply = fmt.ReplyData(subject=source.subject, text=source.reply_text)
        return fmt.CommitmentData(
            id=self.uid,
            title=self.title,
            category=self.category,
            status=self.status,
            target_date=self.target_date_text,
            target_value=self.target_value,
            responsible_agency=self.responsible_agency,
            source=source.to_data(),
            created_at=self.created_date,
            last_updated=self.last_updated,
            wording=self.wording,
            reply=reply,
            log=[entry.to_data() for entry in self.log_entries.all()],
        )


# What a timeline entry says, as the file writes it (format.LogEntryData's fields).
ENTRY_FIELDS = (
    "entry_date",
    "kind",
    "shape",
    "text",
    "from_status",
    "to_status",
    "reason",
    "source_type",
    "document_number",
    "document_url",
    "summary",
    "judgement",
)


class TallyRow(NamedTuple):
    """One kept tally (CommitmentTally) as the public pages read it: CommitmentTallyQuerySet.
    kept_rows."""

    status: str
    category: str
    responsible_agency: str | None
    target_date: dt.date | None
    term: str | None
    session_period: str | None
    number: int
    overdue: bool | None  # None: no target date


def tally_totals(rows: Iterable[TallyRow]) -> list[dict]:
    """Return the number of commitments, and of overdue ones, per status, category and
    agency field, from kept tallies (CommitmentTallyQuerySet.kept_rows): the rows of
    CommitmentQuerySet.tallies, which counts the table (no field that counts none)."""
    totals: dict[tuple, dict] = {}
    for row in rows:
        key = (row.status, row.category, row.responsible_agency)
        total = totals.get(key)
        if total is None:
            total = totals[key] = {
                "status": row.status,
                "category": row.category,
                "responsible_agency": row.responsible_agency,
                "n": 0,
                "overdue": 0,
            }
        total["n"] += row.number
        if row.overdue:
            total["overdue"] += row.number
    return [total for total in totals.values() if total["n"] > 0]


class CommitmentTallyQuerySet(models.QuerySet):
    def published(self):
        """Return the tallies of the commitments a reader may see (none of them empty)."""
        return self.filter(is_published=True, number__gt=0)

    def kept_rows(self, today=None) -> list[TallyRow]:
        """Return the tallies as kept, each with whether its commitments are overdue
        (overdue_condition): a few hundred rows, from which the overview, the list's length
        and its menus are all counted (tally_totals, the menus), in one read."""
        overdue = ExpressionWrapper(overdue_condition(today), output_field=models.BooleanField())
        rows = self.order_by().annotate(overdue=overdue).values_list(*TallyRow._fields)
        return [TallyRow(*row) for row in rows]

    def tallies(self, today=None) -> list[dict]:
        """Return the number of commitments, and of overdue ones, per status, category and
        agency field (as CommitmentQuerySet.tallies counts them), from the kept tallies."""
        return tally_totals(self.kept_rows(today))

    def status_counts(self) -> dict[str, int]:
        """CommitmentQuerySet.status_counts of the tallies' commitments, from the tallies."""
        return _by_status(self.order_by().values_list("status").annotate(n=Sum("number")))

    def counts_by_agency(self) -> dict[str, dict[str, int]]:
        """CommitmentQuerySet.counts_by_agency of the tallies' commitments, from the tallies
        (a few hundred rows, not the table)."""
        rows = self.order_by().values_list("responsible_agency", "status").annotate(n=Sum("number"))
        return _by_agency(rows)


class CommitmentTally(models.Model):
    """How many commitments share one value of each field the public counts read.

    Kept exact by the database itself: triggers on commitments and sources
    (tracker/core/tallies.py, created by a migration) add and subtract on every write,
    whichever path makes it (save, bulk_create, QuerySet.update, delete, raw SQL). So the
    overview, the list's length and its menus read a few hundred rows, never the table.
    """

    # The other columns joined, NULL told from "" (the conflict key of the triggers' upsert:
    # a unique constraint over nullable columns would not match NULLs).
    key = models.TextField(unique=True, editable=False)
    status = models.CharField(max_length=10)
    category = models.CharField(max_length=100)
    responsible_agency = models.CharField(max_length=200, null=True)  # noqa: DJ001
    target_date = models.DateField(null=True)
    is_published = models.BooleanField()
    term = models.CharField(max_length=10, null=True)  # noqa: DJ001
    session_period = models.CharField(max_length=10, null=True)  # noqa: DJ001
    number = models.IntegerField()

    objects = CommitmentTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("承諾計數")
        verbose_name_plural = _("承諾計數")
        default_permissions = ()

    def __str__(self):
        return f"{self.key}: {self.number}"


class LatestEntryQuerySet(models.QuerySet):
    def published(self):
        """Return the rows of published commitments, newest entry first, then the latest
        update, then the commitment's id: /recent/'s order, read from latest_entry_order."""
        return self.filter(is_published=True).order_by(
            "-entry_date", "-last_updated", "commitment_id"
        )


class LatestEntry(models.Model):
    """The date of a commitment's newest timeline entry, for /recent/.

    Kept exact by the database itself: triggers on entries and commitments
    (tracker/core/latest_entries.py, created by a migration) on every write, whichever path
    makes it. The commitment's last update and published flag are copied beside the date so
    that one index holds /recent/'s whole order. No foreign key constraint: a commitment's
    entries and the commitment are deleted in either order, and the triggers remove the row.
    """

    commitment = models.OneToOneField(
        "Commitment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    entry_date = models.DateField()
    last_updated = models.DateField()
    is_published = models.BooleanField()

    objects = LatestEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("最新紀錄日期")
        verbose_name_plural = _("最新紀錄日期")
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["-entry_date", "-last_updated", "commitment", "is_published"],
                name="latest_entry_order",
            )
        ]

    def __str__(self):
        return f"{self.commitment_id}: {self.entry_date.isoformat()}"


class TrackingLogQuerySet(models.QuerySet):
    def of_published(self):
        """Return the entries of published commitments.

        A semi-join (EXISTS), not a join with a condition on the commitment: for the join
        SQLite 3.38+ first builds a Bloom filter over every published commitment, so "the
        newest ten entries" read the whole table (50 ms at 118,500 commitments); EXISTS
        reads the entries' index newest first and stops after ten (0.03 ms).
        """
        published = Commitment.objects.filter(pk=OuterRef("commitment_id"), is_published=True)
        return self.filter(Exists(published))

    def automated(self):
        """Return the entries whose judgement software made (the file's AI 判斷)."""
        return self.exclude(judgement="").filter(created_by__isnull=True)

    def needs_review(self):
        """Return the automated entries no editor has reviewed yet."""
        return self.automated().filter(reviewed_at__isnull=True)

    def for_entry_lines(self):
        """Return entries with what a one-line entry shows (overview, recent, agency pages):
        date, kind, what it did to the status, the summary and who wrote it, its commitment."""
        return self.select_related("commitment").only(
            "commitment__uid",
            "commitment__title",
            "commitment__status",
            "entry_date",
            "kind",
            "shape",
            "from_status",
            "to_status",
            "summary",
            "reason",
            "judgement",
            "origin",
            "created_by",
            "reviewed_at",
            "position",
        )


class TrackingLog(Versioned):
    """One dated entry of a commitment's timeline."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("承諾")
    )
    position = models.PositiveIntegerField(_("順序"))
    entry_date = models.DateField(_("日期"), db_index=True)
    kind = models.CharField(_("類型"), max_length=20, choices=EntryKind.choices)
    shape = models.CharField(
        _("格式"), max_length=20, choices=EntryShape.choices, default=EntryShape.TEXT
    )
    text = models.TextField(_("內容"), blank=True)
    from_status = models.CharField(_("原狀態"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新狀態"), max_length=10, choices=Status.choices, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    source_type = models.CharField(_("來源類型"), max_length=100, blank=True)
    document_number = models.CharField(_("文件編號"), max_length=300, blank=True)
    document_url = models.CharField(
        _("來源連結"), max_length=500, blank=True, validators=[validate_web_url]
    )
    summary = models.TextField(_("內容摘要"), blank=True)
    judgement = models.CharField(
        _("自動判斷"),
        max_length=50,
        blank=True,
        help_text=_("檔案中的「AI 判斷」：由軟體判定，未經編輯確認"),
    )
    modified_at = models.DateTimeField(_("資料庫更新時間"), auto_now=True)
    # Who logged the entry in the admin; null for imported and rule-made entries, whose
    # judgement (if any) software made.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("記錄者"),
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("審核者"),
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("審核時間"), null=True, blank=True, editable=False)
    # Provenance: an upstream file brought it (which sync run), or the newsroom wrote it (an
    # editor, created_by, or our own date rules, created_by null).
    origin = models.CharField(
        _("來源"), max_length=10, choices=Origin.choices, default=Origin.NEWSROOM, editable=False
    )
    sync_run = models.ForeignKey(
        "SyncRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("匯入的同步作業"),
        editable=False,
    )
    # The entry's permanent identity within its commitment (tracker.core.format.timeline_keys):
    # a hash of its bytes when it was written, kept when an editor corrects it, so the sync
    # still knows which upstream entry it is.
    key = models.CharField(_("紀錄識別碼"), max_length=40, editable=False)
    # The id of the commitment whose timeline this entry came from, when an editor merged
    # that duplicate into this one (tracker.core.services.commitment_merge); "" otherwise.
    merged_from = models.CharField(_("併入自"), max_length=36, blank=True, editable=False)

    objects = TrackingLogQuerySet.as_manager()
    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["modified_at"],
        verbose_name=_("追蹤紀錄修改紀錄"),
        verbose_name_plural=_("追蹤紀錄修改紀錄"),
    )

    class Meta:
        verbose_name = _("追蹤紀錄")
        verbose_name_plural = _("追蹤紀錄")
        ordering = ["commitment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "position"], name="tracking_log_unique_position"
            ),
            models.UniqueConstraint(fields=["commitment", "key"], name="tracking_log_unique_key"),
        ]
        # The overview's latest entries: newest first, ties by id, without sorting a day's
        # entries (PostgreSQL sorted every entry of the newest date).
        indexes = [models.Index(fields=["-entry_date", "-id"], name="tracking_log_latest")]

    def __str__(self):
        return f"{self.entry_date.isoformat()} [{self.kind}]"

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = self.next_key()
        super().save(*args, **kwargs)

    def next_key(self) -> str:
        """Return the key a new entry with these values gets: its fingerprint, numbered
        after the commitment's entries that have the same bytes (fmt.timeline_keys)."""
        fingerprint = fmt.entry_fingerprint(self.to_data())
        taken = set(
            TrackingLog.objects.filter(
                commitment_id=self.commitment_id, key__startswith=fingerprint
            ).values_list("key", flat=True)
        )
        key, count = fingerprint, 1
        while key in taken:
            count += 1
            key = f"{fingerprint}-{count}"
        return key

    @property
    def is_upstream(self) -> bool:
        return self.origin == Origin.UPSTREAM

    @property
    def is_own_upstream(self) -> bool:
        """Whether upstream delivered this entry in this commitment's own file (not in the
        file of a duplicate merged into it)."""
        return self.is_upstream and not self.merged_from

    @property
    def is_automated(self) -> bool:
        """Whether software, not an editor, made this entry's judgement."""
        return bool(self.judgement) and self.created_by_id is None

    @property
    def needs_review(self) -> bool:
        return self.is_automated and self.reviewed_at is None

    def to_data(self) -> fmt.LogEntryData:
        return fmt.LogEntryData(**{name: getattr(self, name) for name in ENTRY_FIELDS})


class DuplicateReason(models.TextChoices):
    """Why the import kept another file of the same id (the rule of services.commitment_import)."""

    NEWER = "newer", _("保留的版本最後更新日期較新")
    MORE_ENTRIES = "more_entries", _("最後更新日期相同，保留的版本追蹤紀錄較多")
    FIRST_BY_PATH = "first_by_path", _("最後更新日期與追蹤紀錄數都相同，保留路徑排序在前的檔案")


class DuplicateCopy(models.Model):
    """A second file with an id already taken, kept whole so an editor can merge it."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="duplicate_copies",
        verbose_name=_("保留的承諾"),
    )
    file_path = models.CharField(_("未採用的檔案"), max_length=300)
    reason = models.CharField(_("原因"), max_length=20, choices=DuplicateReason.choices)
    last_updated = models.DateField(_("該檔最後更新"))
    log_count = models.PositiveIntegerField(_("該檔紀錄數"))
    file_text = models.TextField(_("該檔內容"))
    detected_at = models.DateTimeField(_("發現時間"), auto_now=True)

    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["detected_at"],
        verbose_name=_("重複檔案修改紀錄"),
        verbose_name_plural=_("重複檔案修改紀錄"),
    )

    class Meta:
        verbose_name = _("重複 id 的檔案")
        verbose_name_plural = _("重複 id 的檔案")
        ordering = ["commitment", "file_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "file_path"], name="duplicate_copy_unique_path"
            )
        ]

    def __str__(self):
        return self.file_path


class CommitmentAliasQuerySet(models.QuerySet):
    def published_uid(self, **lookup) -> str | None:
        """Return the id of the published commitment an alias (found by uid or file_path)
        leads to, or None."""
        return (
            self.filter(commitment__is_published=True, **lookup)
            .values_list("commitment__uid", flat=True)
            .first()
        )


class CommitmentAlias(models.Model):
    """The id of a duplicate commitment merged into another: its address and upstream's
    later files for it lead to the kept commitment."""

    uid = models.CharField(_("併入的識別碼"), max_length=36, unique=True)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("保留的承諾")
    )
    title = models.CharField(_("併入承諾的標題"), max_length=500)
    file_path = models.CharField(_("併入承諾的檔案路徑"), max_length=300)
    # The last file upstream delivered for the merged id (what its next file is merged
    # against); empty when it never came from upstream.
    upstream_text = models.TextField(_("上游檔案內容"), blank=True)
    merged_at = models.DateTimeField(_("合併時間"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("合併者"),
    )

    objects = CommitmentAliasQuerySet.as_manager()

    class Meta:
        verbose_name = _("已合併的承諾識別碼")
        verbose_name_plural = _("已合併的承諾識別碼")
        ordering = ["-merged_at", "uid"]

    def __str__(self):
        return f"{self.uid} → {self.commitment_id}"


class ReplyToReview(Source):
    """A new Legislative Yuan reply that no commitment cites yet: the editors' queue."""

    objects = SourceQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("待審閱的新答復")
        verbose_name_plural = _("待審閱的新答復")
        ordering = ["-imported_from_replies", "document_id"]


class SearchDocument(models.Model):
    """The searchable text of one part of a commitment, or of one source reply, as index tokens.

    Written by the services that write commitments, sources and log entries (see
    tracker/search.py for the design); each database indexes ``tokens`` its own way. The id
    is the document's key, not a counter: its owner's id and its part
    (:func:`tracker.core.search.document_key`), so the index's ids alone say what matched.
    """

    id = models.BigIntegerField(primary_key=True, verbose_name="ID")

    class Part(models.IntegerChoices):
        TITLE = search.TITLE, _("標題")
        OWN = search.OWN, _("承諾原文與負責機關")
        REPLY = search.REPLY, _("來源回覆")
        TIMELINE = search.TIMELINE, _("追蹤紀錄")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="search_documents",
        verbose_name=_("承諾"),
    )
    source = models.OneToOneField(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="search_document",
        verbose_name=_("答復文件"),
    )
    part = models.PositiveSmallIntegerField(_("部分"), choices=Part.choices, default=Part.OWN)
    tokens = models.TextField(_("索引詞"), blank=True)

    class Meta:
        verbose_name = _("搜尋索引")
        verbose_name_plural = _("搜尋索引")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commitment__isnull=False, source__isnull=True)
                | models.Q(commitment__isnull=True, source__isnull=False),
                name="search_document_one_owner",
            ),
            models.UniqueConstraint(
                fields=["commitment", "part"], name="search_document_one_per_part"
            ),
            # The key (search.document_key): a commitment's parts, or a source's reply.
            models.CheckConstraint(
                condition=models.Q(
                    commitment__isnull=False,
                    id=models.F("commitment_id") * (1 << search.KEY_BITS) + models.F("part"),
                )
                & ~models.Q(part=search.REPLY)
                | models.Q(
                    source__isnull=False,
                    part=search.REPLY,
                    id=models.F("source_id") * (1 << search.KEY_BITS) + search.REPLY,
                ),
                name="search_document_key",
            ),
        ]

    def __str__(self):
        return (
            f"commitment {self.commitment_id}" if self.commitment_id else f"source {self.source_id}"
        )


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待處理")
    ACCEPTED = "accepted", _("已採納")
    REJECTED = "rejected", _("不採納")


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Return the accepted corrections of published commitments, newest decision first."""
        return (
            self.filter(status=CorrectionStatus.ACCEPTED, commitment__is_published=True)
            .select_related("commitment")
            .order_by("-decided_at", "-pk")
        )


class Correction(models.Model):
    """A reader's suggested correction to a commitment, waiting for an editor's decision."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("承諾")
    )
    message = models.TextField(_("建議更正的內容"), max_length=2000)
    evidence = models.CharField(
        _("佐證資料"), max_length=500, blank=True, help_text=_("文件名稱、函號或網址")
    )
    contact = models.CharField(
        _("聯絡方式"), max_length=200, blank=True, help_text=_("不會公開，只供編輯聯絡")
    )
    status = models.CharField(
        _("處理狀態"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
        db_index=True,
    )
    public_note = models.TextField(
        _("公開說明"), blank=True, help_text=_("採納時必填：顯示在公開更正紀錄中的說明")
    )
    submitted_at = models.DateTimeField(_("提交時間"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("處理時間"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("處理人"),
    )
    # A keyed hash of the sender's address: enough to rate-limit, not enough to identify.
    client_key = models.CharField(_("來源代碼"), max_length=64, db_index=True, editable=False)
    # The random part of the form's signed token: unique, so one form is sent at most once.
    # Empty (NULL) for corrections sent before tokens had one.
    form_nonce = models.CharField(
        _("表單代碼"), max_length=32, null=True, blank=True, unique=True, editable=False
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("讀者更正")
        verbose_name_plural = _("讀者更正")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.commitment} ({self.get_status_display()})"

    @property
    def is_public(self) -> bool:
        """Whether readers see it: only accepted corrections are published."""
        return self.status == CorrectionStatus.ACCEPTED


def new_counts_token() -> int:
    """Return a random counts token (DataVersion.counts_token), as the triggers draw one."""
    return secrets.randbits(52)


class DataVersion(models.Model):
    """One row whose number goes up with every change to the published data.

    Public pages use it as their ETag and Last-Modified, so a reader's cached copy is
    revalidated with one primary-key read and is never stale after a save.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()
    # Drawn anew by the tallies' triggers whenever a count moves (tracker/core/tallies.py):
    # what is computed from the tallies alone is kept under it, across saves that move none.
    counts_token = models.BigIntegerField(default=new_counts_token, editable=False)

    class Meta:
        verbose_name = _("資料版本")
        verbose_name_plural = _("資料版本")

    def __str__(self):
        return f"{self.version} ({self.changed_at.isoformat()})"


class SyncRun(models.Model):
    """One import of upstream's files: what it read, what it did, and when."""

    started_at = models.DateTimeField(_("開始時間"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    source = models.CharField(_("匯入來源"), max_length=1000)
    label = models.CharField(
        _("版本標示"), max_length=200, blank=True, help_text=_("例如上游的 git commit 或快照日期")
    )
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("採用上游更新"), default=0)
    merged = models.PositiveIntegerField(_("與編輯部內容合併"), default=0)
    conflicts = models.PositiveIntegerField(_("待審核的衝突"), default=0)
    moved = models.PositiveIntegerField(_("移動路徑"), default=0)
    unchanged = models.PositiveIntegerField(_("未變更"), default=0)
    older = models.PositiveIntegerField(_("較舊而略過"), default=0)
    failed = models.PositiveIntegerField(_("失敗"), default=0)
    log = models.TextField(_("執行紀錄"), blank=True)

    class Meta:
        verbose_name = _("上游同步作業")
        verbose_name_plural = _("上游同步作業")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return _("同步 #%(number)s") % {"number": self.pk}


class UpstreamBase(models.Model):
    """The last file upstream delivered for a commitment, verbatim: what a sync merges against.

    Only the sync writes it. Comparing an incoming file with it tells "upstream changed
    this" from "the newsroom changed this".
    """

    commitment = models.OneToOneField(
        Commitment, on_delete=models.CASCADE, related_name="upstream_base", verbose_name=_("承諾")
    )
    file_path = models.CharField(_("上游檔案路徑"), max_length=300)
    text = models.TextField(_("上游檔案內容"))
    sync_run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("同步作業"),
    )
    imported_at = models.DateTimeField(_("匯入時間"))

    class Meta:
        verbose_name = _("上游版本")
        verbose_name_plural = _("上游版本")

    def __str__(self):
        return self.file_path


class ConflictKind(models.TextChoices):
    FIELD = "field", _("欄位兩邊都改了")
    ENTRY = "entry", _("上游改寫或移除了已匯入的紀錄")


class ConflictState(models.TextChoices):
    OPEN = "open", _("待處理")
    TOOK_UPSTREAM = "upstream", _("採用上游")
    KEPT_OURS = "ours", _("保留編輯部的版本")
    EDITED = "edited", _("改為編輯指定的值")


class SyncConflictQuerySet(models.QuerySet):
    def open(self):
        """Return the conflicts no editor has decided yet."""
        return self.filter(state=ConflictState.OPEN)


class SyncConflict(models.Model):
    """A change upstream made that the sync did not apply over the newsroom's work."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="sync_conflicts",
        verbose_name=_("承諾"),
    )
    sync_run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conflict_items",
        verbose_name=_("同步作業"),
    )
    kind = models.CharField(_("類型"), max_length=10, choices=ConflictKind.choices)
    field_name = models.CharField(_("欄位"), max_length=50, blank=True)
    # Values as text (None: the file's null); for an entry, its text as the file wrote it.
    base_value = models.TextField(_("上次匯入的上游值"), null=True, blank=True)  # noqa: DJ001
    upstream_value = models.TextField(_("上游的新值"), null=True, blank=True)  # noqa: DJ001
    our_value = models.TextField(_("編輯部的值"), null=True, blank=True)  # noqa: DJ001
    entry_key = models.CharField(_("紀錄識別碼"), max_length=40, blank=True)
    state = models.CharField(
        _("處理狀態"),
        max_length=10,
        choices=ConflictState.choices,
        default=ConflictState.OPEN,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("處理人"),
    )
    decided_at = models.DateTimeField(_("處理時間"), null=True, blank=True)
    note = models.TextField(_("處理說明"), blank=True)
    created_at = models.DateTimeField(_("發現時間"), auto_now_add=True)

    objects = SyncConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("同步衝突")
        verbose_name_plural = _("同步衝突（待審核）")
        ordering = ["state", "-created_at", "-pk"]

    def __str__(self):
        what = self.field_label if self.kind == ConflictKind.FIELD else _("追蹤紀錄")
        return f"{self.commitment}：{what}"

    @property
    def field_label(self) -> str:
        """Return the queued field's name as editors know it (its raw name if it is gone)."""
        try:
            return str(Commitment._meta.get_field(self.field_name).verbose_name)
        except FieldDoesNotExist:
            return self.field_name


class QuestionChannel(models.TextChoices):
    """How the newsroom asked an agency."""

    LETTER = "letter", _("公文")
    FOI = "foi", _("政府資訊公開申請")
    EMAIL = "email", _("e-mail")
    PRESS = "press", _("記者聯繫窗口")
    OTHER = "other", _("其他")


class AgencyQuestionQuerySet(models.QuerySet):
    def public(self):
        """Return the questions about commitments a reader may see."""
        return self.filter(commitment__is_published=True)

    def unanswered(self):
        return self.filter(answered_on__isnull=True)

    def for_agency(self, name: str):
        """Return the questions sent to an agency under any of its spellings."""
        canonical = canonical_agency(name)
        spellings = [
            spelling
            for spelling in self.model._default_manager.order_by()
            .values_list("agency", flat=True)
            .distinct()
            if canonical in split_agencies(spelling)
        ]
        return self.filter(agency__in=spellings)

    def overdue(self, today=None):
        """Return the unanswered questions whose deadline has passed."""
        today = today or timezone.localdate()
        return self.unanswered().filter(deadline__lt=today)


class AgencyQuestion(Versioned):
    """A question the newsroom sent an agency about a commitment, and the agency's answer.

    The answer also becomes a newsroom entry of the commitment's timeline (``answer_entry``);
    the question itself is not part of the commitment's file, only of the downloads.
    """

    uid = models.CharField(_("識別碼"), max_length=36, unique=True, editable=False)
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="agency_questions",
        verbose_name=_("承諾"),
    )
    agency = models.CharField(_("詢問的機關"), max_length=200)
    sent_on = models.DateField(_("詢問日期"), db_index=True)
    channel = models.CharField(_("管道"), max_length=10, choices=QuestionChannel.choices)
    question = models.TextField(_("詢問內容"))
    deadline = models.DateField(
        _("回覆期限"),
        db_index=True,
        help_text=_("留空則依管道的預設天數計算（政府資訊公開申請：15 日）"),
    )
    answered_on = models.DateField(_("回覆日期"), null=True, blank=True, db_index=True)
    answer = models.TextField(_("回覆內容（原文）"), blank=True)
    answer_document_number = models.CharField(_("回覆文件編號"), max_length=300, blank=True)
    answer_document_url = models.CharField(
        _("回覆文件連結"), max_length=500, blank=True, validators=[validate_web_url]
    )
    answer_entry = models.ForeignKey(
        TrackingLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回覆的追蹤紀錄"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("記錄者"),
        editable=False,
    )
    modified_at = models.DateTimeField(_("資料庫更新時間"), auto_now=True)

    objects = AgencyQuestionQuerySet.as_manager()
    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["modified_at"],
        verbose_name=_("詢問機關修改紀錄"),
        verbose_name_plural=_("詢問機關修改紀錄"),
    )

    class Meta:
        verbose_name = _("詢問機關")
        verbose_name_plural = _("詢問機關")
        ordering = ["-sent_on", "-pk"]

    def __str__(self):
        return f"{self.sent_on.isoformat()} {self.agency}：{self.commitment}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None

    def days_overdue(self, today=None) -> int:
        """Return how many days past its deadline an unanswered question is (0 if not)."""
        if self.is_answered:
            return 0
        today = today or timezone.localdate()
        return max((today - self.deadline).days, 0)

    def days_left(self, today=None) -> int:
        today = today or timezone.localdate()
        return max((self.deadline - today).days, 0)

    @property
    def days_to_answer(self) -> int | None:
        return (self.answered_on - self.sent_on).days if self.is_answered else None

    @property
    def answered_late(self) -> bool:
        return self.is_answered and self.answered_on > self.deadline


class Milestone(models.TextChoices):
    """The kinds of step that can settle whether a commitment was kept."""

    LAW_PASSED = "law_passed", _("修法三讀")
    BUDGET = "budget", _("預算編列")
    STARTED = "started", _("開工")
    COMPLETED = "completed", _("完成")
    OTHER = "other", _("其他")


class CriterionState(models.TextChoices):
    OPEN = "open", _("尚未達成")
    MET = "met", _("已達成")
    FAILED = "failed", _("未能達成")


class CompletionCriterionQuerySet(models.QuerySet):
    def unsettled(self):
        """Return the criteria not met yet (open or failed)."""
        return self.exclude(state=CriterionState.MET)


class CompletionCriterion(Versioned):
    """One step an editor set as part of what "done" means for a commitment, and its evidence."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("承諾")
    )
    position = models.PositiveIntegerField(_("順序"), default=0)
    milestone = models.CharField(_("里程碑"), max_length=20, choices=Milestone.choices)
    description = models.CharField(
        _("說明"),
        max_length=300,
        blank=True,
        help_text=_("例如「長期照顧服務法修正草案三讀」；選「其他」時必填"),
    )
    state = models.CharField(
        _("狀態"), max_length=10, choices=CriterionState.choices, default=CriterionState.OPEN
    )
    settled_on = models.DateField(_("確認日期"), null=True, blank=True)
    evidence = models.CharField(
        _("依據"), max_length=500, blank=True, help_text=_("確認達成或未能達成的文件：名稱、字號")
    )
    evidence_url = models.CharField(
        _("依據連結"), max_length=500, blank=True, validators=[validate_web_url]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("記錄者"),
        editable=False,
    )
    modified_at = models.DateTimeField(_("資料庫更新時間"), auto_now=True)

    objects = CompletionCriterionQuerySet.as_manager()
    history = HistoricalRecords(
        history_manager=CachedHistoryManager,
        excluded_fields=["modified_at"],
        verbose_name=_("完成標準修改紀錄"),
        verbose_name_plural=_("完成標準修改紀錄"),
    )

    class Meta:
        verbose_name = _("完成標準")
        verbose_name_plural = _("完成標準")
        ordering = ["commitment", "position", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """Return what the step is: its description, or its milestone's name."""
        if self.milestone == Milestone.OTHER or not self.description:
            return self.description or str(self.get_milestone_display())
        return f"{self.get_milestone_display()}：{self.description}"

    @property
    def is_met(self) -> bool:
        return self.state == CriterionState.MET
