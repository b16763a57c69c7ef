"""A person's own sidebar: their sections, where their channels and DMs sit, and whether Unreads shows.

Everything here is the acting person's alone: nobody else sees or changes it. Each change takes a
lock on the person's membership row, so two tabs changing the sidebar at once apply one after the
other (the section limit and the positions stay right), bumps the layout's revision
(SidebarPrefs.revision) in its transaction, and announces the whole new layout with that revision to
the person's own sockets (`sidebar_changed`) after the commit, so their other tabs follow. Two
changes' events can arrive in either order; the revision tells a tab which one is newer.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Max

from chat import events
from chat.models import (
    SECTION_NAME_MAX_LENGTH,
    Channel,
    ChannelMember,
    SectionKind,
    SectionSort,
    SidebarPlacement,
    SidebarPrefs,
    SidebarSection,
)
from chat.permissions import channel_not_found
from chat.selectors.sidebar import DEFAULT_SECTION_KINDS
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace

MAX_SECTIONS = 50


def _lock_sidebar(actor: User, workspace: Workspace) -> None:
    """Check the actor is active in the workspace, and serialise their sidebar changes there."""
    membership = access_membership(actor, workspace)
    Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk", flat=True).get()


def _check_name(name: object) -> str:
    """A section's name: 1 to 80 characters once trimmed, no control characters."""
    if not isinstance(name, str):
        raise DomainError(ErrorCode.INVALID_NAME, "A section's name must be text.", fields={"name": "invalid"})
    name = " ".join(name.split())
    if not name:
        raise DomainError(ErrorCode.INVALID_NAME, "Give the section a name.", fields={"name": "required"})
    if len(name) > SECTION_NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "A section's name can be at most %(limit)s characters.",
            fields={"name": "too_long"},
            params={"limit": SECTION_NAME_MAX_LENGTH},
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in name):
        raise DomainError(
            ErrorCode.INVALID_NAME, "A section's name cannot hold control characters.", fields={"name": "invalid"}
        )
    return name


def _check_name_free(actor: User, workspace: Workspace, name: str, *, exclude: int | None = None) -> None:
    taken = SidebarSection.objects.filter(user=actor, workspace=workspace, kind=SectionKind.CUSTOM, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            "You already have a section named “%(name)s”.",
            fields={"name": "taken"},
            params={"name": name},
        )


def _section(actor: User, workspace: Workspace, section_id: str) -> SidebarSection:
    """One of the actor's sections by the id the layout gives it; a default section gets its row on first use."""
    if section_id in DEFAULT_SECTION_KINDS:
        section, _ = SidebarSection.objects.get_or_create(user=actor, workspace=workspace, kind=section_id)
        return section
    custom = SidebarSection.objects.filter(
        user=actor, workspace=workspace, kind=SectionKind.CUSTOM, public_id=section_id
    ).first()
    if custom is None:
        raise DomainError(ErrorCode.SECTION_NOT_FOUND, "No such section.", fields={"section": "not_found"})
    return custom


def _changed(actor: User, workspace: Workspace) -> None:
    """The layout changed: bump its revision in this transaction, then announce the new layout with it.

    Called under `_lock_sidebar`, so the changes get revisions in the order they commit, and the
    event, read in the same transaction, carries the revision of exactly what it shows.
    """
    bumped = SidebarPrefs.objects.filter(user=actor, workspace=workspace).update(revision=F("revision") + 1)
    if not bumped:
        SidebarPrefs.objects.create(user=actor, workspace=workspace, revision=1)
    events.send_sidebar_changed(actor, workspace)


@transaction.atomic
def sidebar_section_create(*, actor: User, workspace: Workspace, name: object) -> SidebarSection:
    """A new section of the actor's own, below their other sections and above Channels.

    Callers: any active person in the workspace, guests included, for themselves.
    Raises: invalid_name, name_taken (the actor has a section of that name, in any case),
    too_many_sections (50), workspace_not_found, account_inactive.
    Events: sidebar_changed to the actor's own sockets.
    """
    clean = _check_name(name)
    _lock_sidebar(actor, workspace)
    mine = SidebarSection.objects.filter(user=actor, workspace=workspace, kind=SectionKind.CUSTOM)
    if mine.count() >= MAX_SECTIONS:
        raise DomainError(
            ErrorCode.TOO_MANY_SECTIONS,
            "You can have at most %(limit)s sections; delete one first.",
            fields={"name": "too_many"},
            params={"limit": MAX_SECTIONS},
        )
    _check_name_free(actor, workspace, clean)
    last = mine.aggregate(last=Max("position"))["last"]
    section = SidebarSection.objects.create(
        user=actor, workspace=workspace, name=clean, position=0 if last is None else last + 1
    )
    _changed(actor, workspace)
    return section


@transaction.atomic
def sidebar_section_update(
    *,
    actor: User,
    workspace: Workspace,
    section_id: str,
    name: object = None,
    collapsed: object = None,
    sort: object = None,
) -> SidebarSection:
    """Rename one of the actor's sections, collapse or expand it, or choose how it sorts; only what is given changes.

    The default sections ("channels", "direct_messages") collapse and sort too, but keep their names.
    Callers: any active person in the workspace, for themselves.
    Raises: invalid_arguments (nothing to change, collapsed not a boolean, an unknown sort),
    invalid_name, name_taken, cant_change_default_section, section_not_found,
    workspace_not_found, account_inactive.
    Events: sidebar_changed to the actor's own sockets, when something changed.
    """
    _check_update(name, collapsed, sort)
    _lock_sidebar(actor, workspace)
    section = _section(actor, workspace, section_id)
    changes: dict[str, object] = {}
    if name is not None:
        if section.kind != SectionKind.CUSTOM:
            raise DomainError(
                ErrorCode.CANT_CHANGE_DEFAULT_SECTION, "A default section keeps its name.", fields={"name": "default"}
            )
        clean = _check_name(name)
        if clean != section.name:
            _check_name_free(actor, workspace, clean, exclude=section.pk)
            changes["name"] = clean
    if collapsed is not None and collapsed != section.collapsed:
        changes["collapsed"] = collapsed
    if sort is not None and sort != section.sort:
        changes["sort"] = sort
    if changes:
        for field, value in changes.items():
            setattr(section, field, value)
        section.save(update_fields=list(changes))
        _changed(actor, workspace)
    return section


def _check_update(name: object, collapsed: object, sort: object) -> None:
    if name is None and collapsed is None and sort is None:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Give name, collapsed or sort.",
            fields={"name": "required", "collapsed": "required", "sort": "required"},
        )
    if collapsed is not None and not isinstance(collapsed, bool):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "collapsed must be true or false.", fields={"collapsed": "invalid"}
        )
    if sort is not None and sort not in SectionSort.values:
        sorts = ", ".join(SectionSort.values)
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "sort must be one of %(sorts)s.",
            fields={"sort": "invalid"},
            params={"sorts": sorts},
        )


@transaction.atomic
def sidebar_section_delete(*, actor: User, workspace: Workspace, section_id: str) -> None:
    """Delete one of the actor's own sections; its channels go back to their default sections.

    Callers: any active person in the workspace, for themselves.
    Raises: section_not_found, cant_change_default_section, workspace_not_found, account_inactive.
    Events: sidebar_changed to the actor's own sockets.
    """
    _lock_sidebar(actor, workspace)
    if section_id in DEFAULT_SECTION_KINDS:
        raise DomainError(
            ErrorCode.CANT_CHANGE_DEFAULT_SECTION,
            "The default sections cannot be deleted.",
            fields={"section": "default"},
        )
    _section(actor, workspace, section_id).delete()  # its placements go with it
    _changed(actor, workspace)


@transaction.atomic
def sidebar_channel_move(
    *, actor: User, workspace: Workspace, channel_id: str, section_id: str, position: object = None
) -> SidebarPlacement:
    """Put a channel or DM the actor is in into one of their sections, at `position` (0 is the top;
    None or past the end: the bottom) among the channels placed there.

    Callers: any active person in the workspace, for their own channels.
    Raises: channel_not_found (no such channel in the workspace, or the actor is not in it),
    section_not_found, invalid_arguments (a bad position), workspace_not_found, account_inactive.
    Events: sidebar_changed to the actor's own sockets.
    """
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "position must be a whole number, 0 or more.", fields={"position": "invalid"}
        )
    _lock_sidebar(actor, workspace)
    channel = _own_channel(actor, workspace, channel_id)
    section = _section(actor, workspace, section_id)
    in_channels = ChannelMember.objects.filter(user=actor, channel__workspace=workspace).values("channel_id")
    others = list(
        SidebarPlacement.objects.filter(section=section, channel_id__in=in_channels)
        .exclude(channel=channel)
        .order_by("position", "id")
    )
    placement, _ = SidebarPlacement.objects.update_or_create(user=actor, channel=channel, defaults={"section": section})
    at = len(others) if position is None else min(int(position), len(others))
    ordered = [*others[:at], placement, *others[at:]]
    moved = [row for index, row in enumerate(ordered) if row.position != index or row is placement]
    for index, row in enumerate(ordered):
        row.position = index
    SidebarPlacement.objects.bulk_update(moved, ["position"])
    _changed(actor, workspace)
    return placement


def _own_channel(actor: User, workspace: Workspace, channel_id: str) -> Channel:
    """A channel of the workspace the actor is in; any other, public or not, is channel_not_found here."""
    member = (
        ChannelMember.objects.filter(user=actor, channel__workspace=workspace, channel__public_id=channel_id)
        .select_related("channel")
        .first()
    )
    if member is None:
        raise channel_not_found()
    return member.channel


@transaction.atomic
def sidebar_set_show_unreads(*, actor: User, workspace: Workspace, show_unreads: object) -> SidebarPrefs:
    """Show or hide the Unreads section at the top of the actor's sidebar.

    Callers: any active person in the workspace, for themselves.
    Raises: invalid_arguments (not a boolean), workspace_not_found, account_inactive.
    Events: sidebar_changed to the actor's own sockets, when it changed.
    """
    if not isinstance(show_unreads, bool):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "show_unreads must be true or false.", fields={"show_unreads": "invalid"}
        )
    _lock_sidebar(actor, workspace)
    prefs, _ = SidebarPrefs.objects.get_or_create(user=actor, workspace=workspace)
    if prefs.show_unreads != show_unreads:
        prefs.show_unreads = show_unreads
        prefs.save(update_fields=["show_unreads"])
        _changed(actor, workspace)
        prefs.refresh_from_db(fields=["revision"])
    return prefs
