"""Forms of the editors' desk (the Django admin).

The forms validate and explain; the services in tracker/services write. Text fields keep what
the editor typed exactly (no trimming: trailing spaces are data in this format), except that
browser line ends (CR LF) become LF.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core import format as fmt
from tracker.core.models import (
    AgencyQuestion,
    Commitment,
    CompletionCriterion,
    EntryShape,
    Source,
    Status,
    TrackingLog,
    validate_web_url,
)
from tracker.core.services import (
    agency_questions,
    commitment_editing,
    criteria,
    source_editing,
    tracking_log_editing,
)
from tracker.core.services.edit_conflicts import EditConflict, display_field
from tracker.core.services.timeline import (
    DEFAULT_SOURCE_TYPE,
    Evidence,
    today,
    validate_entry_date,
    validate_evidence,
    validate_new_entry_date,
    validate_reason,
    validate_status_change,
)

JUDGEMENTS = (
    ("進度更新", gettext_lazy("進度更新")),
    ("達成證據", gettext_lazy("達成證據")),
    ("相關資訊", gettext_lazy("相關資訊")),
)
BASE_VERSION = "base_version"


class DatalistInput(forms.TextInput):
    """A text box that suggests the values already in use (HTML datalist, no JavaScript)."""

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id', 'id_' + name)}_list"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


def _lf(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _data_value(form, name, value):
    """Return how a value is posted for a field (to put someone else's value into the form)."""
    field = form.fields[name]
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return ""
    return str(value)


def one_line_field(label, help_text, *, required=False, **options) -> forms.CharField:
    """Return a wide box for one line of text (the file keeps summaries and reasons on one)."""
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"class": "vLargeTextField tracker-wide"}),
        help_text=help_text,
        **options,
    )


def reason_field(**options) -> forms.CharField:
    """Return the box for a status change's reason."""
    return one_line_field(
        gettext_lazy("原因"), gettext_lazy("一行文字，寫入「狀態變更」紀錄"), **options
    )


def version_field():
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class VersionedFormMixin:
    """A model form that refuses to overwrite what someone saved after it was opened.

    It carries the record's version in a hidden field; the service that saves checks whether
    anyone saved the form's fields since (tracker.core.services.edit_conflicts). When it
    refuses, ``show_refusal`` (called from ``clean``) keeps the editor's input, fills in the
    other editor's values where this editor changed nothing, marks the fields both changed,
    and takes the new version, so saving again is a deliberate choice.
    """

    editable_names: tuple[str, ...] = ()
    keep_text_exactly: tuple[str, ...] = ()

    def _setup_versioning(self):
        if self.instance.pk:
            self.fields[BASE_VERSION].initial = self.instance.version
            self.fields[BASE_VERSION].required = True
            self.fields[BASE_VERSION].error_messages["required"] = _(
                "表單缺少版本資訊，無法確認是否有人同時修改；請重新載入頁面"
            )
        for name in self.keep_text_exactly:
            if name in self.fields and isinstance(self.fields[name], forms.CharField):
                self.fields[name].strip = False
                if self.instance._meta.get_field(name).null:
                    self.fields[name].empty_value = None
        self.original = {
            name: getattr(self.instance, self.instance._meta.get_field(name).attname)
            for name in self.editable_names
            if name in self.fields
        }

    def clean(self):
        cleaned = super().clean()
        self._normalise_text()
        self._use_base_values()
        return cleaned

    def _use_base_values(self):
        """Compare the editor's input with the record as they opened it, not as it is now.

        Then a field someone else changed meanwhile, and this editor left alone, does not
        count as this editor's change (saving will not undo the other editor's work).
        """
        base_version = self.cleaned_data.get(BASE_VERSION)
        if not self.instance.pk or base_version is None or base_version == self.instance.version:
            return
        model = type(self.instance)
        record = (
            model.history.filter(**{model._meta.pk.attname: self.instance.pk}, version=base_version)
            .order_by("-history_date")
            .first()
        )
        if record is not None:
            self.original = {
                name: getattr(record, model._meta.get_field(name).attname) for name in self.original
            }

    @property
    def shown_names(self) -> list[str]:
        return [name for name in self.editable_names if name in self.fields]

    @property
    def changed_data(self):
        return [
            name
            for name, bound in self._bound_items()
            if name != BASE_VERSION and bound._has_changed()
        ]

    def update_arguments(self) -> dict:
        """Return what an update service needs to refuse a stale save, and what to save."""
        return {
            "base_version": self.cleaned_data[BASE_VERSION],
            "changes": self.changes(),
            "watched": self.shown_names,
        }

    def changes(self) -> dict:
        """Return field -> new value for the fields whose value the editor changed."""
        result = {}
        for name in self.shown_names:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            compared = value.pk if hasattr(value, "pk") else value
            # An empty box means "no value": null and "" are the same to the editor.
            if (compared or None) != (self.original[name] or None) or (
                compared not in (None, "") and compared != self.original[name]
            ):
                result[name] = value
        return result

    def _normalise_text(self):
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                self.cleaned_data[name] = _lf(value)

    refused = None  # set by the admin (tracker.desk.admin.saving) when a save was refused

    def show_refusal(self) -> None:
        """Put a service's refusal of the last save on the form (conflict or rule)."""
        refusal = self.refused
        if refusal is None or self.errors:
            return
        if isinstance(refusal, EditConflict):
            self.apply_conflict(refusal)
            raise ValidationError(self.conflict_message(refusal), code="conflict")
        if hasattr(refusal, "error_dict"):
            for name, messages in refusal.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, refusal.messages)

    def apply_conflict(self, conflict: EditConflict) -> None:
        data = self.data.copy()
        data[self.add_prefix(BASE_VERSION)] = str(conflict.current_version)
        for name, (_then, now) in conflict.theirs.items():
            if name not in self.fields:
                continue
            if name in conflict.both:
                self.add_error(
                    name,
                    _("對方已改為「%(value)s」。這裡保留您的輸入，請對照合併後再儲存。")
                    % {"value": display_field(type(self.instance), name, now)},
                )
                continue
            value = _data_value(self, name, now)
            if value is None:
                data.pop(self.add_prefix(name), None)
            else:
                data[self.add_prefix(name)] = value
        self.data = data

    def conflict_message(self, conflict: EditConflict) -> str:
        message = conflict.message()
        if set(conflict.theirs) - conflict.both:
            message += " " + _("對方修改、您沒有動過的欄位，已換成對方儲存的內容。")
        if conflict.both:
            message += " " + _("您和對方都改了的欄位標示如下，保留的是您的輸入。")
        message += " " + _("確認後再按一次儲存，就會以畫面上的內容為準。")
        return message


class CommitmentForm(VersionedFormMixin, forms.ModelForm):
    """Edit a commitment, log a progress update and change its status, in one form."""

    base_version = version_field()

    editable_names = (*commitment_editing.EDITABLE_FIELDS, "is_published")
    keep_text_exactly = (
        "title",
        "category",
        "responsible_agency",
        "target_date_text",
        "target_value",
        "wording",
    )

    progress_date = forms.DateField(
        label=gettext_lazy("日期"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy("預設為今天；不可晚於今天，也不可早於時間軸的最後一筆"),
    )
    progress_source_type = forms.CharField(
        label=gettext_lazy("來源類型"), required=False, max_length=100, initial=DEFAULT_SOURCE_TYPE
    )
    progress_document_number = forms.CharField(
        label=gettext_lazy("文件編號"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("例如（行政院函　中華民國113年1月2日院臺經字第1130000001號）"),
    )
    progress_document_url = forms.CharField(
        label=gettext_lazy("來源連結"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    progress_summary = one_line_field(
        gettext_lazy("內容摘要"), gettext_lazy("一行文字：這份文件對這項承諾說了什麼")
    )
    progress_judgement = forms.ChoiceField(
        label=gettext_lazy("判斷"),
        choices=JUDGEMENTS,
        required=False,
        initial="進度更新",
        help_text=gettext_lazy("寫入檔案的「AI 判斷」欄；您記錄的條目在後台與公開頁標示為編輯判斷"),
    )
    status_to = forms.ChoiceField(
        label=gettext_lazy("新狀態"),
        required=False,
        choices=[("", gettext_lazy("（不變更）")), *Status.choices],
    )
    status_reason = reason_field()
    status_use_evidence = forms.BooleanField(
        label=gettext_lazy("以引用文件為依據"),
        required=False,
        help_text=gettext_lazy(
            "勾選時不寫原因：以上方「新增進度更新」填寫的文件寫入一筆引用文件的「狀態變更」"
        ),
    )
    status_date = forms.DateField(
        label=gettext_lazy("變更日期"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy("預設為今天"),
    )

    class Meta:
        model = Commitment
        fields = (*commitment_editing.EDITABLE_FIELDS, "is_published")
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField tracker-wide"}),
            "target_value": forms.Textarea(attrs={"rows": 2}),
            "wording": forms.Textarea(attrs={"rows": 6}),
            "file_path": forms.TextInput(attrs={"class": "vLargeTextField tracker-wide"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_versioning()
        for name in ("progress_date", "status_date"):
            if name in self.fields:
                self.fields[name].initial = today()
        values = Commitment.objects.order_by()
        if "category" in self.fields:
            self.fields["category"].widget = DatalistInput(
                values.values_list("category", flat=True).distinct().order_by("category")
            )
        if "responsible_agency" in self.fields:
            self.fields["responsible_agency"].widget = DatalistInput(
                values.exclude(responsible_agency=None)
                .values_list("responsible_agency", flat=True)
                .distinct()
                .order_by("responsible_agency")
            )

    # Validation -----------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        for name in ("title", "category", "wording"):
            value = cleaned.get(name)
            if name in self.fields and isinstance(value, str) and not value.strip():
                self.add_error(name, _("不可只有空白"))
        if "target_date_text" in cleaned and cleaned["target_date_text"] == "":
            cleaned["target_date_text"] = None
        self._clean_renderable()
        self._clean_progress()
        self._clean_status()
        self.show_refusal()
        return cleaned

    def _clean_renderable(self):
        if self.errors:
            return
        if not {"wording", "source", "shows_reply"} & set(self.fields):
            return
        source = self.cleaned_data.get("source") or getattr(self.instance, "source", None)
        wording = self.cleaned_data.get("wording", self.instance.wording) or ""
        shows_reply = self.cleaned_data.get("shows_reply", self.instance.shows_reply)
        reply = None
        if shows_reply and source is not None:
            reply = fmt.ReplyData(subject=source.subject, text=source.reply_text)
        data = fmt.stub(wording=wording, reply=reply)
        for name, messages in commitment_editing.renderable_errors(data).items():
            for message in messages:
                self.add_error(None if name == NON_FIELD_ERRORS else name, message)

    def progress_wanted(self) -> bool:
        data = self.cleaned_data
        return any(
            (data.get(name) or "").strip()
            for name in ("progress_document_number", "progress_document_url", "progress_summary")
        )

    def progress_evidence(self) -> Evidence:
        data = self.cleaned_data
        return Evidence(
            source_type=(data.get("progress_source_type") or "").strip() or DEFAULT_SOURCE_TYPE,
            document_number=(data.get("progress_document_number") or "").strip(),
            document_url=(data.get("progress_document_url") or "").strip(),
            summary=(data.get("progress_summary") or "").strip(),
            judgement=data.get("progress_judgement") or "進度更新",
        )

    def progress_entry_date(self) -> dt.date:
        return self.cleaned_data.get("progress_date") or today()

    def status_entry_date(self) -> dt.date:
        return self.cleaned_data.get("status_date") or today()

    def _errors_from(self, prefix: str, rule, *args, **kwargs) -> None:
        """Run one of the services' rules; show its messages next to this form's fields."""
        names = {"entry_date": "date", "to_status": "to"}
        try:
            rule(*args, **kwargs)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = f"{prefix}{names.get(name, name)}"
                self.add_error(field if field in self.fields else None, messages)

    def _clean_progress(self):
        if "progress_summary" not in self.fields:
            return
        if not self.progress_wanted() and not self.cleaned_data.get("status_use_evidence"):
            return
        self._errors_from(
            "progress_", validate_new_entry_date, self.instance, self.progress_entry_date()
        )
        self._errors_from("progress_", validate_evidence, self.progress_evidence())

    def _clean_status(self):
        if "status_to" not in self.fields:
            return
        data = self.cleaned_data
        to_status = data.get("status_to")
        use_evidence = data.get("status_use_evidence")
        if not to_status:
            if (data.get("status_reason") or "").strip() or use_evidence:
                self.add_error("status_to", _("請選擇新狀態，或清空原因"))
            return
        if use_evidence and not self.progress_wanted():
            self.add_error(
                "status_use_evidence",
                _("請在「新增進度更新」填寫引用文件（至少內容摘要），或改填原因"),
            )
            return
        self._errors_from(
            "status_",
            validate_status_change,
            current_status=self.instance.status,
            to_status=to_status,
            reason=data.get("status_reason") or "",
            evidence=self.progress_evidence() if use_evidence else None,
        )
        if not use_evidence:
            self._errors_from(
                "status_", validate_new_entry_date, self.instance, self.status_entry_date()
            )

    def progress_update(self) -> commitment_editing.ProgressUpdate | None:
        """Return the progress update the editor filled in (or the document of a status change)."""
        if not self.progress_wanted():
            return None
        return commitment_editing.ProgressUpdate(
            evidence=self.progress_evidence(), entry_date=self.progress_entry_date()
        )

    def status_change(self) -> commitment_editing.StatusChange | None:
        to_status = self.cleaned_data.get("status_to")
        if not to_status:
            return None
        return commitment_editing.StatusChange(
            to_status=to_status,
            reason=self.cleaned_data.get("status_reason") or "",
            use_evidence=bool(self.cleaned_data.get("status_use_evidence")),
            entry_date=self.status_entry_date(),
        )


class CommitmentAddForm(CommitmentForm):
    """Create a commitment: a draft, with its path defaulting to <category>/<title>.md."""

    class Meta(CommitmentForm.Meta):
        fields = commitment_editing.EDITABLE_FIELDS
        help_texts = {
            "file_path": gettext_lazy("留白則使用「類別/標題.md」；儲存後可在這裡看到並修改"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file_path"].required = False

    def clean_file_path(self):
        value = (self.cleaned_data.get("file_path") or "").strip()
        title, category = self.cleaned_data.get("title"), self.cleaned_data.get("category")
        if not value and title and category:
            value = commitment_editing.commitment_free_path(category=category, title=title)
        return value


class TrackingLogForm(VersionedFormMixin, forms.ModelForm):
    """Correct one timeline entry; only the fields its shape has are shown."""

    base_version = version_field()

    editable_names = tracking_log_editing.EDITABLE_FIELDS
    keep_text_exactly = tracking_log_editing.EDITABLE_FIELDS
    SHAPE_FIELDS = {
        EntryShape.TEXT: ("entry_date", "text"),
        EntryShape.STATUS_RULE: ("entry_date", "reason"),
        EntryShape.EVIDENCE: (
            "entry_date",
            "source_type",
            "document_number",
            "document_url",
            "summary",
            "judgement",
        ),
    }

    mark_reviewed = forms.BooleanField(label=gettext_lazy("已審核這項自動判斷"), required=False)

    class Meta:
        model = TrackingLog
        fields = tracking_log_editing.EDITABLE_FIELDS
        widgets = {
            "entry_date": AdminDateWidget,
            "text": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.TextInput(attrs={"class": "vLargeTextField tracker-wide"}),
            # One line in the file, but long: wrapped so it can be read whole.
            "summary": forms.Textarea(attrs={"rows": 3, "class": "tracker-wide"}),
            "document_url": forms.TextInput(attrs={"class": "vURLField tracker-wide"}),
            "document_number": forms.TextInput(attrs={"class": "tracker-wide"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = self.SHAPE_FIELDS.get(self.instance.shape, ("entry_date", "text"))
        for name in tracking_log_editing.EDITABLE_FIELDS:
            if name not in shown:
                self.fields.pop(name, None)
        if not self.instance.needs_review:
            self.fields.pop("mark_reviewed", None)
        if "judgement" in self.fields:
            self.fields["judgement"].label = _("判斷")
            self.fields["judgement"].help_text = ""
        self._setup_versioning()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.changes():
            entry = TrackingLog(
                shape=self.instance.shape,
                kind=self.instance.kind,
                **{
                    name: cleaned.get(name, getattr(self.instance, name))
                    for name in tracking_log_editing.EDITABLE_FIELDS
                },
            )
            try:
                tracking_log_editing.validate_entry_values(entry=entry, changed=self.changes())
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        self.show_refusal()
        return cleaned

    def _post_clean(self):
        # The entry is saved by the service, not by the form; model validation of unchanged
        # corpus values (an odd URL) must not block correcting another field.
        pass


class TrackingLogDeleteForm(forms.Form):
    """Delete an entry; when it explains the status, say which status to return to."""

    status_after = forms.ChoiceField(
        label=gettext_lazy("刪除後的狀態"), choices=Status.choices, required=False
    )
    reason = reason_field()


class BulkStatusForm(forms.Form):
    """One new status and one reason for several commitments."""

    to_status = forms.ChoiceField(label=gettext_lazy("新狀態"), choices=Status.choices)
    reason = one_line_field(
        gettext_lazy("原因"),
        gettext_lazy("一行文字，每筆承諾各寫入一筆「狀態變更」紀錄"),
        required=True,
        error_messages={"required": gettext_lazy("變更狀態必須填寫原因")},
    )
    entry_date = forms.DateField(
        label=gettext_lazy("變更日期"), initial=today, widget=AdminDateWidget
    )

    def clean_reason(self):
        try:
            return validate_reason(self.cleaned_data["reason"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["reason"]) from None

    def clean_entry_date(self):
        value = self.cleaned_data["entry_date"]
        try:
            validate_entry_date(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["entry_date"]) from None
        return value


class SourceForm(VersionedFormMixin, forms.ModelForm):
    base_version = version_field()
    url = forms.URLField(
        label=gettext_lazy("文件連結"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_url],
    )
    editable_names = source_editing.EDITABLE_FIELDS
    keep_text_exactly = ("ey_number", "url", "subject", "reply_text")

    class Meta:
        model = Source
        fields = (
            "document_id",
            "term",
            "session_period",
            "ey_number",
            "url",
            "subject",
            "reply_text",
        )
        widgets = {"subject": forms.TextInput(attrs={"class": "vLargeTextField tracker-wide"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_versioning()

    def clean(self):
        cleaned = super().clean()
        subject = cleaned.get("subject") or ""
        if "\n" in subject:
            self.add_error("subject", _("主旨只能有一行文字"))
        self.show_refusal()
        return cleaned


class AgencyQuestionForm(VersionedFormMixin, forms.ModelForm):
    """A question to an agency; once sent, the same page records the agency's answer."""

    base_version = version_field()
    deadline = forms.DateField(
        label=gettext_lazy("回覆期限"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy(
            "留空則依管道的預設天數（政府資訊公開申請 15 日；機關依法延長時請改為延長後的日期）"
        ),
    )
    answer_document_url = forms.URLField(
        label=gettext_lazy("回覆文件連結"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_url],
    )
    editable_names = agency_questions.EDITABLE_FIELDS
    keep_text_exactly = ("question", "answer")

    class Meta:
        model = AgencyQuestion
        fields = (
            "commitment",
            "agency",
            "sent_on",
            "channel",
            "question",
            "deadline",
            "answered_on",
            "answer",
            "answer_document_number",
            "answer_document_url",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_versioning()

    def clean(self):
        cleaned = super().clean()
        answer_given = any(
            cleaned.get(name)
            for name in ("answer", "answer_document_number", "answer_document_url")
        )
        if "answered_on" in self.fields and answer_given and not cleaned.get("answered_on"):
            self.add_error("answered_on", _("記錄回覆時請填寫回覆日期"))
        if "answered_on" in self.fields and cleaned.get("answered_on") and not answer_given:
            self.add_error("answer", _("請貼上機關回覆的原文"))
        self.show_refusal()
        return cleaned


class CompletionCriterionForm(VersionedFormMixin, forms.ModelForm):
    """One step of what "done" means for a commitment, and what settled it."""

    base_version = version_field()
    evidence_url = forms.URLField(
        label=gettext_lazy("依據連結"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_url],
    )
    editable_names = criteria.EDITABLE_FIELDS

    class Meta:
        model = CompletionCriterion
        fields = ("commitment", *criteria.EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_versioning()

    def clean(self):
        cleaned = super().clean()
        self.show_refusal()
        return cleaned
