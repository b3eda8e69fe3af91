from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

from config import health, media

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("api/v1/", include("api.urls", namespace="api")),
    path("pdf/", include("pdfs.urls")),
    # Images (config/media.py): signed URLs for readers, media files for the admin's users.
    re_path(
        r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$", ServeView.as_view(), name="wagtailimages_serve"
    ),
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", media.admin_media, name="admin_media"),
    path("", include("briefs.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [
    # Wagtail's page view, routed with one query less (briefs/routing.py), then the rest of
    # Wagtail's URLs (its own page view, which the first pattern always answers before it).
    path("", include("briefs.page_urls")),
    path("", include(wagtail_urls)),
]
