"""The editors' desk: one module per area, registered when this package is imported."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.desk.admin import (  # noqa: F401
    commitments,
    corrections,
    criteria,
    logs,
    quality,
    questions,
    replies,
    sources,
    sync,
    users,
)

admin.site.site_header = _("政策承諾追蹤・編輯台")
admin.site.site_title = _("政策承諾追蹤編輯台")
admin.site.index_title = _("編輯台")
# The models' list stays on the home page and in the breadcrumbs: without the sidebar the
# commitment list has the width of the screen (every column readable at 1,280 px).
admin.site.enable_nav_sidebar = False
