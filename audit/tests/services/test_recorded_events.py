"""Every security event is recorded by the real action that causes it, in its workspace, with who did it.
The actions the identity parts record are listed with where they are asserted, so a new action cannot go
untested."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction
from audit.tests.helpers import only, recorded
from chat.models import Message
from chat.services import message_post
from integrations.slack_export.exporter import export_workspace
from integrations.tokens import api_token_create
from notifications.services import retention_apply
from slack_apps.manifest import spec_from_options
from slack_apps.services import app_create, app_delete, app_rotate
from workspaces.models import Workspace
from workspaces.services import member_change_role, member_deactivate, member_reactivate
from workspaces.tokens import api_token_revoke

pytestmark = pytest.mark.django_db

# Asserted in this package (test_receivers.py: the account events; test_retention.py: the retention setting).
RECORDED_HERE = {
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SIGN_OUT,
    AuditAction.SESSIONS_ENDED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.TOKEN_CREATED,
    AuditAction.TOKEN_REVOKED,
    AuditAction.ROLE_CHANGED,
    AuditAction.MEMBER_DEACTIVATED,
    AuditAction.MEMBER_REACTIVATED,
    AuditAction.AUDIT_RETENTION_CHANGED,
    AuditAction.APP_CREATED,
    AuditAction.APP_DELETED,
    AuditAction.EXPORT_RUN,
    AuditAction.RETENTION_RUN,
}
# Recorded by the identity parts and asserted beside them: two-factor (identity/tests/mfa/test_enrolment.py,
# test_policy.py), single sign-on and directories (identity/tests/test_provider_config.py, saml/test_services.py,
# directory/tests/test_admin_ldap_page.py), SCIM (scim/tests/test_admin.py, test_users.py), sign-in policy
# (identity/tests/test_sign_in_policy.py).
RECORDED_BESIDE_THEIR_PARTS = {
    AuditAction.MFA_ENROLLED,
    AuditAction.MFA_REMOVED,
    AuditAction.SSO_CONFIG_CHANGED,
    AuditAction.SCIM_CONFIG_CHANGED,
    AuditAction.SIGN_IN_POLICY_CHANGED,
    AuditAction.MEMBER_ADDED,
    AuditAction.MEMBER_UPDATED,
}


def test_every_action_is_recorded_and_tested_here_or_beside_the_part_that_records_it():
    assert set(AuditAction) == RECORDED_HERE | RECORDED_BESIDE_THEIR_PARTS
    assert not RECORDED_HERE & RECORDED_BESIDE_THEIR_PARTS


def test_creating_a_token_records_who_for_whom_and_never_the_token(team):
    token, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace, name="ci")

    event = only(AuditAction.TOKEN_CREATED)
    assert (event.workspace, event.actor, event.target_type, event.target_id) == (
        team.workspace,
        team.member,
        "apitoken",
        token.public_id,
    )
    assert event.data == {"user": team.member.public_id, "prefix": token.prefix, "bot": False, "scopes": None}
    assert raw not in str(event.data)
    assert raw not in event.target_label


def test_revoking_a_token_records_who_revoked_it(team):
    token, _ = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    api_token_revoke(actor=team.admin, token=token)
    api_token_revoke(actor=team.admin, token=token)  # already revoked: nothing more happens

    event = only(AuditAction.TOKEN_REVOKED)
    assert (event.workspace, event.actor, event.target_id) == (team.workspace, team.admin, token.public_id)
    assert event.data == {"user": team.member.public_id, "prefix": token.prefix, "reason": "revoked"}


def test_bot_tokens_revoked_because_their_maker_left_the_admins_say_so(team):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Deployer"))
    member_change_role(actor=team.owner, workspace=team.workspace, user=team.admin, role="member")

    revoked = only(AuditAction.TOKEN_REVOKED)
    assert revoked.data["reason"] == "maker_lost_access"
    assert revoked.data["user"] == app.bot_user.public_id


def test_a_role_change_records_the_old_and_new_role(team):
    member_change_role(actor=team.owner, workspace=team.workspace, user=team.member, role="admin")
    member_change_role(actor=team.owner, workspace=team.workspace, user=team.member, role="admin")  # no change

    event = only(AuditAction.ROLE_CHANGED)
    assert (event.workspace, event.actor, event.target_id) == (team.workspace, team.owner, team.member.public_id)
    assert event.data == {"from": "member", "to": "admin"}


def test_deactivating_and_reactivating_a_member_are_recorded_once_each(team):
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    member_reactivate(actor=team.owner, workspace=team.workspace, user=team.member)

    gone = only(AuditAction.MEMBER_DEACTIVATED)
    back = only(AuditAction.MEMBER_REACTIVATED)
    assert (gone.actor, gone.target_id, gone.data) == (team.admin, team.member.public_id, {"role": "member"})
    assert (back.actor, back.target_id, back.workspace) == (team.owner, team.member.public_id, team.workspace)


def test_an_operator_command_records_no_actor(team):
    member_change_role(actor=None, workspace=team.workspace, user=team.other_member, role="guest")

    assert only(AuditAction.ROLE_CHANGED).actor is None


def test_creating_rotating_and_deleting_an_app_are_recorded(team):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Deployer"))
    created = only(AuditAction.APP_CREATED)
    assert (created.actor, created.target_type, created.target_id, created.target_label) == (
        team.admin,
        "app",
        app.public_id,
        "Deployer",
    )
    assert only(AuditAction.TOKEN_CREATED).data["user"] == app.bot_user.public_id

    app_rotate(actor=team.admin, app=app, secret="app_token")
    assert only(AuditAction.TOKEN_CREATED, target_type="app").data["secret"] == "app_token"

    app_delete(actor=team.owner, app=app)
    deleted = only(AuditAction.APP_DELETED)
    assert (deleted.actor, deleted.target_id, deleted.workspace) == (team.owner, app.public_id, team.workspace)
    assert only(AuditAction.TOKEN_REVOKED).data["reason"] == "app_deleted"
    assert only(AuditAction.MEMBER_DEACTIVATED).target_id == app.bot_user.public_id


def test_a_workspace_export_is_recorded_with_what_it_held(team, tmp_path):
    message_post(sender=team.member, channel=team.general, text="hello")
    counts = export_workspace(workspace=team.workspace, path=tmp_path / "out.zip")

    event = only(AuditAction.EXPORT_RUN)
    assert (event.workspace, event.actor, event.target_id) == (team.workspace, None, team.workspace.public_id)
    assert event.data == {"what": "slack_export", "file": "out.zip", **counts}


def test_a_retention_run_that_deleted_messages_is_recorded_and_one_that_did_not_is_not(team):
    Workspace.objects.filter(pk=team.workspace.pk).update(retention_days=30)
    team.workspace.refresh_from_db()
    retention_apply(workspace=team.workspace)
    assert not recorded(AuditAction.RETENTION_RUN)

    old = message_post(sender=team.member, channel=team.general, text="old")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    run = retention_apply(workspace=team.workspace)

    event = only(AuditAction.RETENTION_RUN)
    assert (event.workspace, event.actor) == (team.workspace, None)
    assert event.data == {
        "what": "messages",
        "retention_days": 30,
        "cutoff": run.cutoff.isoformat(),
        "messages_deleted": 1,
        "files_deleted": 0,
    }
