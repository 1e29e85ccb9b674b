from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _setup_roles(sender, **kwargs):
    from tracker.core.services.roles import roles_setup

    roles_setup()


class TrackerConfig(AppConfig):
    """The core: models, the format, services, search and quality rules (app label tracker)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker.core"
    label = "tracker"
    verbose_name = _("政策承諾追蹤")

    def ready(self):
        # The 編輯 and 主編 groups follow every migrate, so new models' permissions join them.
        from tracker.core import checks  # noqa: F401  (registers the system checks)
        from tracker.core.data_version import connect_signals

        post_migrate.connect(_setup_roles, sender=self, dispatch_uid="tracker_setup_roles")
        connect_signals()
