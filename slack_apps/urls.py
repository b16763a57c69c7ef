"""The workspace admin page for apps, mounted by slackclone.urls before the workspace pages."""

from django.urls import path

from slack_apps import views

app_name = "slack_apps"

urlpatterns = [
    path("<slug:workspace_slug>/admin/apps/", views.apps_page, name="apps"),
    path("<slug:workspace_slug>/admin/apps/<str:app_id>/<str:action>", views.app_action, name="app-action"),
]
