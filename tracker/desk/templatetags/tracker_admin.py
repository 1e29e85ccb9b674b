from django import template

from tracker.core.links import web_url
from tracker.core.models import status_slug
from tracker.core.services.edit_conflicts import who

register = template.Library()


@register.filter
def editor_name(user) -> str:
    """Name an editor as messages do: 王小明（editor）."""
    return who(user)


@register.filter
def web_link(url: str | None) -> str:
    """Return the URL when it is an http(s) address, else "" (no javascript: links)."""
    return web_url(url)


@register.filter
def status_class(status: str) -> str:
    """Return a status's ASCII name, for CSS classes (tracker.core.models.status_slug)."""
    return status_slug(status)
