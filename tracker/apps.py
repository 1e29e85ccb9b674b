from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _setup_roles(sender, **kwargs):
    from tracker.services.roles import roles_setup

    roles_setup()


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = _("政策承諾追蹤")

    def ready(self):
        # The 編輯 and 主編 groups follow every migrate, so new models' permissions join them.
        from tracker import checks  # noqa: F401  (registers the system checks)
        from tracker.caching import connect_signals

        post_migrate.connect(_setup_roles, sender=self, dispatch_uid="tracker_setup_roles")
        connect_signals()
