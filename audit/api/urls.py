"""Routes of the audit log API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from audit.api import views

urlpatterns = [
    path("workspaces/<pubid:workspace_id>/audit-log", views.AuditLogView.as_view(), name="audit-log"),
]
