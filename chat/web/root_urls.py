"""The installable app's files at the site's root (chat.web.pwa), mounted by slackclone.urls."""

from django.urls import path

from chat.web import pwa

urlpatterns = [
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="web-manifest"),
]
