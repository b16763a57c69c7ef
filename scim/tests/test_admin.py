"""The SCIM admin page (/<slug>/admin/scim/) and the scim_token command: owners only; a token shown once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditAction, AuditEvent
from scim.models import ScimToken
from scim.tests.conftest import ScimClient
from slackclone.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def test_an_owner_creates_a_token_shown_once_and_revokes_it(team):
    owner = _client(team.owner)
    url = f"/{team.workspace.slug}/admin/scim/"
    page = owner.get(url)
    assert page.status_code == 200
    assert b"/scim/v2/" in page.content
    created = owner.post(url, {"name": "Okta"})
    assert created.status_code == 201
    raw = created.context["created_token"]
    assert raw.startswith("scim-")
    assert raw.encode() in created.content
    token = ScimToken.objects.get(workspace=team.workspace)
    assert token.token_hash != raw
    assert raw.encode() not in owner.get(url).content
    assert ScimClient(raw).get("Users").status == 200
    revoked = owner.post(f"{url}{token.public_id}/revoke/")
    assert revoked.status_code == 302
    assert ScimClient(raw).get("Users").status == 401
    changes = list(
        AuditEvent.objects.filter(action=AuditAction.SCIM_CONFIG_CHANGED).values_list("data__change", flat=True)
    )
    assert sorted(changes) == ["token_created", "token_revoked"]


@pytest.mark.parametrize("who", ["admin", "member", "guest"])
def test_people_other_than_owners_cannot_use_the_page(team, who):
    response = _client(getattr(team, who)).get(f"/{team.workspace.slug}/admin/scim/")
    assert response.status_code in (403, 404)
    assert _client(getattr(team, who)).post(f"/{team.workspace.slug}/admin/scim/", {"name": "x"}).status_code in (
        403,
        404,
    )
    assert not ScimToken.objects.exists()


def test_an_outsider_and_another_workspaces_owner_get_404(team, outsider):
    from slackclone.testing.factories import make_team

    other = make_team()
    for person in (outsider, other.owner):
        assert _client(person).get(f"/{team.workspace.slug}/admin/scim/").status_code == 404


def test_an_owner_cannot_revoke_another_workspaces_token(team):
    from scim.tokens import scim_token_create
    from slackclone.testing.factories import make_team

    other = make_team()
    token, _ = scim_token_create(actor=other.owner, workspace=other.workspace)
    response = _client(team.owner).post(f"/{team.workspace.slug}/admin/scim/{token.public_id}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_creates_lists_and_revokes(team):
    out = io.StringIO()
    call_command("scim_token", team.workspace.slug, "create", "--name", "Entra", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert ScimClient(raw).get("Users").status == 200
    token = ScimToken.objects.get()
    listed = io.StringIO()
    call_command("scim_token", team.workspace.slug, "list", stdout=listed)
    assert token.public_id in listed.getvalue()
    assert raw not in listed.getvalue()
    call_command("scim_token", team.workspace.slug, "revoke", token.public_id, stdout=io.StringIO())
    assert ScimClient(raw).get("Users").status == 401
    with pytest.raises(CommandError):
        call_command("scim_token", "no-such-workspace", "list")
