from django import template

from tracker.core.services.edit_conflicts import who

register = template.Library()


@register.filter
def editor_name(user) -> str:
    """Name an editor as messages do: 王小明（editor）."""
    return who(user)
