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
    """Return the POST data of an admin change page's form, as the page rendered it."""
    data = {}
    for bound in response.context["adminform"].form:
        value = _value(bound)
        if value is not None:
            data[bound.html_name] = value
    return data


def errors_of(response) -> str:
    """Return every error message on a re-rendered admin form, as one text."""
    form = response.context["adminform"].form
    return "\n".join(
        f"{field}: {error}" for field, errors in form.errors.items() for error in errors
    )
