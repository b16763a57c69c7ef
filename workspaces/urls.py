"""Workspace pages at the top level: /new/, /invite/<token>/ and the admin pages at /<slug>/admin/.

Included before the web client's /<slug>/ routes, so /<slug>/admin/ is matched here first.
"""

from django.urls import path
from django.views.generic import RedirectView

from audit import views as audit_views
from directory import views as directory_views
from identity.views import admin_sign_in, admin_sso
from scim import admin_views as admin_scim
from workspaces.views import admin_emoji, admin_invitations, admin_members, admin_settings, create, invitations

app_name = "workspaces"

admin_urls = [
    path(
        "<slug:workspace_slug>/admin/",
        RedirectView.as_view(pattern_name="workspaces:admin-members"),
        name="admin",
    ),
    path("<slug:workspace_slug>/admin/members/", admin_members.members, name="admin-members"),
    path(
        "<slug:workspace_slug>/admin/members/<str:user_id>/role/", admin_members.member_role, name="admin-member-role"
    ),
    path(
        "<slug:workspace_slug>/admin/members/<str:user_id>/active/",
        admin_members.member_active,
        name="admin-member-active",
    ),
    path(
        "<slug:workspace_slug>/admin/members/<str:user_id>/sign-out/",
        admin_members.member_sign_out,
        name="admin-member-sign-out",
    ),
    path("<slug:workspace_slug>/admin/sign-in/", admin_sign_in.sign_in_policy, name="admin-sign-in"),
    path("<slug:workspace_slug>/admin/invitations/", admin_invitations.invitations, name="admin-invitations"),
    path(
        "<slug:workspace_slug>/admin/invitations/<str:invitation_id>/revoke/",
        admin_invitations.invitation_revoke,
        name="admin-invitation-revoke",
    ),
    path("<slug:workspace_slug>/admin/settings/", admin_settings.settings, name="admin-settings"),
    path("<slug:workspace_slug>/admin/settings/icon/", admin_settings.icon, name="admin-icon"),
    path("<slug:workspace_slug>/admin/settings/two-factor/", admin_settings.two_factor, name="admin-two-factor"),
    path("<slug:workspace_slug>/admin/settings/privacy/", admin_settings.privacy, name="admin-privacy"),
    path("<slug:workspace_slug>/admin/settings/usergroups/", admin_settings.usergroups, name="admin-usergroups"),
    path(
        "<slug:workspace_slug>/admin/settings/link-previews/", admin_settings.link_previews, name="admin-link-previews"
    ),
    path(
        "<slug:workspace_slug>/admin/settings/read-receipts/", admin_settings.read_receipts, name="admin-read-receipts"
    ),
    path("<slug:workspace_slug>/admin/audit/", audit_views.audit_log, name="admin-audit"),
    path(
        "<slug:workspace_slug>/admin/audit/export.csv", audit_views.audit_export, {"fmt": "csv"}, name="admin-audit-csv"
    ),
    path(
        "<slug:workspace_slug>/admin/audit/export.jsonl",
        audit_views.audit_export,
        {"fmt": "jsonl"},
        name="admin-audit-jsonl",
    ),
    path("<slug:workspace_slug>/admin/audit/retention/", audit_views.audit_retention, name="admin-audit-retention"),
    path("<slug:workspace_slug>/admin/emoji/", admin_emoji.emoji, name="admin-emoji"),
    path("<slug:workspace_slug>/admin/sso/", admin_sso.providers, name="admin-sso"),
    path("<slug:workspace_slug>/admin/sso/<str:provider_id>/", admin_sso.provider_edit, name="admin-sso-provider"),
    path(
        "<slug:workspace_slug>/admin/sso/<str:provider_id>/<str:action>/",
        admin_sso.provider_action,
        name="admin-sso-action",
    ),
    path("<slug:workspace_slug>/admin/scim/", admin_scim.scim_admin, name="admin-scim"),
    path(
        "<slug:workspace_slug>/admin/scim/<str:token_id>/revoke/",
        admin_scim.scim_token_revoke_page,
        name="admin-scim-revoke",
    ),
    path("<slug:workspace_slug>/admin/emoji/policy/", admin_emoji.emoji_policy, name="admin-emoji-policy"),
    path("<slug:workspace_slug>/admin/emoji/<str:name>/remove/", admin_emoji.emoji_delete, name="admin-emoji-remove"),
    path("<slug:workspace_slug>/admin/ldap/", directory_views.ldap_settings, name="admin-ldap"),
    path("<slug:workspace_slug>/admin/ldap/test/", directory_views.ldap_test, name="admin-ldap-test"),
]

urlpatterns = [
    path("new/", create.create, name="create"),
    path("invite/<str:token>/", invitations.accept, name="invitation-accept"),
    *admin_urls,
]
