"""SCIM Users: every operation on the workspace's members, the linking rules, deactivation, and the audit."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, User
from audit.models import AuditAction, AuditEvent
from integrations.tokens import api_token_create
from scim.tests.conftest import ScimClient, patch_body, user_body
from slackclone.testing.factories import UserFactory, make_team
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_create_makes_a_verified_account_and_a_membership(team, scim):
    response = scim.post("Users", user_body("Ada@Example.com", externalId="okta-1", title="Countess"))
    assert response.status == 201, response.body
    assert response.headers["Location"].endswith(f"/scim/v2/Users/{response.body['id']}")
    user = User.objects.get(public_id=response.body["id"])
    assert user.email == "ada@example.com"
    assert user.email_verified
    assert user.full_name == "Ada Lovelace"
    assert user.title == "Countess"
    assert Membership.objects.get(user=user, workspace=team.workspace).is_active
    assert response.body["externalId"] == "okta-1"
    assert response.body["name"] == {"formatted": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace"}
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_ADDED)
    assert event.data["method"] == "scim"
    assert event.data["email_verified_by"] == "scim"
    assert event.workspace == team.workspace
    assert event.target_id == user.public_id


def test_create_with_a_taken_user_name_is_409_uniqueness(scim):
    assert scim.post("Users", user_body("ada@example.com")).status == 201
    again = scim.post("Users", user_body("ada@example.com"))
    assert again.status == 409
    assert again.body["scimType"] == "uniqueness"
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_an_unproved_address_is_not_linked(scim):
    UserFactory(email="squat@example.com", email_verified_at=None)
    response = scim.post("Users", user_body("squat@example.com"))
    assert response.status == 409
    assert response.body["scimType"] == "uniqueness"


def test_an_existing_member_is_linked_without_changing_their_account(team, scim):
    response = scim.post("Users", user_body(team.member.email, name={"givenName": "Other", "familyName": "Name"}))
    assert response.status == 201
    assert response.body["id"] == team.member.public_id
    team.member.refresh_from_db()
    assert team.member.full_name == "Mia Member"


def test_get_filter_and_pagination(team, scim):
    for n in range(7):
        scim.post("Users", user_body(f"p{n}@example.com"))
    page = scim.get("Users?startIndex=3&count=4")
    assert page.body["totalResults"] == 12
    assert page.body["itemsPerPage"] == 4
    assert page.body["startIndex"] == 3
    everyone = [r["id"] for r in scim.get("Users?count=100").body["Resources"]]
    assert [r["id"] for r in page.body["Resources"]] == everyone[2:6]
    found = scim.get('Users?filter=userName eq "P3@example.com"')
    assert found.body["totalResults"] == 1
    assert found.body["Resources"][0]["userName"] == "p3@example.com"
    by_member_email = scim.get(f'Users?filter=userName eq "{team.guest.email}"')
    assert by_member_email.body["Resources"][0]["id"] == team.guest.public_id
    assert scim.get("Users?count=0").body["Resources"] == []


def test_put_replaces_names_address_and_external_id(scim):
    created = scim.post("Users", user_body("ada@example.com"))
    body = user_body(
        "ada.l@example.com", externalId="e2", displayName="Ada", name={"givenName": "A", "familyName": "L"}
    )
    replaced = scim.put(f"Users/{created.body['id']}", body)
    assert replaced.status == 200, replaced.body
    user = User.objects.get(public_id=created.body["id"])
    assert (user.email, user.display_name, user.full_name) == ("ada.l@example.com", "Ada", "A L")
    assert replaced.body["externalId"] == "e2"
    updated = AuditEvent.objects.get(action=AuditAction.MEMBER_UPDATED)
    assert (updated.target_id, updated.data["method"], updated.data["profile_changed"]) == (
        user.public_id,
        "scim",
        True,
    )


def test_patch_changes_attributes_by_path(scim):
    created = scim.post("Users", user_body("ada@example.com"))
    user_id = created.body["id"]
    patched = scim.patch(
        f"Users/{user_id}",
        patch_body(
            {"op": "replace", "path": "name.givenName", "value": "Augusta"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "augusta@example.com"},
            {"op": "add", "path": "displayName", "value": "Augusta"},
        ),
    )
    assert patched.status == 200, patched.body
    assert patched.body["name"]["givenName"] == "Augusta"
    assert patched.body["displayName"] == "Augusta"
    assert User.objects.get(public_id=user_id).email == "augusta@example.com"


def _signed_in(user):
    from django.test import Client

    from slackclone.testing.factories import DEFAULT_PASSWORD

    user.set_password(DEFAULT_PASSWORD)
    user.save()
    client = Client()
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.mark.parametrize("how", ["patch", "patch_entra", "put", "delete"])
def test_deactivation_ends_the_membership_tokens_and_sessions(team, scim, how):
    user = team.member
    scim.post("Users", user_body(user.email))
    token, _ = api_token_create(actor=user, user=user, workspace=team.workspace, name="mine")
    browser = _signed_in(user)
    assert browser.get(f"/{team.workspace.slug}/").status_code == 200
    if how == "patch":
        response = scim.patch(f"Users/{user.public_id}", patch_body({"op": "replace", "value": {"active": False}}))
    elif how == "patch_entra":  # Entra ID sends the boolean as a string
        response = scim.patch(
            f"Users/{user.public_id}", patch_body({"op": "Replace", "path": "active", "value": "False"})
        )
    elif how == "put":
        response = scim.put(f"Users/{user.public_id}", user_body(user.email, active=False))
    else:
        response = scim.delete(f"Users/{user.public_id}")
    assert response.status in (200, 204), response.body
    assert not Membership.objects.get(user=user, workspace=team.workspace).is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert browser.get(f"/{team.workspace.slug}/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_DEACTIVATED)
    assert event.data["method"] == "scim"
    assert event.target_id == user.public_id
    if how == "delete":
        assert scim.get(f"Users/{user.public_id}").status == 404
        again = scim.post("Users", user_body(user.email))
        assert again.status == 201
        assert again.body["id"] == user.public_id
        assert again.body["active"] is True
    else:
        assert scim.get(f"Users/{user.public_id}").body["active"] is False


def test_deactivation_keeps_the_sessions_of_someone_still_in_another_workspace(team, scim):
    other = make_team()
    from workspaces.services import member_add

    member_add(actor=None, workspace=other.workspace, user=team.member)
    browser = _signed_in(team.member)
    scim.post("Users", user_body(team.member.email))
    scim.patch(f"Users/{team.member.public_id}", patch_body({"op": "replace", "path": "active", "value": False}))
    assert browser.get(f"/{team.workspace.slug}/").status_code == 404
    assert browser.get(f"/{other.workspace.slug}/").status_code == 200


def test_reactivation(team, scim):
    scim.post("Users", user_body("ada@example.com"))
    user_id = scim.get('Users?filter=userName eq "ada@example.com"').body["Resources"][0]["id"]
    scim.patch(f"Users/{user_id}", patch_body({"op": "replace", "path": "active", "value": False}))
    back = scim.patch(f"Users/{user_id}", patch_body({"op": "replace", "path": "active", "value": True}))
    assert back.body["active"] is True
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_REACTIVATED, data__method="scim").exists()


def test_the_last_owner_cannot_be_deactivated(team):
    from scim.tokens import scim_token_create

    _, raw = scim_token_create(actor=None, workspace=team.workspace)
    response = ScimClient(raw).patch(
        f"Users/{team.owner.public_id}", patch_body({"op": "replace", "value": {"active": False}})
    )
    assert response.status == 400
    assert response.body["scimType"] == "mutability"
    assert Membership.objects.get(user=team.owner, workspace=team.workspace).is_active
