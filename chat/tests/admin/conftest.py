"""A workspace with a row of every model the admin shows, made through the services.

`scene` is made for each test. `shared_scene` is made once per module, inside a transaction
that is rolled back when the module ends (what Django's setUpTestData does), for modules
whose tests only read it: each test still runs in its own savepoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from accounts.models import ApiToken
from chat.models import Attachment, Channel, Message, Pin
from chat.services import (
    channel_create,
    channel_invite,
    dm_open,
    emoji_add,
    emoji_alias,
    file_upload,
    message_post,
    pin_add,
    reaction_add,
)
from integrations.tokens import api_token_create
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from slackclone.testing.fixtures import Team
from slackclone.testing.images import image_bytes
from workspaces.models import Invitation, Role
from workspaces.services import invitation_create, usergroup_create


@dataclass
class Scene:
    team: Team
    project: Channel
    secret: Channel
    dm: Channel
    question: Message
    answer: Message
    pin: Pin
    token: ApiToken
    raw_token: str
    invitation: Invitation
    attachment: Attachment


@pytest.fixture
def scene(team, outsider, settings, tmp_path) -> Scene:
    settings.MEDIA_ROOT = tmp_path
    return build_scene(team)


@pytest.fixture(scope="module")
def shared_scene(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Scene]:
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        workspace_with_owner(UserFactory(full_name="Otto Outsider"))
        yield build_scene(make_team())
        transaction.set_rollback(True)


def make_team() -> Team:
    """What the `team` fixture makes, for module-scoped set-ups that cannot use it."""
    owner = UserFactory(full_name="Olivia Owner")
    workspace = workspace_with_owner(owner)
    channels = {c.name: c for c in Channel.objects.filter(workspace=workspace)}
    return Team(
        workspace=workspace,
        owner=owner,
        admin=add_member(workspace, UserFactory(full_name="Adam Admin"), role=Role.ADMIN),
        member=add_member(workspace, UserFactory(full_name="Mia Member")),
        other_member=add_member(workspace, UserFactory(full_name="Omar Other")),
        guest=add_member(workspace, UserFactory(full_name="Gail Guest"), role=Role.GUEST),
        general=channels["general"],
        random=channels["random"],
    )


def build_scene(team: Team) -> Scene:
    """Two or more rows of every model, beside the team's own (a second workspace comes from an outsider)."""
    project = channel_create(actor=team.member, workspace=team.workspace, name="project", topic="Ship it")
    channel_invite(actor=team.member, channel=project, users=[team.admin, team.other_member])
    secret = channel_create(actor=team.admin, workspace=team.workspace, name="secret", is_private=True)
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.other_member])
    question = message_post(sender=team.member, channel=project, text=f"<@{team.admin.public_id}> ready to ship?")
    answer = message_post(sender=team.admin, channel=project, text="Yes!", thread_ts=question.ts)
    whisper = message_post(sender=team.other_member, channel=dm, text="psst")
    message_post(sender=team.member, channel=project, text="<!here> freeze starts now")
    reaction_add(actor=team.other_member, message=question, emoji="eyes")
    reaction_add(actor=team.admin, message=question, emoji="rocket")
    pin = pin_add(actor=team.member, message=question)
    pin_add(actor=team.member, message=whisper)
    upload = SimpleUploadedFile("notes.txt", b"release notes", content_type="text/plain")
    shared = file_upload(actor=team.member, channel=project, upload=upload, text="the notes")
    file_upload(actor=team.member, channel=dm, upload=SimpleUploadedFile("todo.txt", b"- ship"))
    token, raw = api_token_create(actor=None, user=team.member, workspace=team.workspace, name="laptop")
    api_token_create(actor=None, user=team.admin, workspace=team.workspace, name="scripts")
    invitation = invitation_create(actor=None, workspace=team.workspace, email="new@example.com")
    invitation_create(actor=None, workspace=team.workspace)
    emoji_add(
        actor=team.member,
        workspace=team.workspace,
        name="partyparrot",
        image=SimpleUploadedFile("p.png", image_bytes()),
    )
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    people = [team.member.public_id, team.admin.public_id]
    usergroup_create(actor=team.admin, workspace=team.workspace, name="Design", handle="design", users=people)
    usergroup_create(actor=None, workspace=team.workspace, name="Ops", handle="ops", channels=[project.public_id])
    return Scene(team, project, secret, dm, question, answer, pin, token, raw, invitation, shared.attachments.get())
