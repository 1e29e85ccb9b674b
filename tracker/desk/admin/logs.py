"""Timeline entries across all commitments: review automated judgements, restore deletions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core import entries
from tracker.core.models import TrackingLog
from tracker.core.provenance import entry_provenance
from tracker.core.services import tracking_log_editing
from tracker.core.services.edit_conflicts import who
from tracker.desk.admin.history import HistoryAdmin
from tracker.desk.admin.saving import ServiceSaveMixin, refused
from tracker.desk.forms import TrackingLogDeleteForm, TrackingLogForm


def judgement_label(entry: TrackingLog):
    """Return who judged an entry: software (reviewed or not) or an editor."""
    if not entry.judgement:
        return ""
    text = entries.JUDGEMENT_LABELS[entries.entry_judgement_label(entry)]
    if entry.reviewed_by_id is not None and entry.is_automated:
        text = f"{text}（{who(entry.reviewed_by)}）"
    return format_html(
        '<span class="tracker-judgement tracker-judgement-{}">{}：{}</span>',
        entries.entry_judgement_label(entry),
        text,
        entry.judgement,
    )


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("判斷來源")
    parameter_name = "judged"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("自動判斷，未審核")),
            ("reviewed", _("自動判斷，已審核")),
            ("editor", _("編輯記錄")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "pending":
            return queryset.needs_review()
        if value == "reviewed":
            return queryset.automated().exclude(reviewed_at=None)
        if value == "editor":
            return queryset.exclude(created_by=None)
        return queryset


@admin.register(TrackingLog)
class TrackingLogAdmin(ServiceSaveMixin, HistoryAdmin):
    """One entry at a time: corrected, reviewed or deleted on its own page (linked from its
    commitment's timeline); the list is for review and search."""

    form = TrackingLogForm
    change_form_template = "admin/tracker/trackinglog/change_form.html"
    delete_confirmation_template = "admin/tracker/trackinglog/delete_confirmation.html"

    list_display = ("entry_date", "kind", "commitment_link", "summary_short", "judged")
    list_select_related = ("commitment", "created_by", "reviewed_by")
    list_filter = (NeedsReviewFilter, "kind", "judgement", "entry_date")
    search_fields = ("summary", "text", "reason", "document_number", "commitment__title")
    list_per_page = 100
    actions = ("mark_reviewed",)
    change_list_template = "admin/tracker/trackinglog/change_list.html"

    def has_add_permission(self, request):
        return False

    def get_actions(self, request):
        # Entries are deleted one by one on their commitment's page, where the timeline
        # around them is visible; no mass deletion across commitments.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=gettext_lazy("承諾"), ordering="commitment__title")
    def commitment_link(self, obj):
        url = reverse("admin:tracker_commitment_change", args=[obj.commitment_id])
        return format_html('<a href="{}#timeline-{}">{}</a>', url, obj.pk, obj.commitment.title)

    @admin.display(description=gettext_lazy("內容"))
    def summary_short(self, obj):
        text = obj.summary or obj.reason or obj.text
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=gettext_lazy("判斷"))
    def judged(self, obj):
        return judgement_label(obj)

    @admin.action(description=gettext_lazy("標記所選的自動判斷為已審核"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = tracking_log_editing.tracking_log_review(entries=queryset, user=request.user)
        self.message_user(
            request, _("已標記 %(count)d 筆為已審核。") % {"count": count}, messages.SUCCESS
        )

    def get_object(self, request, object_id, from_field=None):
        if not str(object_id).isdigit():
            return None
        return (
            TrackingLog.objects.select_related(
                "commitment", "created_by", "reviewed_by", "sync_run"
            )
            .filter(pk=int(object_id))
            .first()
        )

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """Name who deleted an entry someone still had open, and go back to its timeline."""
        record = (
            TrackingLog.history.filter(id=object_id, history_type="-")
            .select_related("history_user")
            .order_by("-history_date")
            .first()
            if str(object_id).isdigit()
            else None
        )
        if record is None:
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        self.message_user(
            request,
            _(
                "這筆紀錄已被 %(who)s 於 %(when)s 刪除，您的修改沒有儲存。若要保留它，"
                "請到這筆承諾的「修改紀錄」頁還原。"
            )
            % {
                "who": who(record.history_user, record.history_change_reason),
                "when": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M"),
            },
            messages.WARNING,
        )
        return redirect("admin:tracker_commitment_change", record.commitment_id)

    def get_fieldsets(self, request, obj=None):
        fields = list(TrackingLogForm.SHAPE_FIELDS.get(obj.shape, ("entry_date", "text")))
        if obj.needs_review:
            fields.append("mark_reviewed")
        return (
            (None, {"fields": ("commitment_link", "entry_kind", "origin_label")}),
            (_("內容"), {"fields": (*fields, "base_version")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("commitment_link", "entry_kind", "origin_label")

    @admin.display(description=gettext_lazy("類型"))
    def entry_kind(self, obj):
        if obj.from_status or obj.to_status:
            return f"{obj.kind}（{obj.from_status} → {obj.to_status}）"
        return obj.kind

    @admin.display(description=gettext_lazy("來源"))
    def origin_label(self, obj):
        return entry_provenance(obj).describe()

    def save_model(self, request, obj, form, change):
        refused(
            tracking_log_editing.tracking_log_update,
            entry=obj,
            **form.update_arguments(),
            mark_reviewed=bool(form.cleaned_data.get("mark_reviewed")),
            user=request.user,
        )

    def response_change(self, request, obj):
        self.message_user(request, _("已儲存 %(entry)s。") % {"entry": obj}, messages.SUCCESS)
        return redirect(self._on_timeline(obj))

    @staticmethod
    def _on_timeline(entry) -> str:
        url = reverse("admin:tracker_commitment_change", args=[entry.commitment_id])
        return f"{url}#timeline-{entry.pk}"

    def delete_view(self, request, object_id, extra_context=None):
        """Delete one entry; when it explains the status, ask which status to return to."""
        entry = self.get_object(request, object_id)
        if entry is None:
            raise Http404
        if not self.has_delete_permission(request, entry):
            raise PermissionDenied
        explains = tracking_log_editing.tracking_log_explains_status(entry)
        form = TrackingLogDeleteForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                tracking_log_editing.tracking_log_delete(
                    entry=entry,
                    user=request.user,
                    status_after=form.cleaned_data["status_after"] or None,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                self.message_user(
                    request, _("已刪除 %(entry)s（可在修改紀錄還原）。") % {"entry": entry}
                )
                return redirect("admin:tracker_commitment_change", entry.commitment_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("刪除追蹤紀錄"),
            "opts": self.opts,
            "object": entry,
            "entry": entry,
            "form": form,
            "explains_status": explains,
            "timeline_url": self._on_timeline(entry),
        }
        return TemplateResponse(request, self.delete_confirmation_template, context)

    def get_urls(self):
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="tracker_trackinglog_deleted",
            ),
            path(
                "restore/<int:history_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="tracker_trackinglog_restore",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        """List deleted entries that can be restored."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        records = tracking_log_editing.deleted_tracking_logs().select_related("commitment")[:500]
        context = {
            **self.admin_site.each_context(request),
            "title": _("已刪除的追蹤紀錄"),
            "opts": self.opts,
            "deleted_entries": list(records),
            "can_restore": request.user.has_perm("tracker.add_trackinglog"),
        }
        return TemplateResponse(request, "admin/tracker/trackinglog/deleted.html", context)

    def restore_view(self, request, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("tracker.add_trackinglog"):
            raise PermissionDenied
        try:
            entry = tracking_log_editing.tracking_log_restore(
                history_id=history_id, user=request.user
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:tracker_trackinglog_deleted")
        self.message_user(
            request,
            _("已還原 %(entry)s。") % {"entry": entry},
            messages.SUCCESS,
        )
        return redirect(
            reverse("admin:tracker_commitment_change", args=[entry.commitment_id])
            + f"#timeline-{entry.pk}"
        )
