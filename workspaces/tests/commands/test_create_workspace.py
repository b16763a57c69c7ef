"""manage.py create_workspace SLUG [--name NAME] --owner EMAIL"""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from accounts.tests.commands.support import refused, run
from chat.models import Channel
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written
from slackclone.testing.factories import UserFactory, workspace_with_owner
from workspaces.models import Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def test_creates_the_workspace_with_its_owner_and_channels_and_prints_its_id():
    owner = UserFactory(email="olga@example.com")

    lines = run("create_workspace", "acme", "--name", "Acme Corp", "--owner", "Olga@example.com")

    workspace = Workspace.objects.get(public_id=lines[-1])
    assert (workspace.slug, workspace.name) == ("acme", "Acme Corp")
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER
    assert set(Channel.objects.filter(workspace=workspace).values_list("name", flat=True)) == {"general", "random"}


def test_the_name_defaults_to_the_slug():
    owner = UserFactory()
    lines = run("create_workspace", "blue-team", "--owner", owner.email)
    assert Workspace.objects.get(public_id=lines[-1]).name == "blue-team"


def test_refuses_a_slug_already_taken():
    owner = UserFactory()
    workspace_with_owner(slug="acme")
    refused("create_workspace", "acme", "--owner", owner.email, code=ErrorCode.NAME_TAKEN)


@pytest.mark.parametrize("slug", ["Not A Slug", "dash-", "admin"])
def test_refuses_an_invalid_or_reserved_slug(slug):
    owner = UserFactory()
    refused("create_workspace", slug, "--owner", owner.email, code=ErrorCode.INVALID_NAME)


def test_refuses_an_unknown_owner():
    refused("create_workspace", "acme", "--owner", "ghost@example.com", code=ErrorCode.USER_NOT_FOUND)


def test_the_owner_is_required():
    with nothing_written(), pytest.raises(CommandError, match="--owner"):
        run("create_workspace", "acme")
