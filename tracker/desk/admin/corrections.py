"""Readers' corrections: a queue editors accept (with a public note) or reject."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.core.models import Correction, CorrectionStatus
from tracker.core.services.corrections import correction_decide


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["status", "public_note"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == CorrectionStatus.ACCEPTED
            and not (cleaned.get("public_note") or "").strip()
        ):
            self.add_error("public_note", _("採納更正時必須填寫公開說明"))
        return cleaned


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    form = CorrectionForm
    list_display = ["submitted_at", "commitment", "excerpt", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["commitment"]
    search_fields = ["message", "commitment__title"]
    readonly_fields = [
        "commitment",
        "message",
        "evidence",
        "contact",
        "submitted_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields[:6], "decided_by", "status", "public_note"]
    actions = ["reject"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("內容"))
    def excerpt(self, correction):
        return correction.message[:60]

    def save_model(self, request, obj, form, change):
        try:
            correction_decide(
                correction=obj,
                status=form.cleaned_data["status"],
                public_note=form.cleaned_data["public_note"],
                user=request.user,
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)

    @admin.action(description=_("不採納選取的更正"), permissions=["change"])
    def reject(self, request, queryset):
        pending = list(queryset.filter(status=CorrectionStatus.PENDING))
        for correction in pending:
            correction_decide(
                correction=correction,
                status=CorrectionStatus.REJECTED,
                public_note=correction.public_note,
                user=request.user,
            )
        self.message_user(
            request,
            ngettext("%(n)d 則更正標為不採納", "%(n)d 則更正標為不採納", len(pending))
            % {"n": len(pending)},
        )
