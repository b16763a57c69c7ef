"""Who may call /scim/v2/: only a live SCIM token, and only for its own workspace."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from integrations.tokens import api_token_create
from scim.tests.conftest import ERROR_SCHEMA, ScimClient, user_body
from scim.tokens import scim_token_create, scim_token_revoke
from slackclone.testing.factories import DEFAULT_PASSWORD, make_team
from workspaces.services import member_change_role

pytestmark = pytest.mark.django_db


def _assert_401(response) -> None:
    assert response.status == 401
    assert response.body["schemas"] == [ERROR_SCHEMA]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_is_401_in_scim_shape(team):
    _assert_401(ScimClient(None).get("Users"))


def test_an_api_token_is_401(team):
    _, raw = api_token_create(actor=team.owner, user=team.owner, workspace=team.workspace, name="api")
    _assert_401(ScimClient(raw).get("Users"))


def test_a_signed_in_owners_session_is_401(team):
    client = Client()
    assert client.login(username=team.owner.email, password=DEFAULT_PASSWORD)
    _assert_401(ScimClient(None, client).get("Users"))


def test_a_revoked_token_is_401(team, scim_token):
    token, raw = scim_token
    assert ScimClient(raw).get("Users").status == 200
    scim_token_revoke(actor=team.owner, token=token)
    _assert_401(ScimClient(raw).get("Users"))


def test_a_token_stops_working_when_its_maker_is_no_longer_an_owner(team, scim_token):
    member_change_role(actor=None, workspace=team.workspace, user=team.admin, role="owner")
    member_change_role(actor=team.admin, workspace=team.workspace, user=team.owner, role="member")
    _assert_401(ScimClient(scim_token[1]).get("Users"))


def test_a_token_made_by_the_operator_has_no_maker_to_lose(team):
    _, raw = scim_token_create(actor=None, workspace=team.workspace)
    assert ScimClient(raw).get("Users").status == 200


def test_only_owners_make_tokens(team):
    from slackclone.errors import DomainError

    for person in (team.admin, team.member, team.guest):
        with pytest.raises(DomainError):
            scim_token_create(actor=person, workspace=team.workspace)


def test_a_token_of_workspace_a_cannot_see_or_change_workspace_bs_people(team, scim):
    other = make_team()
    _, other_raw = scim_token_create(actor=other.owner, workspace=other.workspace)
    theirs = ScimClient(other_raw).post("Users", user_body("b-person@example.com"))
    assert theirs.status == 201
    their_id = theirs.body["id"]

    listed = scim.get("Users")
    ids = {r["id"] for r in listed.body["Resources"]}
    assert their_id not in ids
    assert other.member.public_id not in ids
    assert listed.body["totalResults"] == 5
    assert scim.get('Users?filter=userName eq "b-person@example.com"').body["totalResults"] == 0
    for method in ("get", "put", "patch", "delete"):
        for target in (their_id, other.member.public_id):
            body = user_body("x@example.com") if method == "put" else None
            response = scim.request(method.upper(), f"Users/{target}", body)
            assert response.status == 404, (method, target, response.body)
    assert User.objects.get(public_id=their_id).memberships.get().is_active


def test_a_token_of_workspace_a_cannot_put_workspace_bs_people_in_its_groups(team, scim):
    other = make_team()
    response = scim.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Spies",
            "members": [{"value": other.member.public_id}],
        },
    )
    assert response.status == 400
    assert response.body["scimType"] == "invalidValue"


def test_provisioning_a_bs_members_address_does_not_take_over_their_account(team, scim):
    """Someone in another workspace who has proved their address is added here as a member, but their
    account stays theirs: SCIM cannot change its address."""
    other = make_team()
    created = scim.post("Users", user_body(other.member.email))
    assert created.status == 201
    changed = scim.put(f"Users/{created.body['id']}", user_body("attacker@example.com"))
    assert changed.status == 400
    assert changed.body["scimType"] == "mutability"
    other.member.refresh_from_db()
    assert other.member.email != "attacker@example.com"
