"""factory_boy factories for every model the foundation defines.

Factories write rows directly, for setting the scene quickly; tests of a rule call the
service that enforces it. Where a row has an invariant that the services keep, the
factory keeps it too: a Channel gets a public id with the prefix of its kind, a DM its
member key, and a Message its seq and ts from the same allocator message_post uses, so
`channel.last_seq` and the no-gap rule hold for factory-made history.

`workspace_with_owner` and `add_member` go through the services; `make_team` writes the
same rows directly, because nearly every test starts from a team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import factory
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import ApiToken, BotKind, User, hash_token
from chat.models import Channel, ChannelKind, ChannelMember, Message, Pin, Reaction
from chat.services.locking import allocate_seq, lock_channel
from slackclone.ids import DM_PREFIX, PRIVATE_CHANNEL_PREFIX, PUBLIC_CHANNEL_PREFIX, new_public_id
from workspaces.models import Invitation, Membership, Role, Workspace

DEFAULT_PASSWORD = "correct horse battery staple"

_CHANNEL_PREFIX = {
    ChannelKind.PUBLIC: PUBLIC_CHANNEL_PREFIX,
    ChannelKind.PRIVATE: PRIVATE_CHANNEL_PREFIX,
    ChannelKind.DM: DM_PREFIX,
    ChannelKind.GROUP_DM: PRIVATE_CHANNEL_PREFIX,
}


class UserFactory(DjangoModelFactory):
    """A person who can log in with DEFAULT_PASSWORD."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    display_name = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password(DEFAULT_PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)


class BotFactory(UserFactory):
    """An app bot; pass `bot_workspace` (the workspace that owns it) for one that may take tokens."""

    email = factory.Sequence(lambda n: f"bot{n}@bots.example.test")
    full_name = factory.Sequence(lambda n: f"Bot {n}")
    is_bot = True
    bot_kind = BotKind.APP
    password = "!"  # unusable: bots authenticate with API tokens


class WorkspaceFactory(DjangoModelFactory):
    """A bare workspace row (no members, no channels); see workspace_with_owner for a complete one."""

    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    created_by = None


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.MEMBER


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ChannelFactory(DjangoModelFactory):
    """A public channel unless `kind` says otherwise; its public id has the right prefix."""

    class Meta:
        model = Channel

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = ChannelKind.PUBLIC
    name = factory.Sequence(lambda n: f"channel-{n}")
    public_id = factory.LazyAttribute(lambda o: new_public_id(_CHANNEL_PREFIX[ChannelKind(o.kind)]))
    created_by = None


class ChannelMemberFactory(DjangoModelFactory):
    class Meta:
        model = ChannelMember

    channel = factory.SubFactory(ChannelFactory)
    user = factory.SubFactory(UserFactory)


class MessageFactory(DjangoModelFactory):
    """A message with the channel's next seq and ts, allocated as message_post does (no events)."""

    class Meta:
        model = Message

    channel = factory.SubFactory(ChannelFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"message number {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        channel = kwargs["channel"]
        with transaction.atomic():
            lock_channel(channel)
            kwargs["seq"], kwargs["ts"] = allocate_seq(channel)
            return super()._create(model_class, *args, **kwargs)


class ReactionFactory(DjangoModelFactory):
    class Meta:
        model = Reaction

    message = factory.SubFactory(MessageFactory)
    user = factory.SubFactory(UserFactory)
    emoji = "thumbsup"


class PinFactory(DjangoModelFactory):
    class Meta:
        model = Pin

    message = factory.SubFactory(MessageFactory)
    channel = factory.SelfAttribute("message.channel")
    pinned_by = factory.SelfAttribute("message.author")


class ApiTokenFactory(DjangoModelFactory):
    """A token row stored as its hash; pass `raw="xoxp-..."` to know the token that matches it."""

    class Meta:
        model = ApiToken

    class Params:
        raw = factory.Sequence(lambda n: f"xoxp-test-token-{n:08d}-0123456789abcdef")

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.raw))
    prefix = factory.LazyAttribute(lambda o: o.raw[:12])


# --- Complete set-ups ------------------------------------------------------------------


@dataclass
class Team:
    """A workspace as workspace_create and member_add leave it, with one person per role."""

    workspace: Workspace
    owner: User
    admin: User
    member: User
    other_member: User
    guest: User
    general: Channel
    random: Channel

    def new_member(self, role: str = Role.MEMBER) -> User:
        """Someone new, added through member_add."""
        return add_member(self.workspace, role=role)


TEAM_PEOPLE = {
    "owner": ("Olivia Owner", Role.OWNER),
    "admin": ("Adam Admin", Role.ADMIN),
    "member": ("Mia Member", Role.MEMBER),
    "other_member": ("Omar Other", Role.MEMBER),
    "guest": ("Gail Guest", Role.GUEST),
}
GENERAL_PURPOSE = "This channel is for workspace-wide communication and announcements."
RANDOM_PURPOSE = "A place for non-work banter."


def make_team() -> Team:
    """The rows workspace_create and member_add would leave, written in six queries instead of ~70.

    Almost every test starts from a team, so this keeps the suite fast; a test in
    slackclone/testing/tests checks that the services build exactly the same thing.
    """
    users = User.objects.bulk_create([UserFactory.build(full_name=name) for name, _ in TEAM_PEOPLE.values()])
    people = dict(zip(TEAM_PEOPLE, users, strict=True))
    owner = people["owner"]
    workspace = WorkspaceFactory(created_by=owner)
    Membership.objects.bulk_create(
        Membership(user=people[key], workspace=workspace, role=role) for key, (_, role) in TEAM_PEOPLE.items()
    )
    general, random = Channel.objects.bulk_create(
        [
            ChannelFactory.build(
                workspace=workspace, name="general", is_general=True, purpose=GENERAL_PURPOSE, created_by=owner
            ),
            ChannelFactory.build(workspace=workspace, name="random", purpose=RANDOM_PURPOSE, created_by=owner),
        ]
    )
    ChannelMember.objects.bulk_create(
        [ChannelMember(channel=general, user=people[key]) for key in ("owner", "admin", "member", "other_member")]
        + [ChannelMember(channel=random, user=owner)]
    )
    return Team(workspace=workspace, general=general, random=random, **people)


# --- Set-ups through the services -------------------------------------------------------


def workspace_with_owner(owner: User | None = None, *, slug: str | None = None, name: str = "") -> Workspace:
    """A workspace made by workspace_create: the owner's membership, #general and #random."""
    from workspaces.services import workspace_create

    owner = owner or UserFactory()
    slug = slug or f"ws-{new_public_id('').lower()}"
    return workspace_create(creator=owner, name=name or slug.title(), slug=slug)


def add_member(workspace: Workspace, user: User | None = None, *, role: str = Role.MEMBER) -> User:
    """Add a person through member_add (as the operator), so members land in #general as in real life."""
    from workspaces.services import member_add

    user = user or UserFactory()
    member_add(actor=None, workspace=workspace, user=user, role=role)
    return user
