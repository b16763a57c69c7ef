"""User groups (Slack's subteams): a handle such as @design-team that mentions each of its members.

Who may call these: owners and admins, members too where the workspace allows it
(`Workspace.usergroups_by_members`), never guests (workspaces.permissions.check_can_manage_usergroups);
the operator (actor None). A mention of a group becomes a personal mention of each of its active
members when the message is posted (chat.services.messages.mention_rows), so notification rules,
mute and do-not-disturb apply to them as to a mention by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from chat.models import Channel, ChannelKind
from chat.services.channels import channel_invite
from slackclone.errors import DomainError, ErrorCode
from workspaces import events
from workspaces.models import Membership, Role, UserGroup, UserGroupMember, Workspace
from workspaces.permissions import access_membership, access_workspace_admin, check_can_manage_usergroups
from workspaces.selectors import usergroup_user_ids

HANDLE_MAX_LENGTH = 21
# Lowercase letters, digits, '.', '_' and '-', from a letter or digit; never ending in '.', which the
# composer reads as the end of a sentence ("ask @design-team.").
HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9_-])?$")
# What the composer and the mention markup already mean by @word.
RESERVED_HANDLES = frozenset({"here", "channel", "everyone", "group", "all"})
NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 250
MAX_USERS = 1000
MAX_CHANNELS = 100


def check_usergroup_handle(raw: str) -> str:
    """The handle as it will be stored: a leading '@' and surrounding spaces are forgiven, nothing else is
    rewritten. Raises invalid_handle (fields.handle: required, too_long, invalid_characters, reserved)."""
    handle = str(raw or "").strip().removeprefix("@")
    problem = None
    if not handle:
        problem, message = "required", "A user group needs a handle, such as design-team."
    elif len(handle) > HANDLE_MAX_LENGTH:
        problem, message = "too_long", f"Handles can be at most {HANDLE_MAX_LENGTH} characters."
    elif not HANDLE_RE.match(handle):
        problem = "invalid_characters"
        message = (
            "Handles may only contain lowercase letters, numbers, periods, hyphens and underscores, "
            "start with a letter or number, and not end with a period."
        )
    elif handle in RESERVED_HANDLES:
        problem, message = "reserved", f"@{handle} already means something in every workspace."
    if problem:
        raise DomainError(ErrorCode.INVALID_HANDLE, message, fields={"handle": problem})
    return handle


def check_usergroup_name(raw: str) -> str:
    """Spaces collapsed; 1 to NAME_MAX_LENGTH characters. Raises invalid_name (required, too_long)."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise DomainError(ErrorCode.INVALID_NAME, "A user group needs a name.", fields={"name": "required"})
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "User group names can be at most %(name_max_length)s characters.",
            fields={"name": "too_long"},
            params={"name_max_length": NAME_MAX_LENGTH},
        )
    return name


def _check_description(raw: str) -> str:
    description = str(raw or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Descriptions can be at most %(description_max_length)s characters.",
            fields={"description": "too_long"},
            params={"description_max_length": DESCRIPTION_MAX_LENGTH},
        )
    return description


def _other_groups(workspace: Workspace, group: UserGroup | None) -> QuerySet[UserGroup]:
    others = UserGroup.objects.filter(workspace=workspace)
    return others if group is None else others.exclude(pk=group.pk)


def _check_handle_free(workspace: Workspace, handle: str, *, group: UserGroup | None) -> None:
    """A handle must not name a person (their @name, or display name) or another group of the workspace:
    @handle would then mean two things. Raises handle_already_exists (fields.handle: person, group)."""
    person = Membership.objects.filter(workspace=workspace).filter(
        Q(user__email__istartswith=f"{handle}@") | Q(user__display_name__iexact=handle)
    )
    if person.exists():
        raise DomainError(
            ErrorCode.HANDLE_ALREADY_EXISTS,
            "@%(handle)s is already someone's name in this workspace; choose another handle.",
            fields={"handle": "person"},
            params={"handle": handle},
        )
    others = _other_groups(workspace, group).filter(handle__iexact=handle)
    if others.exists():
        raise DomainError(
            ErrorCode.HANDLE_ALREADY_EXISTS,
            "Another user group already has the handle @%(handle)s.",
            fields={"handle": "group"},
            params={"handle": handle},
        )


def _check_name_free(workspace: Workspace, name: str, *, group: UserGroup | None) -> None:
    others = _other_groups(workspace, group).filter(name__iexact=name)
    if others.exists():
        raise DomainError(
            ErrorCode.NAME_ALREADY_EXISTS,
            "Another user group is already called %(name)s.",
            fields={"name": "taken"},
            params={"name": name},
        )


def _unique_strings(values: Iterable[object], *, limit: int, field: str, code: ErrorCode) -> list[str]:
    found = list(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))
    if len(found) > limit:
        raise DomainError(
            code,
            "At most %(limit)s %(field)s at once.",
            fields={field: "too_many"},
            params={"limit": limit, "field": field},
        )
    return found


def _check_people(workspace: Workspace, public_ids: Sequence[str], *, include_deactivated: bool = False) -> list[User]:
    """The people named, each an active person (not a bot) active in the workspace (or, with
    `include_deactivated`, deactivated there). Anyone else, another workspace's people included, is refused by
    id: invalid_users (fields.users: invalid, too_many)."""
    wanted = _unique_strings(public_ids, limit=MAX_USERS, field="users", code=ErrorCode.INVALID_USERS)
    standing = {} if include_deactivated else {"is_active": True, "memberships__is_active": True}
    people = {
        user.public_id: user
        for user in User.objects.filter(
            public_id__in=wanted, is_bot=False, memberships__workspace=workspace, **standing
        )
    }
    unknown = [public_id for public_id in wanted if public_id not in people]
    if unknown:
        shown = ", ".join(unknown[:10]) + (", …" if len(unknown) > 10 else "")
        raise DomainError(
            ErrorCode.INVALID_USERS,
            "Not an active person in this workspace: %(shown)s.",
            fields={"users": "invalid"},
            params={"shown": shown},
        )
    return [people[public_id] for public_id in wanted]


def _check_channels(workspace: Workspace, public_ids: Sequence[str]) -> list[str]:
    """Default channels: public channels of the workspace (a private one cannot be offered to everyone).
    Raises channel_not_found (fields.channels: not_found), invalid_arguments (too_many)."""
    wanted = _unique_strings(public_ids, limit=MAX_CHANNELS, field="channels", code=ErrorCode.INVALID_ARGUMENTS)
    public = set(
        Channel.objects.filter(workspace=workspace, kind=ChannelKind.PUBLIC, public_id__in=wanted).values_list(
            "public_id", flat=True
        )
    )
    unknown = [public_id for public_id in wanted if public_id not in public]
    if unknown:
        raise DomainError(
            ErrorCode.CHANNEL_NOT_FOUND,
            "Not a public channel of this workspace: %(value)s.",
            fields={"channels": "not_found"},
            params={"value": ", ".join(unknown[:10])},
        )
    return wanted


def _check_manager(actor: User | None, workspace: Workspace) -> None:
    check_can_manage_usergroups(access_membership(actor, workspace) if actor is not None else None, workspace)


def _save_checked(group: UserGroup, update_fields: list[str] | None = None) -> None:
    """Save; a concurrent group that took the handle or name first is refused like one found before."""
    try:
        with transaction.atomic():
            group.save(update_fields=update_fields)
    except IntegrityError as error:
        if "usergroup_handle_unique" in str(error):
            raise DomainError(
                ErrorCode.HANDLE_ALREADY_EXISTS,
                "Another user group already has the handle @%(handle)s.",
                fields={"handle": "group"},
                params={"handle": group.handle},
            ) from None
        raise DomainError(
            ErrorCode.NAME_ALREADY_EXISTS,
            "Another user group is already called %(name)s.",
            fields={"name": "taken"},
            params={"name": group.name},
        ) from None


def _join_default_channels(group: UserGroup, people: Sequence[User]) -> None:
    """People added to a group join its default channels (Slack's rule), those not archived. Guests do not:
    only a channel's members invite a guest in, and whoever manages the group may not be one."""
    if not people or not group.default_channels:
        return
    active = set(
        Membership.objects.filter(workspace=group.workspace, is_active=True, user__in=people)
        .exclude(role=Role.GUEST)
        .values_list("user_id", flat=True)
    )
    joining = [person for person in people if person.pk in active and person.is_active]
    if not joining:
        return
    channels = Channel.objects.filter(
        workspace=group.workspace, kind=ChannelKind.PUBLIC, is_archived=False, public_id__in=group.default_channels
    ).select_related("workspace")
    for channel in channels:
        channel_invite(actor=None, channel=channel, users=joining)


def _member_ids(group: UserGroup) -> list[str]:
    return usergroup_user_ids(groups=[group])[group.pk]


@transaction.atomic
def usergroup_create(
    *,
    actor: User | None,
    workspace: Workspace,
    name: str,
    handle: str,
    description: str = "",
    channels: Sequence[str] = (),
    users: Sequence[str] = (),
) -> UserGroup:
    """Create a user group with its handle, name, description, default channels and (optionally) people.

    The people given join the default channels (not guests). Raises: restricted_action, invalid_handle,
    invalid_name, invalid_arguments, handle_already_exists (a person's name, or another group's handle),
    name_already_exists, channel_not_found, invalid_users, and as access_membership. Events: subteam_created,
    and member_joined_channel and channel_joined for each default channel joined.
    """
    _check_manager(actor, workspace)
    name = check_usergroup_name(name)
    handle = check_usergroup_handle(handle)
    description = _check_description(description)
    _check_handle_free(workspace, handle, group=None)
    _check_name_free(workspace, name, group=None)
    default_channels = _check_channels(workspace, channels)
    people = _check_people(workspace, users)
    group = UserGroup(
        workspace=workspace,
        name=name,
        handle=handle,
        description=description,
        default_channels=default_channels,
        created_by=actor,
        updated_by=actor,
    )
    _save_checked(group)
    UserGroupMember.objects.bulk_create([UserGroupMember(group=group, user=person) for person in people])
    _join_default_channels(group, people)
    events.send_subteam_changed(group, _member_ids(group), created=True)
    return group


def _locked(group: UserGroup) -> UserGroup:
    """The group's row, locked until the transaction ends, so changes to one group apply one at a time."""
    return (
        UserGroup.objects.select_for_update(of=("self",))
        .select_related("workspace", "created_by", "updated_by", "disabled_by")
        .get(pk=group.pk)
    )


@transaction.atomic
def usergroup_update(
    *,
    actor: User | None,
    group: UserGroup,
    name: str | None = None,
    handle: str | None = None,
    description: str | None = None,
    channels: Sequence[str] | None = None,
) -> UserGroup:
    """Change what is given (None keeps it): name, handle, description, default channels. Disabled groups
    may be changed too. Raises as usergroup_create. Events: subteam_updated (when something changed)."""
    _check_manager(actor, group.workspace)
    group = _locked(group)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = check_usergroup_name(name)
        _check_name_free(group.workspace, str(changes["name"]), group=group)
    if handle is not None:
        changes["handle"] = check_usergroup_handle(handle)
        _check_handle_free(group.workspace, str(changes["handle"]), group=group)
    if description is not None:
        changes["description"] = _check_description(description)
    if channels is not None:
        changes["default_channels"] = _check_channels(group.workspace, channels)
    changes = {field: value for field, value in changes.items() if getattr(group, field) != value}
    if not changes:
        return group
    for field, value in changes.items():
        setattr(group, field, value)
    group.updated_by, group.updated_at = actor, timezone.now()
    _save_checked(group, [*changes, "updated_by", "updated_at"])
    events.send_subteam_changed(group, _member_ids(group), created=False)
    return group


@transaction.atomic
def usergroup_set_enabled(*, actor: User | None, group: UserGroup, enabled: bool) -> UserGroup:
    """Disable a user group (it mentions nobody and leaves autocomplete; its members and handle are kept)
    or enable it again. Doing what is already done changes nothing. Raises restricted_action, and as
    access_membership. Events: subteam_updated (date_delete set when disabled, 0 when enabled)."""
    _check_manager(actor, group.workspace)
    group = _locked(group)
    if group.is_enabled == enabled:
        return group
    now = timezone.now()
    group.disabled_at, group.disabled_by = (None, None) if enabled else (now, actor)
    group.updated_by, group.updated_at = actor, now
    group.save(update_fields=["disabled_at", "disabled_by", "updated_by", "updated_at"])
    events.send_subteam_changed(group, _member_ids(group), created=False)
    return group


@transaction.atomic
def usergroup_set_users(
    *, actor: User | None, group: UserGroup, users: Sequence[str], include_deactivated: bool = False
) -> UserGroup:
    """Make `users` (public ids) the whole membership of the group, as Slack's usergroups.users.update does.
    Those added join the group's default channels (not guests); those removed stay where they are.
    `include_deactivated` lets the list name people deactivated in the workspace (SCIM provisioning: the
    identity provider's group may list them); they count for nothing (mentions, autocomplete) until reactivated.

    Raises invalid_users (anyone not an active person of the workspace: nothing changes), restricted_action,
    and as access_membership. Events: subteam_members_changed (when someone joined or left), and
    member_joined_channel and channel_joined for each default channel joined.
    """
    _check_manager(actor, group.workspace)
    group = _locked(group)
    people = _check_people(group.workspace, users, include_deactivated=include_deactivated)
    current = dict(UserGroupMember.objects.filter(group=group).values_list("user__public_id", "user_id"))
    wanted = {person.public_id: person for person in people}
    removed = sorted(set(current) - set(wanted))
    added = [public_id for public_id in wanted if public_id not in current]
    if not removed and not added:
        return group
    UserGroupMember.objects.filter(group=group, user_id__in=[current[public_id] for public_id in removed]).delete()
    UserGroupMember.objects.bulk_create([UserGroupMember(group=group, user=wanted[public_id]) for public_id in added])
    _join_default_channels(group, [wanted[public_id] for public_id in added])
    previous_update = int(group.updated_at.timestamp())
    group.updated_by, group.updated_at = actor, timezone.now()
    group.save(update_fields=["updated_by", "updated_at"])
    events.send_subteam_members_changed(group, previous_update=previous_update, added=added, removed=removed)
    return group


@transaction.atomic
def workspace_set_usergroups_by_members(*, actor: User | None, workspace: Workspace, allowed: bool) -> Workspace:
    """Whether members (not guests) may create and change user groups; owners and admins always may.

    Callers: workspace owners and admins; the operator. Raises restricted_action. Events: none.
    """
    access_workspace_admin(actor, workspace)
    if workspace.usergroups_by_members != allowed:
        workspace.usergroups_by_members = allowed
        workspace.save(update_fields=["usergroups_by_members"])
    return workspace
