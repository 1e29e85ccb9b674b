"""Executive Yuan replies: searchable (the commitment form picks them by autocomplete)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy

from tracker.core.models import Source
from tracker.core.services import source_editing
from tracker.desk.admin.history import HistoryAdmin
from tracker.desk.admin.saving import ServiceSaveMixin, refused
from tracker.desk.forms import SourceForm


@admin.register(Source)
class SourceAdmin(ServiceSaveMixin, HistoryAdmin):
    form = SourceForm
    change_form_template = "admin/tracker/change_form_base.html"
    list_display = ("label", "term", "session_period", "ey_number", "commitment_count")
    list_filter = ("term", "session_period")
    search_fields = ("subject", "ey_number", "document_id", "reply_text")
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("document_id", ("term", "session_period"), "ey_number", "url")}),
        (gettext_lazy("答復"), {"fields": ("subject", "reply_text", "base_version")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(commitment_count=Count("commitments"))
            .order_by("term", "session_period", "document_id")
        )

    def get_search_fields(self, request):
        # The autocomplete asks on every keystroke: the long reply texts are searched only
        # on the list page.
        if request.path.endswith("/autocomplete/"):
            return ("subject", "ey_number", "document_id")
        return self.search_fields

    def get_readonly_fields(self, request, obj=None):
        return ("document_id",) if obj is not None else ()

    @admin.display(description=gettext_lazy("答復"), ordering="subject")
    def label(self, obj):
        return str(obj)

    @admin.display(description=gettext_lazy("引用的承諾數"), ordering="commitment_count")
    def commitment_count(self, obj):
        return obj.commitment_count

    def save_model(self, request, obj, form, change):
        if not change:
            created = refused(
                source_editing.source_create,
                document_id=form.cleaned_data["document_id"],
                user=request.user,
                **{
                    name: form.cleaned_data[name]
                    for name in source_editing.EDITABLE_FIELDS
                    if name in form.cleaned_data
                },
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        refused(
            source_editing.source_update,
            source=obj,
            **form.update_arguments(),
            user=request.user,
        )
