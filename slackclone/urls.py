"""Top-level URLs. Workspace pages live at /<workspace-slug>/, so those paths are reserved
(workspaces.services.RESERVED_SLUGS)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", account_views.home, name="home"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
