"""The queue of new Legislative Yuan replies, and evidence suggestions in both directions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.core.models import Commitment, ReplyToReview, Source
from tracker.core.services import source_editing, timeline
from tracker.core.services.evidence import (
    JUDGEMENTS,
    commitment_log_reply,
    suggestions_for_commitment,
    suggestions_for_reply,
)

SUMMARY_CHARS = 300
SUGGESTIONS = 10


class LogReplyForm(forms.Form):
    """Log one reply on one commitment's timeline."""

    commitment = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.IntegerField(widget=forms.HiddenInput)
    judgement = forms.ChoiceField(
        label=_("判斷"),
        choices=[(value, value) for value in JUDGEMENTS],
        help_text=_("「達成證據」會把尚未達成的承諾改為「已達成」"),
    )
    summary = forms.CharField(
        label=_("內容摘要"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("一段話說明這份答復與承諾的關係（換行會合併為一行）"),
    )
    entry_date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_entry_date(self):
        value = self.cleaned_data["entry_date"]
        if value > timeline.today():
            raise ValidationError(_("日期不可晚於今天"))
        return value


def _initial(commitment_pk: int, source_pk: int, passage: str) -> dict:
    summary = " ".join(passage.split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1] + "…"
    return {
        "commitment": commitment_pk,
        "source": source_pk,
        "judgement": JUDGEMENTS[0],
        "summary": summary,
        "entry_date": timeline.today(),
    }


def _commitment_admin_url(commitment: Commitment) -> str | None:
    try:
        return reverse("admin:tracker_commitment_change", args=[commitment.pk])
    except NoReverseMatch:
        return None


@admin.register(ReplyToReview)
class ReplyToReviewAdmin(admin.ModelAdmin):
    list_display = (
        "short_subject",
        "ey_number",
        "session",
        "imported_on",
        "suggestions_link",
    )
    list_filter = ("term", "session_period")
    search_fields = ("subject", "ey_number", "ly_number", "reply_text", "document_id")
    actions = ("mark_reviewed",)
    fields = (
        "subject",
        "ey_number",
        "ly_number",
        "document_id",
        "term",
        "session_period",
        "session_times",
        "url",
        "reply_text",
        "imported_from_replies",
        "reviewed_at",
    )
    readonly_fields = tuple(name for name in fields if name != "reviewed_at")

    def get_queryset(self, request):
        return ReplyToReview.objects.to_review()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("主旨"), ordering="subject")
    def short_subject(self, obj):
        return obj.subject[:60] or obj.document_id

    @admin.display(description=_("屆期／會次"))
    def session(self, obj):
        return f"{obj.term}-{obj.session_period}-{obj.session_times or '?'}"

    @admin.display(description=_("匯入日期"), ordering="imported_from_replies")
    def imported_on(self, obj):
        if obj.imported_from_replies is None:
            return "—"
        return timezone.localtime(obj.imported_from_replies).date().isoformat()

    @admin.display(description=_("建議"))
    def suggestions_link(self, obj):
        url = reverse("admin:tracker_replytoreview_suggestions", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("可能相關的承諾"))

    @admin.action(description=_("標記為已審閱（移出待審閱清單）"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = source_editing.sources_mark_reviewed(sources=queryset, user=request.user)
        self.message_user(request, _("已標記 %(count)d 份答復為已審閱") % {"count": count})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:source_id>/suggestions/",
                view(self.reply_suggestions_view),
                name="tracker_replytoreview_suggestions",
            ),
            path(
                "commitment/<int:commitment_id>/suggestions/",
                view(self.commitment_suggestions_view),
                name="tracker_replytoreview_commitment_suggestions",
            ),
            *super().get_urls(),
        ]

    def _check_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _log_from_post(self, request) -> bool:
        """Log the posted reply on the posted commitment; return whether it was written."""
        if not request.user.has_perm("tracker.change_commitment"):
            raise PermissionDenied
        form = LogReplyForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else field
                self.message_user(request, f"{label}：{' '.join(errors)}", messages.ERROR)
            return False
        data = form.cleaned_data
        commitment = get_object_or_404(Commitment, pk=data["commitment"])
        source = get_object_or_404(Source, pk=data["source"])
        try:
            entry = commitment_log_reply(
                commitment=commitment,
                source=source,
                summary=data["summary"],
                judgement=data["judgement"],
                entry_date=data["entry_date"],
                user=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                self.message_user(request, f"{field}：{' '.join(errors)}", messages.ERROR)
            return False
        self.message_user(
            request,
            _("已在「%(title)s」的時間軸記錄 %(entry)s")
            % {"title": commitment.title, "entry": entry},
            messages.SUCCESS,
        )
        return True

    def reply_suggestions_view(self, request, source_id):
        self._check_view(request)
        source = get_object_or_404(Source, pk=source_id)
        if request.method == "POST":
            self._log_from_post(request)
            return HttpResponseRedirect(request.path)
        suggestions = suggestions_for_reply(source=source, limit=SUGGESTIONS)
        rows = [
            {
                "item": item,
                "admin_url": _commitment_admin_url(item.commitment),
                "form": LogReplyForm(
                    initial=_initial(item.commitment.pk, source.pk, item.passage_text)
                ),
            }
            for item in suggestions
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("這份答復可能相關的承諾"),
            "source": source,
            "rows": rows,
            "can_log": request.user.has_perm("tracker.change_commitment"),
        }
        return TemplateResponse(
            request, "admin/tracker/replytoreview/reply_suggestions.html", context
        )

    def commitment_suggestions_view(self, request, commitment_id):
        self._check_view(request)
        commitment = get_object_or_404(
            Commitment.objects.select_related("source"), pk=commitment_id
        )
        if request.method == "POST":
            self._log_from_post(request)
            return HttpResponseRedirect(request.path)
        suggestions = suggestions_for_commitment(commitment=commitment, limit=SUGGESTIONS)
        rows = [
            {
                "item": item,
                "suggestions_url": reverse(
                    "admin:tracker_replytoreview_suggestions", args=[item.source.pk]
                ),
                "form": LogReplyForm(
                    initial=_initial(commitment.pk, item.source.pk, item.passage_text)
                ),
            }
            for item in suggestions
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("可能與這項承諾相關的答復"),
            "commitment": commitment,
            "admin_url": _commitment_admin_url(commitment),
            "rows": rows,
            "can_log": request.user.has_perm("tracker.change_commitment"),
        }
        return TemplateResponse(
            request, "admin/tracker/replytoreview/commitment_suggestions.html", context
        )
