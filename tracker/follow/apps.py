from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowConfig(AppConfig):
    """Readers follow commitments, agencies, categories and searches by e-mail."""

    name = "tracker.follow"
    label = "follow"
    verbose_name = _("電子郵件追蹤")
    default_auto_field = "django.db.models.BigAutoField"
