"""Change history in the admin, from django-simple-history's records.

Every page shows who changed what, field by field; a past version can be viewed but not
"reverted" through simple-history's form, because writes go through the services (which check
versions and write timeline entries). Deleted timeline entries are restored with
tracker.core.services.tracking_log_editing.tracking_log_restore.
"""

from itertools import pairwise

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.core.services.edit_conflicts import display_field, edits_between, tracked_fields, who


class HistoryAdmin(SimpleHistoryAdmin):
    history_list_per_page = 50

    class Media:
        css = {"all": ("tracker_admin/admin.css",)}

    def revert_disabled(self, request, obj=None):
        return True

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Give each record the fields it changed (before → after) as the template shows them."""
        records = list(historical_records)
        for newer, older in pairwise(records):
            (edit,) = edits_between(self.model, [older, newer])
            newer.history_delta_changes = [
                {"field": change.label, "old": change.before, "new": change.after}
                for change in edit.changes
            ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show one past version, read only."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        history_model = self.model.history.model
        record = get_object_or_404(
            history_model.objects.select_related("history_user"),
            **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id},
        )
        if not self.has_view_history_or_change_history_permission(request, record.instance):
            raise PermissionDenied
        rows = [
            (
                self.model._meta.get_field(name).verbose_name,
                display_field(self.model, name, getattr(record, self._attname(name)), full=True),
            )
            for name in tracked_fields(self.model)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(object)s：%(when)s 的版本")
            % {"object": record.history_object, "when": record.history_date},
            "opts": self.model._meta,
            "record": record,
            "who": who(record.history_user, record.history_change_reason),
            "rows": rows,
            "object_id": object_id,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/tracker/history_version.html", context)

    def _attname(self, name):
        return self.model._meta.get_field(name).attname
