"""Post admin forms the way a browser would: every field as the page rendered it."""

import datetime as dt

from django.forms import CheckboxInput


def _value(bound):
    value = bound.value()
    if isinstance(bound.field.widget, CheckboxInput):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_data(response) -> dict:
    """Return the POST data of an admin change page as rendered (main form and inlines)."""
    data = {}
    form = response.context["adminform"].form
    for bound in form:
        value = _value(bound)
        if value is not None:
            data[bound.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = _value(bound)
        for entry_form in formset.forms:
            for bound in entry_form:
                value = _value(bound)
                if value is not None:
                    data[bound.html_name] = value
    return data


def entry_prefix(response, entry) -> str:
    """Return the form prefix of a timeline entry on a change page."""
    for inline in response.context["inline_admin_formsets"]:
        for entry_form in inline.formset.forms:
            if entry_form.instance.pk == entry.pk:
                return entry_form.prefix
    raise AssertionError(f"entry {entry.pk} is not on the page")


def errors_of(response) -> str:
    """Return every error message on a re-rendered admin form, as one text."""
    messages = []
    form = response.context["adminform"].form
    for field, errors in form.errors.items():
        messages += [f"{field}: {error}" for error in errors]
    for inline in response.context["inline_admin_formsets"]:
        for entry_form in inline.formset.forms:
            for field, errors in entry_form.errors.items():
                messages += [f"{entry_form.prefix}-{field}: {error}" for error in errors]
    return "\n".join(messages)
