"""System checks for settings that would make a deployment unsafe."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


@register(Tags.security, deploy=True)
def check_env_file_owner(app_configs, **kwargs):
    """Warn when the configuration file belongs to a user the site could run as."""
    path = getattr(settings, "TRACKER_ENV_FILE", "")
    try:
        owner = Path(path).stat().st_uid if path else 0
    except OSError:
        return []
    if owner == 0:
        return []
    return [
        Warning(
            f"{path} is owned by user id {owner}, not root: if the site runs as that user, "
            "it can rewrite its own secrets.",
            hint=f"chown root:tracker {path} && chmod 640 {path}",
            id="tracker.W001",
        )
    ]
