"""Timeline entries across all commitments: review automated judgements, restore deletions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core.models import TrackingLog
from tracker.core.services import tracking_log_editing
from tracker.core.services.edit_conflicts import who
from tracker.desk.admin.history import HistoryAdmin


def judgement_label(entry: TrackingLog):
    """Return who judged an entry: software (reviewed or not) or an editor."""
    if not entry.judgement:
        return ""
    if entry.created_by_id is not None:
        return format_html(
            '<span class="tracker-judgement tracker-judgement-editor">{}：{}</span>',
            _("編輯判斷"),
            entry.judgement,
        )
    if entry.reviewed_at is None:
        return format_html(
            '<span class="tracker-judgement tracker-judgement-automated">{}：{}</span>',
            _("自動判斷（未審核）"),
            entry.judgement,
        )
    return format_html(
        '<span class="tracker-judgement tracker-judgement-reviewed">{}：{}</span>',
        _("自動判斷，已由 %(who)s 審核") % {"who": who(entry.reviewed_by)},
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
class TrackingLogAdmin(HistoryAdmin):
    """Entries are edited on their commitment's page; this list is for review and search."""

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # One place to edit an entry: its commitment's timeline.
        entry = TrackingLog.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if entry is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect(
            reverse("admin:tracker_commitment_change", args=[entry.commitment_id])
            + f"#timeline-{entry.pk}"
        )

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
            "deleted_entries": [
                (record, who(record.history_user, record.history_change_reason))
                for record in records
            ],
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
