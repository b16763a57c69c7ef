"""Routes of the workspaces API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from workspaces.api import usergroups, views

urlpatterns = [
    path("workspaces", views.WorkspaceCollectionView.as_view(), name="workspaces"),
    path("workspaces/<pubid:workspace_id>", views.WorkspaceDetailView.as_view(), name="workspace"),
    path("workspaces/<pubid:workspace_id>/members", views.MemberCollectionView.as_view(), name="members"),
    path("workspaces/<pubid:workspace_id>/members/<pubid:user_id>", views.MemberDetailView.as_view(), name="member"),
    path(
        "workspaces/<pubid:workspace_id>/members/<pubid:user_id>/deactivate",
        views.MemberDeactivateView.as_view(),
        name="member-deactivate",
    ),
    path(
        "workspaces/<pubid:workspace_id>/members/<pubid:user_id>/reactivate",
        views.MemberReactivateView.as_view(),
        name="member-reactivate",
    ),
    path("workspaces/<pubid:workspace_id>/invitations", views.InvitationCollectionView.as_view(), name="invitations"),
    path(
        "workspaces/<pubid:workspace_id>/invitations/<pubid:invitation_id>",
        views.InvitationDetailView.as_view(),
        name="invitation",
    ),
    path("workspaces/<pubid:workspace_id>/usergroups", usergroups.UsergroupCollectionView.as_view(), name="usergroups"),
    path(
        "workspaces/<pubid:workspace_id>/usergroups/<pubid:usergroup_id>",
        usergroups.UsergroupDetailView.as_view(),
        name="usergroup",
    ),
    path(
        "workspaces/<pubid:workspace_id>/usergroups/<pubid:usergroup_id>/users",
        usergroups.UsergroupUsersView.as_view(),
        name="usergroup-users",
    ),
    path("invitations/<invite:token>", views.InvitationPreviewView.as_view(), name="invitation-preview"),
    path("invitations/<invite:token>/accept", views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
