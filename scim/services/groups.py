"""Provisioning user groups by SCIM: a SCIM Group is one of the token's workspace's user groups
(workspaces.services.usergroups), its members people of that workspace by id (U…).

A group's handle (its @mention) is made from its displayName; a taken handle gets a number. Deleting a
group disables it (workspaces' own way to remove one: its history and members are kept) and hides it from
SCIM; pushing a group of the same name again brings that group back.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from scim.attributes import GroupInput
from scim.errors import UNIQUENESS, ScimError
from scim.models import ScimGroup, ScimToken
from slackclone.errors import ErrorCode
from workspaces.models import UserGroup
from workspaces.services.usergroups import (
    HANDLE_MAX_LENGTH,
    RESERVED_HANDLES,
    usergroup_create,
    usergroup_set_enabled,
    usergroup_set_users,
    usergroup_update,
)

_NOT_HANDLE = re.compile(r"[^a-z0-9._-]+")


def _handle_for(token: ScimToken, display_name: str) -> str:
    """A free handle made from the name: lowercase ASCII letters, digits, . _ -, a number added if taken."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode().lower()
    base = _NOT_HANDLE.sub("-", ascii_name)[: HANDLE_MAX_LENGTH - 3].strip("-._") or "scim-group"
    if base in RESERVED_HANDLES:
        base += "-group"
    taken = set(
        UserGroup.objects.filter(workspace=token.workspace).annotate(h=Lower("handle")).values_list("h", flat=True)
    )
    handle, n = base, 1
    while handle in taken:
        n += 1
        suffix = f"-{n}"
        handle = base[: HANDLE_MAX_LENGTH - len(suffix)] + suffix
    return handle


def _name_taken(token: ScimToken, name: str) -> ScimError:
    return ScimError(
        ErrorCode.NAME_ALREADY_EXISTS,
        "A user group named %(name)s exists in this workspace.",
        status=409,
        scim_type=UNIQUENESS,
        params={"name": name},
    )


@transaction.atomic
def scim_group_create(*, token: ScimToken, data: GroupInput) -> UserGroup:
    """Create a user group with its members, or bring back the group of that name SCIM deleted.

    Callers: the SCIM API, for its token's workspace only. Raises: ScimError 409 uniqueness (the name is a
    group's that SCIM did not delete), invalid_users, invalid_name, invalid_handle. Events: subteam_created
    (or subteam_updated), subteam_members_changed, member_joined_channel for default channels.
    """
    same_name = (
        UserGroup.objects.annotate(n=Lower("name"))
        .filter(workspace=token.workspace, n=data.display_name.lower())
        .select_related("scim_link")
        .first()
    )
    if same_name is not None:
        link = getattr(same_name, "scim_link", None)
        if link is None or link.deleted_at is None:
            raise _name_taken(token, data.display_name)
        usergroup_set_enabled(actor=None, group=same_name, enabled=True)
        link.deleted_at, link.external_id = None, data.external_id
        link.save(update_fields=["deleted_at", "external_id"])
        return scim_group_replace(token=token, group=same_name, data=data)
    group = usergroup_create(
        actor=None, workspace=token.workspace, name=data.display_name, handle=_handle_for(token, data.display_name)
    )
    ScimGroup.objects.create(group=group, external_id=data.external_id)
    if data.members:
        usergroup_set_users(actor=None, group=group, users=list(data.members), include_deactivated=True)
    return group


@transaction.atomic
def scim_group_replace(*, token: ScimToken, group: UserGroup, data: GroupInput) -> UserGroup:
    """Make the group's name, externalId and members what `data` says (PUT, and PATCH once applied).

    Callers: the SCIM API, for its token's workspace only. Raises as scim_group_create.
    Events: subteam_updated, subteam_members_changed.
    """
    if (
        group.name.lower() != data.display_name.lower()
        and UserGroup.objects.annotate(n=Lower("name"))
        .filter(workspace=token.workspace, n=data.display_name.lower())
        .exclude(pk=group.pk)
        .exists()
    ):
        raise _name_taken(token, data.display_name)
    usergroup_update(actor=None, group=group, name=data.display_name)
    usergroup_set_users(actor=None, group=group, users=list(data.members), include_deactivated=True)
    ScimGroup.objects.update_or_create(group=group, defaults={"external_id": data.external_id})
    group.refresh_from_db()
    return group


@transaction.atomic
def scim_group_delete(*, token: ScimToken, group: UserGroup) -> None:
    """Delete a group for SCIM: it is disabled (kept with its members, mentioning nobody) and hidden from SCIM.

    Callers: the SCIM API, for its token's workspace only. Events: subteam_updated.
    """
    usergroup_set_enabled(actor=None, group=group, enabled=False)
    ScimGroup.objects.update_or_create(group=group, defaults={"deleted_at": timezone.now()})
