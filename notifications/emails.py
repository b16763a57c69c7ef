"""The missed-message email: its content (HTML and text from templates), links, and the unsubscribe token.

Stored text is Slack markup; the email shows it as people would read it in the app (chat.markup: `<@U…>` as
@name, `<#C…>` as #channel, `<!here>` as @here, **bold**, lists and code blocks; in the text part bold and the
like lose their markers, a labelled link shows its address, list items keep their bullets and numbers).
Ids resolve only to what the recipient may see in the message's workspace: a person they may not
see keeps the markup's label (or the bare id), and a channel they cannot read shows as "private
channel", whichever workspace it is in, if any.
"""

from __future__ import annotations

import zoneinfo
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from chat.links import message_permalink
from chat.markup import to_html, to_plain_text
from chat.models import Channel, ChannelKind
from chat.selectors import readable_channels
from chat.selectors.people import people_view
from chat.text import CHANNEL_MENTION_RE, USER_MENTION_RE
from notifications.models import MissedMessageEmail, Notification, NotificationReason
from slackclone.i18n import language_of
from workspaces.models import Membership, Workspace

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
MAX_MESSAGES_SHOWN = 25
# The text part's lines wrap at this width, indented two spaces under their author.
TEXT_WIDTH = 70


def unsubscribe_token(user: User) -> str:
    """A signed token naming the user: the unsubscribe link works without signing in, and only for them."""
    return signing.dumps({"u": user.public_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(public_id=data.get("u"), is_active=True).first() if isinstance(data, dict) else None


def unsubscribe_url(user: User) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user)])


def message_names(notifications: Iterable[Notification], recipient: User, workspace: Workspace) -> dict[str, str]:
    """Names of the people and channels the messages mention, or that DMs need, among those the
    recipient may see in the workspace (workspaces.selectors.people_view, chat.selectors.readable_channels)."""
    user_ids: set[str] = set()
    channel_ids: set[str] = set()
    for n in notifications:
        user_ids.update(m[0] for m in USER_MENTION_RE.findall(n.message.text))
        channel_ids.update(m[0] for m in CHANNEL_MENTION_RE.findall(n.message.text))
        if n.channel.dm_key:
            user_ids.update(n.channel.dm_key.split(","))
    membership = Membership.objects.get(user=recipient, workspace=workspace)
    people = people_view(workspace=workspace, viewer=membership).members().filter(user__public_id__in=user_ids)
    names = {m.user.public_id: m.user.name for m in people}
    channels = readable_channels(user=recipient, workspace=workspace, is_guest=membership.is_guest)
    rows = channels.filter(public_id__in=channel_ids).values_list("public_id", "name")
    names.update({public_id: name for public_id, name in rows if name is not None})
    return names


def _where(channel: Channel, recipient: User, names: dict[str, str]) -> str:
    if channel.kind in (ChannelKind.PUBLIC, ChannelKind.PRIVATE):
        return f"#{channel.name}"
    others = [names.get(pid, pid) for pid in (channel.dm_key or "").split(",") if pid != recipient.public_id]
    if channel.kind == ChannelKind.DM:
        return _("Direct message with %(name)s") % {"name": others[0]} if others else _("Your notes")
    return _("Group message with %(names)s") % {"names": ", ".join(others)}


@dataclass(frozen=True)
class EmailLine:
    author: str
    sent_at: str
    text: str
    html: SafeString
    url: str
    reason: str

    @property
    def indented_text(self) -> str:
        """The text for the plain-text email: every line indented under its author."""
        return "\n".join("  " + line if line else "" for line in self.text.split("\n"))


def email_line(notification: Notification, names: dict[str, str], tz: zoneinfo.ZoneInfo) -> EmailLine:
    """One message of the email, its text in both parts rendered as the app renders it."""
    message = notification.message
    text = message.text if message.text.strip() else _("(a file)")
    return EmailLine(
        author=message.author.name,
        sent_at=formats.date_format(message.created_at.astimezone(tz), "DATETIME_FORMAT"),
        text=to_plain_text(text, names, width=TEXT_WIDTH),
        html=to_html(text, names),
        url=message_permalink(message),
        reason=NotificationReason(notification.reason).label,
    )


def build_missed_message_email(batch: MissedMessageEmail, notifications: list[Notification]) -> EmailMultiAlternatives:
    """The email for these notifications (oldest first), grouped by conversation, with links to each message,
    in the recipient's language (a Celery worker has no request to take it from)."""
    with translation.override(language_of(batch.user)):
        return _build_missed_message_email(batch, notifications)


def _build_missed_message_email(batch: MissedMessageEmail, notifications: list[Notification]) -> EmailMultiAlternatives:
    user, workspace = batch.user, batch.workspace
    names = message_names(notifications, user, workspace)
    try:
        tz = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    groups: OrderedDict[str, list[EmailLine]] = OrderedDict()
    for n in notifications[:MAX_MESSAGES_SHOWN]:
        groups.setdefault(_where(n.channel, user, names), []).append(email_line(n, names, tz))
    context = {
        "user": user,
        "workspace": workspace,
        "count": len(notifications),
        "more": max(0, len(notifications) - MAX_MESSAGES_SHOWN),
        "groups": list(groups.items()),
        "authors": list(dict.fromkeys(n.message.author.name for n in notifications)),
        "site_url": settings.SITE_URL,
        "workspace_url": f"{settings.SITE_URL}/{workspace.slug}/",
        "unsubscribe_url": unsubscribe_url(user),
    }
    subject = " ".join(render_to_string("notifications/missed_messages_subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/missed_messages.txt", context),
        to=[user.email],
        headers={
            # One id per batch: a resend after a crash mid-send is the same email to mail software.
            "Message-ID": f"<missed-messages-{batch.pk}-{user.public_id}@slackclone>",
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(render_to_string("notifications/missed_messages.html", context), "text/html")
    return email
