"""Template helpers for the pages that mention following by e-mail."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def unconfirmed_days() -> int:
    """Return after how many days unconfirmed subscriptions are deleted."""
    return settings.FOLLOW_UNCONFIRMED_DAYS
