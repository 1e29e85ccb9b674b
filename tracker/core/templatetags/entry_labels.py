"""Template filters for a timeline entry's judgement label, for the desk and the public pages."""

from django import template

from tracker.core import entries

register = template.Library()


@register.filter
def judgement_code(entry) -> str:
    """Return the code of an entry's judgement label (tracker.core.entries)."""
    return entries.entry_judgement_label(entry)


@register.filter
def judgement_text(entry) -> str:
    """Return the wording of an entry's judgement label (tracker.core.entries)."""
    return entries.JUDGEMENT_LABELS.get(entries.entry_judgement_label(entry), "")
