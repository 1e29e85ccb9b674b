import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The editors' desk: the admin, its forms, templates and static files."""

    name = "tracker.desk"
    label = "desk"
    verbose_name = _("編輯台")


class AxesConfig(axes.apps.AppConfig):
    """django-axes, named in the editors' language (it names itself "Axes", untranslated)."""

    default = False  # named in INSTALLED_APPS; "tracker.desk" still means DeskConfig
    verbose_name = _("登入防護")
