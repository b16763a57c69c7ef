"""Routes of integrations: the webhook endpoint (/hooks/…) and the admin page (/<slug>/admin/integrations/),
mounted by slackclone.urls before the workspace pages."""

from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("hooks/<str:team_id>/<str:hook_id>/<str:secret>", views.incoming_webhook, name="incoming-webhook"),
    path("<slug:workspace_slug>/admin/integrations/", views.webhooks_page, name="webhooks"),
    path("<slug:workspace_slug>/admin/integrations/bots", views.bot_create_page, name="bot-create"),
    path(
        "<slug:workspace_slug>/admin/integrations/<str:hook_id>/revoke",
        views.webhook_revoke_page,
        name="webhook-revoke",
    ),
]
