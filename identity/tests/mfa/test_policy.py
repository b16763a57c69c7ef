"""A workspace's "require two-factor" policy: set by its owners only (audited), and enforced before the client
opens, while API tokens (REST, Web API) keep working."""

from __future__ import annotations

import pytest

from audit.models import AuditAction, AuditEvent
from identity.tests.mfa.support import enrol_totp
from slackclone.errors import DomainError
from slackclone.testing.api import token_client
from slackclone.testing.factories import make_team
from slackclone.testing.web import web_client
from workspaces.models import TwoFactorPolicy
from workspaces.services.two_factor import workspace_set_two_factor_policy

pytestmark = pytest.mark.django_db


def _set_on_page(user, workspace, policy: str):
    return web_client(user).post(f"/{workspace.slug}/admin/settings/two-factor/", {"two_factor_policy": policy})


def test_an_owner_requires_two_factor_on_the_settings_page_and_it_is_audited(team):
    response = _set_on_page(team.owner, team.workspace, "admins")
    assert response.status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.two_factor_policy == TwoFactorPolicy.ADMINS
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_POLICY_CHANGED)
    assert (event.workspace, event.actor) == (team.workspace, team.owner)
    assert event.data == {"setting": "two_factor_policy", "from": "off", "to": "admins"}


def test_the_settings_page_shows_owners_the_choice_and_admins_only_the_rule(team):
    owner_page = web_client(team.owner).get(f"/{team.workspace.slug}/admin/settings/").content.decode()
    admin_page = web_client(team.admin).get(f"/{team.workspace.slug}/admin/settings/").content.decode()
    assert 'name="two_factor_policy"' in owner_page
    assert 'name="two_factor_policy"' not in admin_page
    assert "Only owners change it" in admin_page


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("member", 403), ("guest", 403)])
def test_nobody_but_an_owner_sets_the_policy(team, who, status):
    assert _set_on_page(getattr(team, who), team.workspace, "everyone").status_code == status
    team.workspace.refresh_from_db()
    assert team.workspace.two_factor_policy == TwoFactorPolicy.OFF
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN_POLICY_CHANGED).exists()


def test_an_outsider_or_another_workspaces_owner_finds_no_such_workspace(team, outsider):
    other = make_team()
    assert _set_on_page(outsider, team.workspace, "everyone").status_code == 404
    assert _set_on_page(other.owner, team.workspace, "everyone").status_code == 404
    team.workspace.refresh_from_db()
    assert team.workspace.two_factor_policy == TwoFactorPolicy.OFF


def test_the_service_refuses_admins_and_unknown_values(team):
    with pytest.raises(DomainError) as refused:
        workspace_set_two_factor_policy(actor=team.admin, workspace=team.workspace, policy="everyone")
    assert refused.value.code == "restricted_action"
    with pytest.raises(DomainError) as invalid:
        workspace_set_two_factor_policy(actor=team.owner, workspace=team.workspace, policy="sometimes")
    assert invalid.value.code == "invalid_arguments"


def _require(team, policy: str) -> None:
    workspace_set_two_factor_policy(actor=None, workspace=team.workspace, policy=policy)


def test_a_member_without_two_factor_is_sent_to_enrol_before_the_client(team):
    _require(team, "everyone")
    response = web_client(team.member).get(f"/{team.workspace.slug}/")
    assert (response.status_code, response["Location"]) == (302, "/auth/2fa/")
    enrol = web_client(team.member).get("/auth/2fa/")
    assert enrol.status_code == 200


def test_a_member_with_two_factor_opens_the_client(team):
    _require(team, "everyone")
    enrol_totp(team.member)
    assert web_client(team.member).get(f"/{team.workspace.slug}/").status_code == 200


def test_the_admins_policy_covers_owners_and_admins_only(team):
    _require(team, "admins")
    assert web_client(team.admin).get(f"/{team.workspace.slug}/").status_code == 302
    assert web_client(team.owner).get(f"/{team.workspace.slug}/").status_code == 302
    assert web_client(team.member).get(f"/{team.workspace.slug}/").status_code == 200
    assert web_client(team.guest).get(f"/{team.workspace.slug}/").status_code == 200


def test_another_workspaces_policy_does_not_reach_this_one(team, outsider):
    other = make_team()
    workspace_set_two_factor_policy(actor=None, workspace=other.workspace, policy="everyone")
    assert web_client(team.member).get(f"/{team.workspace.slug}/").status_code == 200


def test_api_tokens_keep_working_for_a_covered_member_without_two_factor(team):
    _require(team, "everyone")
    client = token_client(team.member, team.workspace)
    assert client.get("/api/v1/me").status_code == 200
    web_api = client.post("/api/auth.test", HTTP_AUTHORIZATION=f"Bearer {client.raw_token}")
    assert web_api.json()["ok"] is True
