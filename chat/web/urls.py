"""The browser client, mounted at /<workspace-slug>/ by slackclone.urls (last, after every fixed prefix)."""

from django.urls import path, re_path

from chat.web import views

app_name = "client"

urlpatterns = [
    path("", views.client, name="workspace"),
    path("archives/<str:channel_id>/", views.client, name="channel"),
    # Slack's permalink: /archives/<channel>/p<ts without its dot>, as notification emails link to.
    re_path(r"^archives/(?P<channel_id>[A-Z0-9]+)/p(?P<ts_digits>\d{7,20})/?$", views.client, name="message"),
]
