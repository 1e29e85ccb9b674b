"""Questions to agencies: sent on a date through a channel, answered (or not) by a deadline."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tracker.core.models import AgencyQuestion
from tracker.core.services import agency_questions
from tracker.desk.admin.filters import OneCommitmentFilter
from tracker.desk.admin.history import HistoryAdmin
from tracker.desk.admin.saving import ServiceSaveMixin, refused
from tracker.desk.forms import AgencyQuestionForm

ANSWER = ("answered_on", "answer", "answer_document_number", "answer_document_url")


@admin.register(AgencyQuestion)
class AgencyQuestionAdmin(ServiceSaveMixin, HistoryAdmin):
    form = AgencyQuestionForm
    change_form_template = "admin/tracker/change_form_base.html"
    list_display = ("sent_on", "agency", "commitment", "channel", "deadline", "state")
    list_filter = (
        OneCommitmentFilter,
        "channel",
        ("answered_on", admin.EmptyFieldListFilter),
    )
    list_select_related = ("commitment",)
    search_fields = ("agency", "question", "answer", "commitment__title")
    autocomplete_fields = ("commitment",)
    date_hierarchy = "sent_on"

    def get_fieldsets(self, request, obj=None):
        asked = (None, {"fields": ("commitment", "agency", ("sent_on", "channel"), "question")})
        deadline = (None, {"fields": ("deadline", "base_version")})
        if obj is None:
            return (asked, deadline)
        answer = (
            gettext_lazy("機關的回覆"),
            {
                "fields": ANSWER if not obj.is_answered else (*ANSWER, "answer_entry"),
                "description": gettext_lazy(
                    "回覆原文照錄；儲存後會成為這項承諾時間軸上的一筆編輯部紀錄（來源類型「機關回覆」）。"
                ),
            },
        )
        return (asked, deadline, answer)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.is_answered:
            # The answer is on the timeline now: corrections go through the entry's page.
            return (
                "commitment",
                "agency",
                "sent_on",
                "channel",
                "question",
                "deadline",
                *ANSWER,
                "answer_entry",
            )
        return ("commitment",)

    @admin.display(description=gettext_lazy("狀態"))
    def state(self, obj):
        if obj.is_answered:
            return gettext_lazy("已回覆（%(days)d 天）") % {"days": obj.days_to_answer}
        overdue = obj.days_overdue(timezone.localdate())
        if overdue:
            return gettext_lazy("已逾期 %(days)d 天") % {"days": overdue}
        return gettext_lazy("等待回覆")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = refused(
                agency_questions.question_ask,
                commitment=data["commitment"],
                agency=data["agency"],
                sent_on=data["sent_on"],
                channel=data["channel"],
                question=data["question"],
                deadline=data.get("deadline"),
                user=request.user,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        # The form has already put the editor's input on obj: ask the database.
        if AgencyQuestion.objects.filter(pk=obj.pk, answered_on__isnull=False).exists():
            return
        changes = form.changes()
        if changes.get("deadline", False) is None:
            changes.pop("deadline")
        refused(
            agency_questions.question_update,
            question=obj,
            base_version=data["base_version"],
            changes=changes,
            watched=form.shown_names,
            user=request.user,
        )
        if data.get("answered_on"):
            refused(
                agency_questions.question_answer,
                question=obj,
                base_version=obj.version,
                answered_on=data["answered_on"],
                answer=data["answer"],
                document_number=data.get("answer_document_number", ""),
                document_url=data.get("answer_document_url", ""),
                user=request.user,
            )
