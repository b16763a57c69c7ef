"""The slash commands that need no app: /invite, /leave, /topic, /me, /remind, /mute, /status, /who.

Each is a thin adapter over the service that does the same from a menu, and answers the person who
typed it with a line only they see (empty when the change speaks for itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.services import user_set_status
from chat.models import ChannelMember
from chat.services import channel_invite, channel_leave, channel_prefs_update, channel_set_topic, message_post
from notifications.services.reminders import reminder_create
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User
    from chat.models import Channel

MENTION = re.compile(r"<@([A-Z0-9]{2,20})(?:\|[^>]{0,80})?>|@([\w.\-]{1,80})")
REMIND_WHEN = re.compile(r"\s(in\s.+|at\s.+|on\s.+|tomorrow.*|next\s.+)$", re.IGNORECASE)
WHO_LIMIT = 50


@dataclass(frozen=True)
class Builtin:
    description: StrOrPromise
    usage_hint: StrOrPromise
    run: Callable[[User, Channel, str], str]


def _people(channel: Channel, text: str) -> list[User]:
    """Members of the channel's workspace named as <@U…> or @name (the part of their address before the @)."""
    ids: set[str] = set()
    names: set[str] = set()
    for by_id, by_name in MENTION.findall(text):
        (ids if by_id else names).add(by_id or by_name.lower())
    if not ids and not names:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Say who to invite: /invite @name.", fields={"text": "required"})
    memberships = Membership.objects.filter(workspace=channel.workspace, is_active=True).select_related("user")
    found = [m.user for m in memberships if m.user.public_id in ids or m.user.email.split("@", 1)[0].lower() in names]
    if len(found) < len(ids) + len(names):
        raise DomainError(ErrorCode.USER_NOT_FOUND, "Some of those people are not in this workspace.")
    return found


def _invite(actor: User, channel: Channel, text: str) -> str:
    channel_invite(actor=actor, channel=channel, users=_people(channel, text))
    return ""


def _leave(actor: User, channel: Channel, text: str) -> str:
    channel_leave(actor=actor, channel=channel)
    return ""


def _topic(actor: User, channel: Channel, text: str) -> str:
    channel_set_topic(actor=actor, channel=channel, topic=text.strip())
    return ""


def _me(actor: User, channel: Channel, text: str) -> str:
    if not text.strip():
        raise DomainError(ErrorCode.NO_TEXT, "Say what you are doing: /me is thinking.", fields={"text": "required"})
    message_post(sender=actor, channel=channel, text=f"_{text.strip()}_")
    return ""


def _remind(actor: User, channel: Channel, text: str) -> str:
    """`/remind me to stretch in 20 minutes`: the reminder comes as a DM from Slackbot."""
    words = re.sub(r"^\s*me\s+(to\s+)?", "", text, flags=re.IGNORECASE)
    found = REMIND_WHEN.search(words)
    if found is None or not words[: found.start()].strip():
        raise DomainError(
            ErrorCode.INVALID_TIME,
            "Say what and when: /remind me to stretch in 20 minutes.",
            fields={"text": "invalid"},
        )
    what, when = words[: found.start()].strip(), found.group(1).strip()
    reminder = reminder_create(actor=actor, workspace=channel.workspace, text=what, when=when)
    when_utc = f"{reminder.remind_at:%Y-%m-%d %H:%M}"
    return gettext("I will remind you “%(what)s” at %(when)s UTC.") % {"what": what, "when": when_utc}


def _mute(actor: User, channel: Channel, text: str) -> str:
    member = ChannelMember.objects.get(channel=channel, user=actor)
    channel_prefs_update(actor=actor, channel=channel, muted=not member.muted)
    return gettext("Muted this conversation.") if not member.muted else gettext("Unmuted this conversation.")


def _status(actor: User, channel: Channel, text: str) -> str:
    """`/status :palm_tree: On holiday`, or `/status clear`."""
    words = text.strip()
    if words.lower() == "clear":
        user_set_status(actor=actor)
        return gettext("Your status is cleared.")
    emoji_match = re.match(r"^(:[a-z0-9_+\-']{1,100}:)\s*", words)
    emoji = emoji_match.group(1) if emoji_match else ""
    user_set_status(actor=actor, emoji=emoji.strip(":"), text=words[emoji_match.end() :] if emoji_match else words)
    return gettext("Your status is set.")


def _who(actor: User, channel: Channel, text: str) -> str:
    members = list(
        ChannelMember.objects.filter(channel=channel)
        .select_related("user")
        .order_by("user__full_name")[: WHO_LIMIT + 1]
    )
    names = ", ".join(f"<@{m.user.public_id}>" for m in members[:WHO_LIMIT])
    if len(members) > WHO_LIMIT:
        return gettext("In this conversation: %(names)s and more (the first %(limit)s shown).") % {
            "names": names,
            "limit": WHO_LIMIT,
        }
    return gettext("In this conversation: %(names)s.") % {"names": names}


BUILTINS: dict[str, Builtin] = {
    "/invite": Builtin(_("Invite people to this channel"), _("@name [@name …]"), _invite),
    "/leave": Builtin(_("Leave this channel"), "", _leave),
    "/topic": Builtin(_("Set the channel's topic"), _("[text]"), _topic),
    "/me": Builtin(_("Say what you are doing, in italics"), _("[text]"), _me),
    "/remind": Builtin(_("Set a reminder"), _("me to [what] in [when]"), _remind),
    "/mute": Builtin(_("Mute or unmute this conversation"), "", _mute),
    "/status": Builtin(_("Set your status"), _(":emoji: [text], or clear"), _status),
    "/who": Builtin(_("List the people in this conversation"), "", _who),
}
