from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from tracker.public.urls import root_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
]

# The public site: Chinese at the root, English under /en/.
urlpatterns += root_urlpatterns
urlpatterns += i18n_patterns(
    path("follow/", include("tracker.follow.urls")),
    path("", include("tracker.public.urls")),
    prefix_default_language=False,
)
