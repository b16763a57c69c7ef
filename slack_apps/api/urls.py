from django.urls import path

from slack_apps.api import apps_views, interaction_views, views

urlpatterns = [
    path("interactions/block-actions", interaction_views.BlockActionView.as_view(), name="interactions-block-actions"),
    path("interactions/shortcuts", interaction_views.ShortcutListView.as_view(), name="interactions-shortcuts"),
    path("interactions/shortcut", interaction_views.ShortcutRunView.as_view(), name="interactions-shortcut"),
    path("interactions/view-submission", interaction_views.ViewSubmissionView.as_view(), name="interactions-submit"),
    path("interactions/view-closed", interaction_views.ViewClosedView.as_view(), name="interactions-view-closed"),
    path("apps/home", interaction_views.AppHomeByBotView.as_view(), name="app-home-by-bot"),
    path("apps/<pubid:app_id>/home", interaction_views.AppHomeView.as_view(), name="app-home"),
    path("apps/<pubid:app_id>/home/opened", interaction_views.AppHomeOpenedView.as_view(), name="app-home-opened"),
    path("channels/<pubid:channel_id>/commands", views.CommandsView.as_view(), name="channel-commands"),
    path("workspaces/<pubid:workspace_id>/apps", apps_views.AppCollectionView.as_view(), name="apps"),
    path("workspaces/<pubid:workspace_id>/apps/<pubid:app_id>", apps_views.AppDetailView.as_view(), name="app"),
    path(
        "workspaces/<pubid:workspace_id>/apps/<pubid:app_id>/rotate",
        apps_views.AppRotateView.as_view(),
        name="app-rotate",
    ),
]
