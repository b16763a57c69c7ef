"""Mounted under /api/ after the REST API's routes: only method names with a dot (chat.postMessage) match,
so /api/v1/, /api/schema/ and /api/docs/ are never shadowed."""

from django.urls import path, re_path

from slack_api.commands import response_url
from slack_api.views import external_upload, web_api

app_name = "slack_api"

urlpatterns = [
    re_path(r"^(?P<method>[a-zA-Z]+\.[a-zA-Z.]+)$", web_api, name="method"),
    # files.getUploadURLExternal's one-time URLs (no dot in the path, so never a method name)
    path("upload/<str:secret>", external_upload, name="external-upload"),
    # Slash commands' response_url (slack_apps.commands)
    path("commands/respond/<str:secret>", response_url, name="command-response"),
]
