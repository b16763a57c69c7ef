"""Routes of the notifications API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from notifications.api import push, saved, views

urlpatterns = [
    path("workspaces/<pubid:workspace_id>/notifications", views.InboxView.as_view(), name="notifications"),
    path("workspaces/<pubid:workspace_id>/notifications/read", views.MarkReadView.as_view(), name="notifications-read"),
    path(
        "workspaces/<pubid:workspace_id>/scheduled-messages",
        views.ScheduledCollectionView.as_view(),
        name="scheduled-messages",
    ),
    path("scheduled-messages/<pubid:scheduled_id>", views.ScheduledDetailView.as_view(), name="scheduled-message"),
    path("workspaces/<pubid:workspace_id>/reminders", views.ReminderCollectionView.as_view(), name="reminders"),
    path("reminders/<pubid:reminder_id>", views.ReminderDetailView.as_view(), name="reminder"),
    path("workspaces/<pubid:workspace_id>/saved", saved.SavedListView.as_view(), name="saved"),
    path("push/vapid-key", push.VapidKeyView.as_view(), name="push-vapid-key"),
    path("push/subscriptions", push.SubscriptionsView.as_view(), name="push-subscriptions"),
    path("push/subscriptions/<pubid:subscription_id>", push.SubscriptionView.as_view(), name="push-subscription"),
    path("channels/<pubid:channel_id>/messages/<ts:ts>/saved", saved.SavedMessageView.as_view(), name="saved-message"),
]
