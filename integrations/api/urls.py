"""Routes of the integrations API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from integrations.api import views

urlpatterns = [
    path("workspaces/<pubid:workspace_id>/bots", views.BotCollectionView.as_view(), name="bots"),
    path("workspaces/<pubid:workspace_id>/webhooks", views.WebhookCollectionView.as_view(), name="webhooks"),
    path(
        "workspaces/<pubid:workspace_id>/webhooks/<pubid:webhook_id>",
        views.WebhookDetailView.as_view(),
        name="webhook",
    ),
]
