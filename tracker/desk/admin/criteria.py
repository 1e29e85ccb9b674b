"""Completion criteria: the milestones that settle whether a commitment was kept."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from tracker.core.models import CompletionCriterion
from tracker.core.services import criteria
from tracker.desk.admin.filters import OneCommitmentFilter
from tracker.desk.admin.history import HistoryAdmin
from tracker.desk.admin.saving import ServiceSaveMixin, refused
from tracker.desk.forms import CompletionCriterionForm


@admin.register(CompletionCriterion)
class CompletionCriterionAdmin(ServiceSaveMixin, HistoryAdmin):
    form = CompletionCriterionForm
    change_form_template = "admin/tracker/change_form_base.html"
    list_display = ("label", "commitment", "milestone", "state", "settled_on")
    list_filter = (OneCommitmentFilter, "milestone", "state")
    list_select_related = ("commitment",)
    search_fields = ("description", "evidence", "commitment__title", "commitment__uid")
    autocomplete_fields = ("commitment",)
    fieldsets = (
        (None, {"fields": ("commitment", ("milestone", "position"), "description")}),
        (
            gettext_lazy("是否達成"),
            {
                "fields": ("state", "settled_on", "evidence", "evidence_url", "base_version"),
                "description": gettext_lazy(
                    "標為已達成或未能達成時，請填確認日期與依據的文件（公報、預算書、新聞稿……）。"
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("commitment",) if obj is not None else ()

    @admin.display(description=gettext_lazy("標準"))
    def label(self, obj):
        return obj.label

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = refused(
                criteria.criterion_add,
                commitment=data["commitment"],
                milestone=data["milestone"],
                description=data.get("description", ""),
                state=data["state"],
                settled_on=data.get("settled_on"),
                evidence=data.get("evidence", ""),
                evidence_url=data.get("evidence_url", ""),
                user=request.user,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        refused(
            criteria.criterion_update,
            criterion=obj,
            base_version=data["base_version"],
            changes=form.changes(),
            watched=form.shown_names,
            user=request.user,
        )

    def delete_model(self, request, obj):
        criteria.criterion_delete(criterion=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for criterion in queryset:
            criteria.criterion_delete(criterion=criterion, user=request.user)
