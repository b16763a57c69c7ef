"""Top-level URLs. Workspace pages live at /<workspace-slug>/, so those paths are reserved
(workspaces.services.RESERVED_SLUGS)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # The REST API. /api/<method> (a dot in the name, e.g. /api/chat.postMessage) stays free for the
    # Slack-compatible Web API, so nothing here catches all of /api/.
    path("api/v1/", include("slackclone.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("chat.slack_api.urls")),  # the Slack-compatible Web API: /api/<family.method>
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("", account_views.home, name="home"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Only public images; uploaded files go through the API, which checks channel membership.
    for public_dir in ("avatars", "workspace-icons"):
        urlpatterns += static(f"{settings.MEDIA_URL}{public_dir}/", document_root=settings.MEDIA_ROOT / public_dir)
