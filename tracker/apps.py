from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = _("政策承諾追蹤")

    def ready(self):
        from tracker.caching import connect_signals

        connect_signals()
