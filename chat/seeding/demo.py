"""The demo workspace: its people and its conversations, created through the services.

Everything here goes through the same services as the app (user_create, workspace_create,
member_add, channel_create, channel_invite, dm_open), so the workspace is exactly what real
use would produce, events included. Every step first looks for what an earlier run made,
so seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum

from accounts.models import User
from accounts.services import user_create
from chat.models import Channel, ChannelMember
from chat.services import channel_create, channel_invite, dm_open
from workspaces.models import Membership, Role, Workspace
from workspaces.services import member_add, workspace_create

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Company"
DEMO_PASSWORD = "slackclone-demo"  # Printed by seed_demo and documented in its help; demo data only.
DEMO_EMAIL_DOMAIN = "example.com"
DEFAULT_MESSAGES = 2_000


@dataclass(frozen=True)
class Person:
    handle: str
    full_name: str
    role: Role

    @property
    def email(self) -> str:
        return f"{self.handle}@{DEMO_EMAIL_DOMAIN}"


PEOPLE = [
    Person("alice", "Alice Johnson", Role.OWNER),
    Person("bob", "Bob Martinez", Role.ADMIN),
    Person("carol", "Carol Nguyen", Role.MEMBER),
    Person("dave", "Dave Okafor", Role.MEMBER),
    Person("erin", "Erin Schmidt", Role.MEMBER),
    Person("frank", "Frank Rossi", Role.GUEST),
]
OWNER = PEOPLE[0]


@dataclass(frozen=True)
class ChannelSpec:
    """A demo conversation: a named channel, or a DM / group DM when name is empty. weight: share of messages."""

    name: str
    members: tuple[str, ...]
    weight: int
    private: bool = False
    purpose: str = ""

    @property
    def key(self) -> str:
        """How the storyline names it: the channel name, or the members' handles for a DM."""
        return self.name or "+".join(self.members)


EVERYONE_BUT_GUESTS = tuple(p.handle for p in PEOPLE if p.role != Role.GUEST)
CHANNELS = [
    ChannelSpec("general", EVERYONE_BUT_GUESTS, 3),
    ChannelSpec("random", EVERYONE_BUT_GUESTS, 2),
    ChannelSpec("engineering", ("alice", "bob", "dave"), 5, purpose="Builds, deploys and code review."),
    ChannelSpec("design", ("alice", "carol", "dave", "erin"), 3, purpose="Mockups, research and the design system."),
    ChannelSpec("product", EVERYONE_BUT_GUESTS, 3, purpose="Roadmap and customer feedback."),
    ChannelSpec("leadership", ("alice", "bob", "erin"), 2, private=True, purpose="Hiring, budgets, planning."),
    ChannelSpec("launch-plans", ("alice", "carol", "dave", "frank"), 2, private=True, purpose="The autumn launch."),
    ChannelSpec("", ("alice", "bob"), 2),
    ChannelSpec("", ("alice", "bob", "carol"), 1),
]


@dataclass
class DemoChannel:
    key: str
    channel: Channel
    members: list[User]
    weight: int


@dataclass
class DemoWorkspace:
    workspace: Workspace
    users: dict[str, User]
    channels: list[DemoChannel]
    created: list[str] = field(default_factory=list)

    @property
    def owner(self) -> User:
        return self.users[OWNER.handle]

    def channel(self, key: str) -> DemoChannel:
        return next(dc for dc in self.channels if dc.key == key)


@transaction.atomic
def ensure_demo_workspace() -> DemoWorkspace:
    """The demo workspace, its people and its conversations, creating whatever is missing.

    Raises DomainError if an existing account or channel is in a state the demo cannot use
    (for example a demo member deactivated by an admin).
    """
    created: list[str] = []
    users = {person.handle: _ensure_user(person, created) for person in PEOPLE}
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        workspace = workspace_create(creator=users[OWNER.handle], name=DEMO_NAME, slug=DEMO_SLUG)
        created.append(f"workspace {DEMO_SLUG} ({workspace.public_id})")
    for person in PEOPLE:
        if not Membership.objects.filter(workspace=workspace, user=users[person.handle]).exists():
            member_add(actor=None, workspace=workspace, user=users[person.handle], role=person.role)
            created.append(f"membership {person.email} as {person.role}")
    channels = [_ensure_channel(workspace, spec, users, created) for spec in CHANNELS]
    return DemoWorkspace(workspace=workspace, users=users, channels=channels, created=created)


def _ensure_user(person: Person, created: list[str]) -> User:
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        user = user_create(email=person.email, password=DEMO_PASSWORD, full_name=person.full_name, email_verified=True)
        created.append(f"user {person.email} ({user.public_id})")
    return user


def _ensure_channel(workspace: Workspace, spec: ChannelSpec, users: dict[str, User], created: list[str]) -> DemoChannel:
    members = [users[handle] for handle in spec.members]
    owner = users[OWNER.handle]
    if not spec.name:
        channel, was_created = dm_open(actor=owner, workspace=workspace, users=members[1:])
        if was_created:
            created.append(f"{channel.get_kind_display().lower()} {channel.public_id} ({', '.join(spec.members)})")
        return DemoChannel(spec.key, channel, members, spec.weight)
    existing = Channel.objects.filter(workspace=workspace, name=spec.name).first()
    if existing is not None:
        channel = existing
    else:
        channel = channel_create(
            actor=owner, workspace=workspace, name=spec.name, is_private=spec.private, purpose=spec.purpose
        )
        created.append(f"{'private ' if spec.private else ''}channel #{spec.name} ({channel.public_id})")
    present = set(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))
    missing = [user for user in members if user.pk not in present]
    if missing:
        channel_invite(actor=None, channel=channel, users=missing)
    return DemoChannel(spec.key, channel, members, spec.weight)


def demo_message_count(workspace: Workspace) -> int:
    """Messages in the workspace, deleted ones included: seq has no gaps, so the channels' last_seq add up to it.

    Counting rows would scan millions of them after a benchmark load; this reads one row per channel.
    """
    return Channel.objects.filter(workspace=workspace).aggregate(total=Sum("last_seq"))["total"] or 0
