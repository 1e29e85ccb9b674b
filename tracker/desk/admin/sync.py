"""The sync's runs and its review queue: what upstream changed that the newsroom had changed too."""

import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core import merge
from tracker.core.models import (
    Commitment,
    ConflictKind,
    ConflictState,
    Status,
    SyncConflict,
    SyncRun,
)
from tracker.core.services import sync_review
from tracker.core.services.edit_conflicts import who

SHORT = 60
SHOWS_REPLY = {"true": gettext_lazy("附上答復"), "false": gettext_lazy("不附上答復")}


def inline_diff(before: str | None, after: str | None):
    """Return after's text with what differs from before marked (<del>, <ins>), escaped."""
    before, after = before or "", after or ""
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape(after[b1:b2]))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(before[a1:a2])}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def shown(value: str | None, name: str = "") -> str:
    """Return a queued value as an editor reads it: empty said in words, a yes/no as such."""
    if value in (None, ""):
        return _("（空白）")
    if name == "shows_reply" and value in SHOWS_REPLY:
        return str(SHOWS_REPLY[value])
    return value


def compared(base: str | None, value: str | None, name: str):
    """Return a value with what differs from the base marked; an empty one said in words."""
    if value in (None, "") or name == "shows_reply":
        return shown(value, name)
    return inline_diff(shown(base, name) if base not in (None, "") else "", value)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "started_at",
        "label",
        "created",
        "updated",
        "merged",
        "conflicts",
        "moved",
        "unchanged",
        "older",
        "failed",
    )
    list_display_links = ("__str__",)
    readonly_fields = [field.name for field in SyncRun._meta.fields]
    search_fields = ("label", "source", "log")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("處理說明"),
        help_text=gettext_lazy(
            "保留編輯部的狀態、或把狀態改為其他值時必填，寫入「狀態變更」的原因"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class ConflictValueForm(forms.Form):
    """The value an editor gives a queued field, entered as that kind of value.

    It starts from the commitment's current value (so "set a value" edits what is there),
    and turns the input into the text the review service takes (sync_review.field_value).
    """

    def __init__(self, *args, conflict: SyncConflict, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = conflict.field_name
        current = merge.field_text(merge.stored_value(conflict.commitment, self.name))
        self.fields["value"] = self._field(current)
        self.fields["value"].help_text = gettext_lazy(
            "預先填入目前的值；按「改為指定的值」才會使用。"
        )

    def _field(self, current: str | None) -> forms.Field:
        label = gettext_lazy("改為這個值")
        if self.name == "status":
            return forms.ChoiceField(
                label=gettext_lazy("改為這個狀態"), choices=Status.choices, initial=current
            )
        if self.name == "shows_reply":
            return forms.ChoiceField(
                label=label,
                choices=list(SHOWS_REPLY.items()),
                initial=current,
                widget=forms.RadioSelect,
            )
        if self.name == "created_date":
            return forms.DateField(label=label, initial=current, widget=AdminDateWidget)
        nullable = self.name != "source" and Commitment._meta.get_field(self.name).null
        return forms.CharField(
            label=label,
            initial=current,
            required=not nullable,
            strip=False,
            empty_value=None if nullable else "",
            widget=forms.Textarea(attrs={"rows": 2, "class": "tracker-wide"}),
        )

    def value_text(self) -> str | None:
        """Return the editor's value as the review queue writes values."""
        value = self.cleaned_data["value"]
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        return merge.field_text(value)


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    list_display = ("commitment_link", "what", "upstream_short", "ours_short", "state", "run")
    list_filter = ("state", "kind")
    list_select_related = ("commitment", "sync_run")
    search_fields = ("commitment__title", "commitment__uid", "field_name")
    change_form_template = "admin/tracker/syncconflict/decide.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # A commitment's change page links to its own open items.
        if lookup == "commitment__id__exact":
            return True
        return super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        # Open items first, and only those unless the editor asks for the others.
        if "state__exact" not in request.GET and "_changelist_filters" not in request.GET:
            query = request.GET.copy()
            query["state__exact"] = ConflictState.OPEN
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("承諾"), ordering="commitment__title")
    def commitment_link(self, conflict):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:tracker_commitment_change", args=[conflict.commitment_id]),
            conflict.commitment.title,
        )

    @admin.display(description=gettext_lazy("項目"))
    def what(self, conflict):
        if conflict.kind == ConflictKind.ENTRY:
            return _("追蹤紀錄（上游改寫或移除）")
        return conflict.field_label

    @admin.display(description=gettext_lazy("上游的新值"))
    def upstream_short(self, conflict):
        if conflict.kind == ConflictKind.ENTRY:
            return _("（上游已移除這一筆）")
        return shown(conflict.upstream_value, conflict.field_name)[:SHORT]

    @admin.display(description=gettext_lazy("編輯部的值"))
    def ours_short(self, conflict):
        return shown(conflict.our_value, conflict.field_name)[:SHORT]

    @admin.display(description=gettext_lazy("同步作業"), ordering="sync_run")
    def run(self, conflict):
        return str(conflict.sync_run) if conflict.sync_run_id else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show base, upstream's and our value side by side, and take the editor's decision."""
        conflict = (
            SyncConflict.objects.select_related("commitment", "sync_run", "decided_by")
            .filter(pk=unquote(object_id))
            .first()
            if str(object_id).isdigit()
            else None
        )
        if conflict is None:
            raise Http404
        if not self.has_view_or_change_permission(request, conflict):
            raise PermissionDenied
        can_decide = self.has_change_permission(request, conflict)
        posted = request.POST if request.method == "POST" else None
        form = DecisionForm(posted)
        # The value is read (and checked) only when the editor sets it.
        setting = posted is not None and "_set_value" in posted
        value_form = (
            ConflictValueForm(posted if setting else None, conflict=conflict)
            if conflict.kind == ConflictKind.FIELD
            else None
        )
        if posted is not None:
            if not can_decide:
                raise PermissionDenied
            if form.is_valid() and (not setting or value_form.is_valid()):
                done = self._decide(request, conflict, form, value_form)
                if done:
                    return HttpResponseRedirect(reverse("admin:tracker_syncconflict_changelist"))
        name = conflict.field_name
        context = {
            **self.admin_site.each_context(request),
            "title": _("同步衝突：%(what)s") % {"what": self.what(conflict)},
            "subtitle": conflict.commitment.title,
            "opts": self.opts,
            "original": conflict,
            "conflict": conflict,
            "form": form,
            "value_form": value_form,
            "fields": [form["note"], *([value_form["value"]] if value_form is not None else [])],
            "has_errors": bool(form.errors or (value_form is not None and value_form.errors)),
            "can_decide": can_decide and conflict.state == ConflictState.OPEN,
            "base": shown(conflict.base_value, name),
            "upstream": _("（上游已移除這一筆）")
            if conflict.kind == ConflictKind.ENTRY
            else compared(conflict.base_value, conflict.upstream_value, name),
            "ours": compared(conflict.base_value, conflict.our_value, name),
            "decided_by": who(conflict.decided_by) if conflict.decided_at else "",
            "commitment_url": reverse(
                "admin:tracker_commitment_change", args=[conflict.commitment_id]
            ),
            "media": self.media + value_form.media if value_form is not None else self.media,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _decide(self, request, conflict, form, value_form) -> bool:
        note = form.cleaned_data["note"]
        try:
            if "_take_upstream" in request.POST:
                sync_review.sync_conflict_take_upstream(
                    conflict=conflict, user=request.user, note=note
                )
                message = _("已採用上游的版本。")
            elif "_keep_ours" in request.POST:
                sync_review.sync_conflict_keep_ours(conflict=conflict, user=request.user, note=note)
                message = _("已保留編輯部的版本。")
            elif "_set_value" in request.POST and value_form is not None:
                sync_review.sync_conflict_set_value(
                    conflict=conflict, value=value_form.value_text(), user=request.user, note=note
                )
                message = _("已改為指定的值。")
            else:
                form.add_error(None, _("請選擇一種處理方式"))
                return False
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    if name == "value" and value_form is not None and value_form.is_bound:
                        value_form.add_error("value", errors)
                    else:
                        form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return False
        self.message_user(request, message, messages.SUCCESS)
        return True


def open_conflict_count(commitment: Commitment) -> int:
    return SyncConflict.objects.open().filter(commitment=commitment).count()
