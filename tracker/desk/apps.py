from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The editors' desk: the admin, its forms, templates and static files."""

    name = "tracker.desk"
    label = "desk"
    verbose_name = _("編輯台")
