"""The commitment list and change page: the editors' main desk."""

from urllib.parse import quote

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core import format as fmt
from tracker.core.entries import document_dates, entry_outcomes
from tracker.core.links import web_url
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CompletionCriterion,
    CriterionState,
    Status,
    SyncConflict,
    TrackingLog,
    status_slug,
)
from tracker.core.provenance import field_provenance
from tracker.core.services import commitment_editing, tracking_log_editing
from tracker.core.services.commitment_export import commitment_render
from tracker.core.services.edit_conflicts import edits_between, who
from tracker.desk.admin.filters import (
    AgencyFilter,
    CategoryFilter,
    OverdueFilter,
    ReviewFilter,
    TargetDateFormatFilter,
    TermSessionFilter,
)
from tracker.desk.admin.history import HistoryAdmin
from tracker.desk.admin.saving import ServiceSaveMixin, refused
from tracker.desk.forms import BulkStatusForm, CommitmentAddForm, CommitmentForm

MAX_SEARCH_TERMS = 8


def status_badge(status: str):
    return format_html(
        '<span class="tracker-status tracker-status-{}">{}</span>',
        status_slug(status),
        Status(status).label if status in Status.values else status,
    )


@admin.register(Commitment)
class CommitmentAdmin(ServiceSaveMixin, HistoryAdmin):
    form = CommitmentForm
    add_form = CommitmentAddForm
    change_form_template = "admin/tracker/commitment/change_form.html"
    change_list_template = "admin/tracker/commitment/change_list.html"
    object_history_template = "admin/tracker/commitment/object_history.html"
    list_display = (
        "title",
        "status_label",
        "category",
        "responsible_agency",
        "target_date_label",
        "last_updated",
        "log_count",
        "is_published",
    )
    list_filter = (
        "status",
        CategoryFilter,
        AgencyFilter,
        TermSessionFilter,
        OverdueFilter,
        "is_published",
        ReviewFilter,
        TargetDateFormatFilter,
    )
    list_per_page = 100
    search_fields = ("title",)  # shows the search box; the search itself is below
    search_help_text = gettext_lazy(
        "搜尋標題、承諾原文、來源答復與追蹤紀錄（中文兩個字即可，例如：疫苗）；"
        "以空白分隔的多個詞須全部符合"
    )
    autocomplete_fields = ("source",)
    actions = ("change_status_action", "publish_action", "unpublish_action")
    save_on_top = True

    # The list ------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                log_count=Count("log_entries"),
                review_count=Count(
                    "log_entries",
                    filter=Q(log_entries__created_by=None, log_entries__reviewed_at=None)
                    & ~Q(log_entries__judgement=""),
                ),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """Match every term in title, wording, reply or a timeline entry (no duplicate rows)."""
        terms = []
        for bit in smart_split(search_term):
            if bit[0] in "\"'" and bit[-1] == bit[0] and len(bit) > 1:
                bit = unescape_string_literal(bit)
            if bit.strip():
                terms.append(bit)
        for term in terms[:MAX_SEARCH_TERMS]:
            in_timeline = TrackingLog.objects.filter(commitment=OuterRef("pk")).filter(
                Q(summary__icontains=term)
                | Q(text__icontains=term)
                | Q(reason__icontains=term)
                | Q(document_number__icontains=term)
            )
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(wording__icontains=term)
                | Q(source__reply_text__icontains=term)
                | Q(source__subject__icontains=term)
                | Q(responsible_agency__icontains=term)
                | Q(file_path__icontains=term)
                | Q(uid=term)
                | Exists(in_timeline)
            )
        return queryset, False

    def lookup_allowed(self, lookup, value, request=None):
        # The data-quality page links to one spelling of an agency.
        if lookup == "responsible_agency__exact":
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=gettext_lazy("狀態"), ordering="status")
    def status_label(self, obj):
        return status_badge(obj.status)

    @admin.display(description=gettext_lazy("目標日期"), ordering="target_date")
    def target_date_label(self, obj):
        text = obj.target_date_text
        if text is None:
            return "—"
        if obj.target_date is None:
            return format_html('{} <span class="tracker-note">{}</span>', text, _("（無法解讀）"))
        if obj.target_date.isoformat() != text:
            return format_html(
                '{} <span class="tracker-note">= {}</span>', text, obj.target_date.isoformat()
            )
        return text

    @admin.display(description=gettext_lazy("紀錄數（待審核）"), ordering="log_count")
    def log_count(self, obj):
        if not obj.review_count:
            return obj.log_count
        return format_html(
            '{} <span class="tracker-review-count" title="{}">({})</span>',
            obj.log_count,
            _("其中 %(count)d 筆自動判斷待審核") % {"count": obj.review_count},
            _("%(count)d 待審核") % {"count": obj.review_count},
        )

    # The change page -------------------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and connection.in_atomic_block:
            # Lock the row for the whole save (the admin wraps it in one transaction), so the
            # version check and the writes see the same record.
            queryset = Commitment.objects.select_for_update().select_related("source")
        else:
            # The provenance panels read the last upstream file with the record.
            queryset = self.get_queryset(request).select_related("source", "upstream_base")
        try:
            return queryset.get(pk=Commitment._meta.pk.to_python(object_id))
        except (Commitment.DoesNotExist, ValidationError, ValueError):
            return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (
                    None,
                    {
                        "fields": (
                            "title",
                            ("category", "responsible_agency"),
                            ("target_date_text", "target_value"),
                        )
                    },
                ),
                (_("承諾原文"), {"fields": ("wording",)}),
                (_("來源答復"), {"fields": ("source", "shows_reply")}),
                (_("檔案"), {"fields": ("file_path",)}),
            )
        can_change = self.has_change_permission(request, obj)
        publish = "is_published" if self.has_publish_permission(request) else "publication"
        fieldsets = []
        # The daily actions come first: logging progress and changing the status.
        if can_change and request.user.has_perm("tracker.add_trackinglog"):
            fieldsets.append(
                (
                    _("新增進度更新"),
                    {
                        "fields": (
                            ("progress_date", "progress_source_type"),
                            "progress_document_number",
                            "progress_document_url",
                            "progress_summary",
                            "progress_judgement",
                        ),
                        "description": _(
                            "填寫引用文件即新增一筆「進度更新」，最後更新日期會自動跟著調整。"
                        ),
                    },
                )
            )
        if can_change:
            fieldsets.append(
                (
                    _("變更狀態"),
                    {
                        "fields": (
                            ("status_to", "status_date"),
                            "status_reason",
                            "status_use_evidence",
                        ),
                        "description": _(
                            "狀態只能在這裡變更，並會寫入一筆「狀態變更」紀錄"
                            "（原狀態 → 新狀態與原因）。"
                        ),
                    },
                )
            )
        fieldsets += [
            (
                _("承諾"),
                {
                    "fields": (
                        "title",
                        "status_label",
                        ("category", "responsible_agency"),
                        ("target_date_text", "target_value"),
                        publish,
                        "base_version",
                    )
                },
            ),
            (_("承諾原文"), {"fields": ("wording",)}),
            (_("來源答復"), {"fields": ("source", "source_reply", "shows_reply")}),
            (
                _("檔案與日期"),
                {"fields": ("file_path", ("uid", "created_date", "last_updated"))},
            ),
            (_("資料來源"), {"fields": ("sync_state", "provenance"), "classes": ("collapse",)}),
        ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "status_label",
            "publication",
            "source_reply",
            "uid",
            "created_date",
            "last_updated",
            "sync_state",
            "provenance",
        )

    @admin.display(description=gettext_lazy("同步狀態"))
    def sync_state(self, obj):
        # Open sync items are announced at the top of the page (change_view), not in here.
        base = getattr(obj, "upstream_base", None)
        if base is None:
            return _("沒有上游版本（編輯部新增的承諾）")
        return _("上游最後一次送來：%(path)s，%(when)s 匯入") % {
            "path": base.file_path,
            "when": timezone.localtime(base.imported_at).strftime("%Y-%m-%d %H:%M"),
        }

    @admin.display(description=gettext_lazy("各欄位的來源"))
    def provenance(self, obj):
        rows = field_provenance(obj)
        return format_html(
            '<ul class="tracker-provenance">{}</ul>',
            format_html_join(
                "",
                "<li>{}：{}</li>",
                (
                    (Commitment._meta.get_field(name).verbose_name, origin.describe())
                    for name, origin in rows.items()
                ),
            ),
        )

    @admin.display(description=gettext_lazy("公開狀態"))
    def publication(self, obj):
        if obj.is_published:
            return _("已公開")
        return _("草稿（未公開，需由主編公開）")

    @admin.display(description=gettext_lazy("來源答復內容"))
    def source_reply(self, obj):
        source = obj.source
        link = (
            format_html('<a href="{}" rel="noopener noreferrer">{}</a>', source.url, source.url)
            if web_url(source.url)
            else source.url
        )
        return format_html(
            '<div class="tracker-reply"><p>第{}屆第{}會期　{}</p><p>{}</p>'
            "<p><strong>{}</strong>{}</p>"
            '<details><summary>{}</summary><div class="tracker-reply-text">{}</div></details>'
            "</div>",
            source.term,
            source.session_period,
            source.ey_number,
            link,
            _("主旨："),
            source.subject,
            _("答復全文（%(count)d 字）") % {"count": len(source.reply_text)},
            source.reply_text,
        )

    def has_publish_permission(self, request):
        return request.user.has_perm(commitment_editing.PUBLISH_PERMISSION)

    # Saving: every write goes through a service ------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            created = refused(
                commitment_editing.commitment_create,
                **{name: form.cleaned_data[name] for name in commitment_editing.EDITABLE_FIELDS},
                user=request.user,
            )
            for model_field in Commitment._meta.concrete_fields:
                setattr(obj, model_field.attname, getattr(created, model_field.attname))
            obj._state.adding = False
            return
        changes = form.changes()
        published = changes.pop("is_published", None)
        done = refused(
            commitment_editing.commitment_save,
            commitment=obj,
            base_version=form.cleaned_data["base_version"],
            changes=changes,
            watched=[name for name in form.shown_names if name != "is_published"],
            published=published,
            progress=form.progress_update(),
            status_change=form.status_change(),
            user=request.user,
        )
        for message in done:
            self.message_user(request, message, messages.SUCCESS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        if str(object_id).isdigit():
            timeline = list(
                TrackingLog.objects.filter(commitment_id=int(object_id))
                .select_related("created_by", "reviewed_by", "sync_run")
                .order_by("position")
            )
            dates = document_dates(timeline)
            for entry, outcome in zip(timeline, entry_outcomes(timeline), strict=True):
                entry.outcome = outcome
                entry.document_date = dates.get(entry.document_number.strip())
            context["timeline"] = timeline[::-1]
            context["can_edit_entries"] = request.user.has_perm("tracker.change_trackinglog")
            context["open_conflicts"] = (
                SyncConflict.objects.open().filter(commitment_id=int(object_id)).count()
            )
            context["open_conflicts_url"] = (
                reverse("admin:tracker_syncconflict_changelist")
                + f"?commitment__id__exact={int(object_id)}&state__exact=open"
            )
            context["related_records"] = self._related_records(int(object_id))
        return super().change_view(request, object_id, form_url, extra_context=context)

    @staticmethod
    def _related_records(commitment_id: int) -> dict:
        """Count the commitment's questions to agencies and completion criteria (2 queries)."""
        mine = f"?commitment__id__exact={commitment_id}"
        prefill = f"?commitment={commitment_id}"
        questions = AgencyQuestion.objects.filter(commitment_id=commitment_id)
        question_counts = questions.aggregate(
            total=Count("pk"), overdue=Count("pk", filter=Q(pk__in=questions.overdue()))
        )
        criterion_counts = CompletionCriterion.objects.filter(
            commitment_id=commitment_id
        ).aggregate(total=Count("pk"), met=Count("pk", filter=Q(state=CriterionState.MET)))
        return {
            "questions": question_counts,
            "questions_url": reverse("admin:tracker_agencyquestion_changelist") + mine,
            "add_question_url": reverse("admin:tracker_agencyquestion_add") + prefill,
            "criteria": criterion_counts,
            "criteria_url": reverse("admin:tracker_completioncriterion_changelist") + mine,
            "add_criterion_url": reverse("admin:tracker_completioncriterion_add") + prefill,
        }

    # Actions -------------------------------------------------------------------------

    @admin.action(
        description=gettext_lazy("變更所選承諾的狀態（填寫原因）"), permissions=["change"]
    )
    def change_status_action(self, request, queryset):
        commitments = list(queryset.order_by("title"))
        if "apply" in request.POST:
            form = BulkStatusForm(request.POST)
            if form.is_valid():
                try:
                    entries = commitment_editing.commitments_change_status_bulk(
                        commitments=commitments,
                        to_status=form.cleaned_data["to_status"],
                        reason=form.cleaned_data["reason"],
                        entry_date=form.cleaned_data["entry_date"],
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        _("已變更 %(count)d 筆承諾的狀態，每筆各寫入一筆「狀態變更」紀錄。")
                        % {"count": len(entries)},
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = BulkStatusForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("變更狀態"),
            "opts": self.opts,
            "form": form,
            "commitments": commitments,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/tracker/commitment/change_status.html", context)

    @admin.action(description=gettext_lazy("公開所選承諾"), permissions=["publish"])
    def publish_action(self, request, queryset):
        self._publish(request, queryset, published=True)

    @admin.action(description=gettext_lazy("撤下所選承諾（改為草稿）"), permissions=["publish"])
    def unpublish_action(self, request, queryset):
        self._publish(request, queryset, published=False)

    def _publish(self, request, queryset, *, published):
        try:
            count = commitment_editing.commitments_publish(
                commitments=queryset, user=request.user, published=published
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        message = _("已公開 %(count)d 筆承諾。") if published else _("已撤下 %(count)d 筆承諾。")
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    # Extra pages ---------------------------------------------------------------------

    def get_urls(self):
        from tracker.desk.admin.quality import quality_view

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{prefix}_export",
            ),
            path(
                "quality/",
                self.admin_site.admin_view(quality_view),
                name=f"{prefix}_quality",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id):
        """Show (or download) the Markdown file export writes for this commitment."""
        commitment = (
            Commitment.objects.with_timeline().filter(pk=unquote(object_id)).first()
            if str(object_id).isdigit()
            else None
        )
        if commitment is None:
            raise Http404
        if not self.has_view_or_change_permission(request, commitment):
            raise PermissionDenied
        try:
            text = commitment_render(commitment=commitment)
            problem = None
        except fmt.FormatError as error:
            text, problem = "", str(error)
        if request.GET.get("download") and problem is None:
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            name = commitment.file_path.rsplit("/", 1)[-1]
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("匯出檔預覽"),
            "subtitle": str(commitment),
            "opts": self.opts,
            "original": commitment,
            "text": text,
            "problem": problem,
        }
        return TemplateResponse(request, "admin/tracker/commitment/export_preview.html", context)

    def history_view(self, request, object_id, extra_context=None):
        """The commitment's history, with its timeline entries' changes and deletions."""
        context = dict(extra_context or {})
        if str(object_id).isdigit():
            context["timeline_history"] = timeline_history(int(object_id))
            context["deleted_entries"] = list(
                tracking_log_editing.deleted_tracking_logs(commitment_id=int(object_id))
            )
            context["can_restore"] = request.user.has_perm("tracker.add_trackinglog")
        return super().history_view(request, object_id, extra_context=context)

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_export" in request.POST:
            return redirect(reverse("admin:tracker_commitment_export", args=[obj.pk]))
        return super().response_change(request, obj)


def timeline_history(commitment_id: int, limit: int = 200) -> list[dict]:
    """Return the saves of a commitment's timeline entries, newest first, with what changed."""
    records = list(
        TrackingLog.history.filter(commitment_id=commitment_id)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    rows = []
    previous = None
    for record in records:
        changes = []
        if previous is not None and previous.id == record.id and record.history_type == "~":
            (edit,) = edits_between(TrackingLog, [previous, record])
            changes = edit.changes
        rows.append(
            {
                "record": record,
                "entry": f"{record.entry_date.isoformat()} [{record.kind}]",
                "who": who(record.history_user, record.history_change_reason),
                "changes": changes,
            }
        )
        previous = record
    rows.sort(key=lambda row: (row["record"].history_date, row["record"].history_id), reverse=True)
    return rows[:limit]
