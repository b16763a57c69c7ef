"""Top-level URLs. Workspace pages live at /<workspace-slug>/, so those paths are reserved
(workspaces.services.RESERVED_SLUGS)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from slackclone import health, media
from slackclone.metrics.http import metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Prometheus's scrape of this process: the loopback, METRICS_ALLOWED_NETWORKS or METRICS_TOKEN only.
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # The REST API. /api/<method> (a dot in the name, e.g. /api/chat.postMessage) stays free for the
    # Slack-compatible Web API, so nothing here catches all of /api/.
    path("api/v1/", include("slackclone.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("slack_api.urls")),  # the Slack-compatible Web API: /api/<family.method>
    path("accounts/", include("accounts.urls")),
    path("auth/", include("identity.urls")),
    path("scim/v2/", include("scim.urls")),  # SCIM 2.0 provisioning, one bearer token per workspace
    path("notifications/", include("notifications.urls")),
    # Avatars and workspace icons, in every mode; other uploads go through the API's membership checks.
    path("media/<str:folder>/<str:name>", media.public_image, name="public-image"),
    # The installable app: /sw.js (its scope is the whole site) and /manifest.webmanifest.
    path("", include("chat.web.root_urls")),
    # Incoming webhooks (/hooks/T…/B…/<secret>) and /<slug>/admin/integrations/.
    path("", include("integrations.urls")),
    # /<slug>/admin/apps/: the workspace's Slack apps.
    path("", include("slack_apps.urls")),
    # /new/, /invite/<token>/ and /<slug>/admin/...: before the web client's /<slug>/ routes.
    path("", include("workspaces.urls")),
    path("", include("accounts.root_urls")),
    # The web client, one page per workspace: last, so every fixed prefix above wins.
    path("<slug:workspace_slug>/", include("chat.web.urls")),
]

# A database outage no view handled is a 503 to retry (slackclone.error_pages); anything else Django's 500.
handler500 = "slackclone.error_pages.server_error"
