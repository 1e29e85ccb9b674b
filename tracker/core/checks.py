"""System checks for settings that would make a deployment unsafe."""

from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5


@register(Tags.security)
def check_secret_key(app_configs, **kwargs):
    """Refuse the published development key or a weak key whenever debugging is off."""
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY
    hint = (
        "Set DJANGO_SECRET_KEY to at least 50 random characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
    if key == getattr(settings, "DEVELOPMENT_SECRET_KEY", None):
        return [
            Error(
                "DJANGO_SECRET_KEY is the development key published in this repository, "
                "and DJANGO_DEBUG is not true.",
                hint=hint,
                id="tracker.E001",
            )
        ]
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return [
            Error(
                f"DJANGO_SECRET_KEY is too weak ({len(key)} characters, {len(set(key))} "
                f"different); production needs at least {MIN_SECRET_KEY_LENGTH} characters "
                f"and {MIN_SECRET_KEY_CHARACTERS} different ones.",
                hint=hint,
                id="tracker.E002",
            )
        ]
    return []
