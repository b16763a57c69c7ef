"""A person's sidebar in one workspace: their own sections, then the two default ones, with the channels placed in each.

Only channels the person is in are listed; a channel they are in but never placed is in no
section's `channel_ids`, and the client shows it in its default section ("Channels" or "Direct
messages"), which is also where the person's own sections send their channels when deleted.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, cast

from chat.models import ChannelMember, SectionKind, SidebarPlacement, SidebarPrefs, SidebarSection
from realtime.event_types import SidebarSectionWire, SidebarWire
from slackclone.orm import unique_or_none

if TYPE_CHECKING:
    from typing import Literal

    from accounts.models import User
    from workspaces.models import Workspace

DEFAULT_SECTION_KINDS = (SectionKind.CHANNELS, SectionKind.DIRECT_MESSAGES)
DEFAULT_SECTION_NAMES = {SectionKind.CHANNELS: "Channels", SectionKind.DIRECT_MESSAGES: "Direct messages"}


def section_wire_id(section: SidebarSection) -> str:
    """The id a client names a section by: `L…`, or the default section's type (it may have no row yet)."""
    return section.public_id if section.kind == SectionKind.CUSTOM else section.kind


def sidebar_layout(*, user: User, workspace: Workspace) -> SidebarWire:
    """The person's sections in order (their own by position, then Channels, then Direct messages), and
    the layout's revision.

    Read outside the sidebar's lock (an API answer, the boot), a change may commit between the queries;
    every change bumps the revision, so a layout whose revision is the same before and after its reads
    is one committed layout. After a few tries it is labelled with the first revision read: one that is
    too old only lets a late event replace it, while one too new would make a tab ignore the newer layout.
    """
    for _attempt in range(_READ_ATTEMPTS):
        before = _revision(user, workspace)
        layout = _read_layout(user, workspace)
        if layout["revision"] == before:
            return layout
    return {**layout, "revision": before}


_READ_ATTEMPTS = 3


def _revision(user: User, workspace: Workspace) -> int:
    prefs = SidebarPrefs.objects.filter(user=user, workspace=workspace)
    return unique_or_none(prefs.values_list("revision", flat=True)) or 0


def _read_layout(user: User, workspace: Workspace) -> SidebarWire:
    """Three queries: the sections, the placements of channels the person is in, the settings and revision."""
    rows = list(SidebarSection.objects.filter(user=user, workspace=workspace).order_by("position", "created_at", "id"))
    placed: dict[int, list[str]] = defaultdict(list)
    in_channels = ChannelMember.objects.filter(user=user, channel__workspace=workspace).values("channel_id")
    placements = (
        SidebarPlacement.objects.filter(user=user, section__workspace=workspace, channel_id__in=in_channels)
        .order_by("position", "id")
        .values_list("section_id", "channel__public_id")
    )
    for section_id, channel_id in placements:
        placed[section_id].append(channel_id)
    sections = [_section_wire(row, placed[row.id]) for row in rows if row.kind == SectionKind.CUSTOM]
    defaults = {row.kind: row for row in rows if row.kind != SectionKind.CUSTOM}
    for kind in DEFAULT_SECTION_KINDS:
        row = defaults.get(kind)
        sections.append(_section_wire(row, placed[row.id]) if row else _default_wire(kind))
    prefs = unique_or_none(SidebarPrefs.objects.filter(user=user, workspace=workspace).only("show_unreads", "revision"))
    return {
        "show_unreads": bool(prefs and prefs.show_unreads),
        "sections": sections,
        "revision": prefs.revision if prefs else 0,
    }


def _section_wire(section: SidebarSection, channel_ids: list[str]) -> SidebarSectionWire:
    custom = section.kind == SectionKind.CUSTOM
    return {
        "id": section_wire_id(section),
        "type": cast("Literal['standard', 'channels', 'direct_messages']", section.kind),
        "name": section.name if custom else DEFAULT_SECTION_NAMES[SectionKind(section.kind)],
        "collapsed": section.collapsed,
        "sort": cast("Literal['manual', 'activity', 'name']", section.sort),
        "channel_ids": channel_ids,
    }


def _default_wire(kind: SectionKind) -> SidebarSectionWire:
    return {
        "id": kind.value,
        "type": cast("Literal['standard', 'channels', 'direct_messages']", kind.value),
        "name": DEFAULT_SECTION_NAMES[kind],
        "collapsed": False,
        "sort": "manual",
        "channel_ids": [],
    }
