from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public site: pages, downloads, feeds, sitemaps and their caching."""

    name = "tracker.public"
    label = "public"
    verbose_name = _("公開網站")
