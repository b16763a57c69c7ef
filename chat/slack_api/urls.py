"""Mounted under /api/ after the REST API's routes: only method names with a dot (chat.postMessage) match,
so /api/v1/, /api/schema/ and /api/docs/ are never shadowed."""

from django.urls import re_path

from chat.slack_api.views import web_api

app_name = "slack_api"

urlpatterns = [
    re_path(r"^(?P<method>[a-zA-Z]+\.[a-zA-Z.]+)$", web_api, name="method"),
]
