"""A workspace's sign-in policy: which ways in it accepts, "SSO only" with its break-glass owner, how long a
session may last, and which email domains it lets in. It is checked where a session enters the workspace
(pages, the REST API); API tokens are not held to it. Only owners change it."""

from __future__ import annotations

import time

import pytest
from allauth.socialaccount.models import SocialApp

from audit.models import AuditAction, AuditEvent
from identity.models import IdentityProvider, ProviderKind, SignInPolicy
from identity.policy import SESSION_KEY, session_problem, sign_in_method
from identity.sign_in_policy import sign_in_policy_update
from integrations.tokens import api_token_create
from slackclone.errors import DomainError
from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory, workspace_with_owner
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db

OPEN = {"allow_password": True, "allow_ldap": True, "allow_sso": True, "sso_only": False}


def provider(team, provider_id: str = "acme") -> IdentityProvider:
    app = SocialApp.objects.create(
        provider="openid_connect", provider_id=provider_id, name=provider_id, client_id="client", secret="s"
    )
    return IdentityProvider.objects.create(
        workspace=team.workspace, kind=ProviderKind.OIDC, social_app=app, name=provider_id
    )


def set_policy(team, **changes):
    arguments = {**OPEN, **changes}
    return sign_in_policy_update(actor=team.owner, workspace=team.workspace, **arguments)


def signed_in_as(person, method: str = "password", *, hours_ago: float = 0):
    """A browser whose session signed in by `method`, `hours_ago` (the time is injected, never slept)."""
    client = web_client(person)
    session = client.session
    session[SESSION_KEY] = {"method": method, "at": time.time() - hours_ago * 3600}
    session.save()
    return client


def enters(client, team) -> bool:
    answer = client.get(f"/{team.workspace.slug}/")
    assert answer.status_code in (200, 401), answer.status_code
    return answer.status_code == 200


# --- How a sign-in is recorded ------------------------------------------------------------------------


def test_signing_in_with_a_password_records_the_method_and_time_in_the_session(team):
    client = web_client()
    before = time.time()
    client.post("/accounts/login/", {"username": team.member.email, "password": DEFAULT_PASSWORD})
    recorded = client.session[SESSION_KEY]
    assert recorded["method"] == "password"
    assert recorded["at"] >= before


def test_the_method_comes_from_allauths_records_or_the_backend():
    provider_record = [{"method": "socialaccount", "provider": "acme", "uid": "1"}, {"method": "mfa", "type": "totp"}]
    assert sign_in_method(provider_record, "allauth.account.auth_backends.AuthenticationBackend") == "sso:acme"
    assert sign_in_method([], "django_auth_ldap.backend.LDAPBackend") == "ldap"
    assert sign_in_method([{"method": "mfa", "type": "webauthn", "passwordless": True}], "x") == "password"
    assert sign_in_method([], "accounts.backends.EmailBackend") == "password"


# --- Enforcement --------------------------------------------------------------------------------------


def test_without_a_policy_every_session_enters(team):
    assert enters(signed_in_as(team.member), team)
    assert enters(signed_in_as(team.member, "ldap", hours_ago=10_000), team)


def test_sso_only_refuses_a_password_session_with_a_clear_page_and_the_api(team):
    acme = provider(team)
    set_policy(team, sso_only=True, break_glass_owner=team.owner, sso_providers=[acme])
    password = signed_in_as(team.member)

    page = password.get(f"/{team.workspace.slug}/")
    assert page.status_code == 401
    html = page.content.decode()
    assert "only accepts single sign-on" in html
    assert "Sign out and sign in again" in html
    api = ApiClient()
    api.force_login(team.member)
    answer = api.get(f"/api/v1/workspaces/{team.workspace.public_id}/members")
    assert (answer.status_code, error_code(answer)) == (401, "sign_in_method_not_allowed")
    channel = api.get(f"/api/v1/channels/{team.general.public_id}/messages")
    assert (channel.status_code, error_code(channel)) == (401, "sign_in_method_not_allowed")
    assert password.get(f"/{team.workspace.slug}/admin/members/").status_code == 401
    assert not enters(signed_in_as(team.member, "ldap"), team)
    assert enters(signed_in_as(team.member, "sso:acme"), team)


def test_api_tokens_are_not_held_to_the_policy(team):
    set_policy(team, sso_only=True, break_glass_owner=team.owner)
    _, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace, name="script")
    answer = ApiClient().get(
        f"/api/v1/workspaces/{team.workspace.public_id}/members", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert answer.status_code == 200


def test_a_made_up_authorization_header_does_not_let_a_refused_session_through(team):
    set_policy(team, sso_only=True, break_glass_owner=team.owner)
    password = signed_in_as(team.member)
    assert password.get(f"/{team.workspace.slug}/", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    api = ApiClient()
    api.force_login(team.member)
    answer = api.get(f"/api/v1/workspaces/{team.workspace.public_id}/members", HTTP_AUTHORIZATION="Bearer nonsense")
    assert answer.status_code == 401
    assert error_code(answer) == "invalid_auth"


def test_the_break_glass_owner_always_enters_with_a_password(team):
    set_policy(team, sso_only=True, break_glass_owner=team.owner)
    owner = signed_in_as(team.owner)
    assert enters(owner, team)
    assert owner.get(f"/{team.workspace.slug}/admin/sign-in/").status_code == 200
    assert not enters(signed_in_as(team.admin), team)  # another owner or admin is not the break-glass owner


def test_the_break_glass_owner_cannot_be_left_out_of_a_policy_that_refuses_passwords(team):
    with pytest.raises(DomainError) as missing:
        set_policy(team, sso_only=True)
    assert missing.value.fields == {"break_glass_owner": "required"}
    with pytest.raises(DomainError) as not_owner:
        set_policy(team, allow_password=False, break_glass_owner=team.admin)
    assert not_owner.value.fields == {"break_glass_owner": "invalid"}
    with pytest.raises(DomainError):
        set_policy(team, allow_password=False, allow_ldap=False, allow_sso=False, break_glass_owner=team.owner)
    assert not SignInPolicy.objects.exists()


def test_only_the_chosen_providers_are_accepted(team):
    acme, other = provider(team, "acme"), provider(team, "other")
    set_policy(team, sso_providers=[acme], allow_password=False, break_glass_owner=team.owner)
    assert enters(signed_in_as(team.member, "sso:acme"), team)
    assert not enters(signed_in_as(team.member, f"sso:{other.provider_id}"), team)
    assert not enters(signed_in_as(team.member, "sso:someone-elses"), team)
    assert not enters(signed_in_as(team.member, "password"), team)
    assert enters(signed_in_as(team.member, "ldap"), team)


def test_ldap_can_be_refused_alone(team):
    set_policy(team, allow_ldap=False)
    assert not enters(signed_in_as(team.member, "ldap"), team)
    assert enters(signed_in_as(team.member, "password"), team)


def test_a_session_older_than_the_session_length_signs_in_again(team):
    set_policy(team, session_length_hours=24)
    assert enters(signed_in_as(team.member, hours_ago=23), team)
    stale = signed_in_as(team.member, hours_ago=25)
    page = stale.get(f"/{team.workspace.slug}/")
    assert page.status_code == 401
    assert "every 24 hours" in page.content.decode()
    policy = SignInPolicy.objects.get(workspace=team.workspace)
    session = {SESSION_KEY: {"method": "password", "at": 1_000_000.0}}
    assert session_problem(policy, team.member, session, now=1_000_000.0 + 24 * 3600 - 1) == ""
    assert session_problem(policy, team.member, session, now=1_000_000.0 + 24 * 3600 + 1) == "session_expired"


def test_another_workspaces_policy_does_not_touch_this_one(team, outsider):
    set_policy(team, sso_only=True, break_glass_owner=team.owner)
    other = outsider.memberships.get().workspace
    assert signed_in_as(outsider).get(f"/{other.slug}/").status_code == 200


# --- The admin page -----------------------------------------------------------------------------------


def policy_form(**changes) -> dict:
    form = {"allow_password": "on", "allow_ldap": "on", "allow_sso": "on", "session_unit": "hours"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def test_an_owner_sets_the_policy_on_the_admin_page_and_the_audit_log_keeps_it(team):
    owner = web_client(team.owner)
    url = f"/{team.workspace.slug}/admin/sign-in/"
    assert "Sign-in policy" in owner.get(url).content.decode()

    answer = owner.post(
        url,
        policy_form(
            sso_only="on",
            break_glass_owner=str(team.owner.pk),
            allowed_email_domains="Example.com, example.org",
            session_length="2",
            session_unit="days",
        ),
    )

    assert answer.status_code == 302
    policy = SignInPolicy.objects.get(workspace=team.workspace)
    assert (policy.sso_only, policy.allow_password, policy.break_glass_owner) == (True, False, team.owner)
    assert policy.allowed_email_domains == ["example.com", "example.org"]
    assert policy.session_length_hours == 48
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_POLICY_CHANGED)
    assert (event.actor, event.workspace) == (team.owner, team.workspace)
    assert event.data["after"]["sso_only"] is True
    assert event.data["before"]["sso_only"] is False


def test_the_page_says_why_a_policy_is_refused(team):
    answer = web_client(team.owner).post(f"/{team.workspace.slug}/admin/sign-in/", policy_form(sso_only="on"))
    assert answer.status_code == 400
    assert "Choose a break-glass owner" in answer.content.decode()
    assert not SignInPolicy.objects.exists()


def test_admins_see_the_policy_but_only_owners_change_it(team):
    admin = web_client(team.admin)
    url = f"/{team.workspace.slug}/admin/sign-in/"
    assert "Only workspace owners can change the sign-in policy." in admin.get(url).content.decode()
    answer = admin.post(url, policy_form(allow_ldap=None))
    assert answer.status_code == 400
    assert not SignInPolicy.objects.exists()


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_do_not_reach_the_page(team, who):
    client = web_client(getattr(team, who))
    assert client.get(f"/{team.workspace.slug}/admin/sign-in/").status_code == 403
    assert client.post(f"/{team.workspace.slug}/admin/sign-in/", policy_form()).status_code == 403


def test_the_owner_of_another_workspace_does_not_reach_it(team, outsider):
    client = web_client(outsider)
    assert client.post(f"/{team.workspace.slug}/admin/sign-in/", policy_form(allow_ldap=None)).status_code == 404
    with pytest.raises(DomainError):
        sign_in_policy_update(actor=outsider, workspace=team.workspace, **OPEN)
    assert not SignInPolicy.objects.exists()


def test_a_provider_of_another_workspace_cannot_be_chosen(team, outsider):
    stranger = workspace_with_owner(UserFactory())
    app = SocialApp.objects.create(provider="openid_connect", provider_id="theirs", name="t", client_id="c")
    theirs = IdentityProvider.objects.create(workspace=stranger, kind=ProviderKind.OIDC, social_app=app, name="t")
    with pytest.raises(DomainError):
        set_policy(team, sso_providers=[theirs])


def test_the_break_glass_owner_can_be_neither_demoted_nor_deactivated_while_named(team):
    from slackclone.testing.factories import add_member
    from workspaces.models import Role
    from workspaces.services import member_change_role, member_deactivate

    second_owner = add_member(team.workspace, role=Role.OWNER)
    set_policy(team, sso_only=True, break_glass_owner=team.owner)
    with pytest.raises(DomainError) as demoted:
        member_change_role(actor=second_owner, workspace=team.workspace, user=team.owner, role=Role.ADMIN)
    assert demoted.value.code == "restricted_action"
    with pytest.raises(DomainError):
        member_deactivate(actor=second_owner, workspace=team.workspace, user=team.owner)
    assert enters(signed_in_as(team.owner), team)
    set_policy(team, sso_only=True, break_glass_owner=second_owner)
    member_change_role(actor=second_owner, workspace=team.workspace, user=team.owner, role=Role.ADMIN)
    assert not enters(signed_in_as(team.owner), team)
