"""conversations.*: listing, reading, and changing channels, DMs and their members."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Max, Q

from chat import selectors, services
from chat.models import Channel, ChannelKind, ChannelMember, Message
from chat.permissions import access_channel_member
from chat.wire import channel_to_wire, message_to_wire
from slack_api.core import HISTORY_SCOPES, MANAGE_SCOPES, READ_SCOPES, Context, SlackError, method, paged
from slack_api.lookups import channel_arg, history_channel_arg, message_arg, types_arg, user_by_id
from slackclone.api.pagination import encode_cursor
from slackclone.db_router import read_for
from slackclone.errors import DomainError, ErrorCode

LIST_MAX_LIMIT = 1000
MEMBERS_MAX_LIMIT = 1000


def conversation(channel: Channel, *, is_member: bool | None = None, user=None) -> dict:
    """channel_to_wire plus is_member (and the other person of a DM as `user`, as Slack has it)."""
    wire: dict[str, Any] = dict(channel_to_wire(channel))
    if is_member is None and user is not None:
        is_member = ChannelMember.objects.filter(channel=channel, user=user).exists()
    wire["is_member"] = bool(is_member)
    if channel.kind == ChannelKind.DM and user is not None:
        other = ChannelMember.objects.filter(channel=channel).exclude(user=user).select_related("user").first()
        wire["user"] = other.user.public_id if other else user.public_id
    return wire


def visible_channels_page(ctx: Context, kinds: list[str], *, exclude_archived: bool, limit: int, member_only_of=None):
    """A keyset page (by public id) of the channels of these kinds the caller may see."""
    ids = selectors.visible_channel_ids(user=ctx.user, workspace=ctx.workspace, is_guest=ctx.membership.is_guest)
    channels = Channel.objects.filter(id__in=ids, kind__in=kinds).select_related("workspace", "created_by")
    if member_only_of is not None:
        channels = channels.filter(memberships__user=member_only_of)
    if exclude_archived:
        channels = channels.filter(is_archived=False)
    cursor = ctx.args.cursor()
    if cursor:
        channels = channels.filter(public_id__gt=cursor[0])
    rows = list(channels.order_by("public_id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    mine = set(ChannelMember.objects.filter(user=ctx.user, channel__in=rows).values_list("channel_id", flat=True))
    dm_ids = [channel.pk for channel in rows if channel.kind == ChannelKind.DM]
    others = dict(
        ChannelMember.objects.filter(channel_id__in=dm_ids)
        .exclude(user=ctx.user)
        .values_list("channel_id", "user__public_id")
    )
    wires = []
    for channel in rows:
        wire = conversation(channel, is_member=channel.pk in mine)
        if channel.kind == ChannelKind.DM:
            wire["user"] = others.get(channel.pk, ctx.user.public_id)
        wires.append(wire)
    return paged({"channels": wires}, encode_cursor(rows[-1].public_id) if more and rows else None)


@method("conversations.list", scopes=READ_SCOPES)
def list_(ctx: Context) -> dict:
    return visible_channels_page(
        ctx,
        types_arg(ctx),
        exclude_archived=ctx.args.bool("exclude_archived"),
        limit=ctx.args.limit(100, LIST_MAX_LIMIT),
    )


@method("conversations.info", scopes=READ_SCOPES)
def info(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    return {"channel": conversation(channel, user=ctx.user)}


def _ts_arg(ctx: Context, key: str) -> str | None:
    """A ts argument normalised to our ts format (seconds with six decimals), so ts strings compare in order."""
    raw = ctx.args.str(key)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SlackError(f"invalid_ts_{key}") from None
    if not value.is_finite() or value < 0:
        raise SlackError(f"invalid_ts_{key}")
    return f"{value:.6f}" if value else None


def _seq_bound(channel: Channel, ts: str, *, below: bool, inclusive: bool) -> int:
    """The seq bound a ts names: messages with ts < (or <=) `ts` lie at or below the returned seq."""
    op = "ts__lte" if (inclusive if below else not inclusive) else "ts__lt"
    found = Message.objects.filter(channel=channel, **{op: ts}).aggregate(top=Max("seq"))["top"]
    return found or 0


@method("conversations.history", scopes=HISTORY_SCOPES)
def history(ctx: Context) -> dict:
    """Newest first between `oldest` and `latest` (exclusive unless `inclusive`); cursor pages go older."""
    channel = history_channel_arg(ctx)
    limit = ctx.args.limit(100, selectors.HISTORY_MAX_LIMIT)
    inclusive = ctx.args.bool("inclusive")
    messages = selectors.messages_for_wire().filter(channel=channel)
    messages = messages.filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))
    cursor = ctx.args.cursor()
    if cursor:
        try:
            messages = messages.filter(seq__lt=int(cursor[0]))
        except ValueError:
            raise SlackError("invalid_cursor") from None
    latest = _ts_arg(ctx, "latest")
    if latest:
        messages = messages.filter(seq__lte=_seq_bound(channel, latest, below=True, inclusive=inclusive))
    oldest = _ts_arg(ctx, "oldest")
    if oldest:
        messages = messages.filter(seq__gt=_seq_bound(channel, oldest, below=False, inclusive=inclusive))
    rows = read_for(ctx.user, lambda using: list(messages.using(using).order_by("-seq")[: limit + 1]))
    more = len(rows) > limit
    rows = rows[:limit]
    body = {"messages": [message_to_wire(message) for message in rows], "has_more": more}
    return paged(body, encode_cursor(str(rows[-1].seq)) if more and rows else None)


@method("conversations.replies", scopes=HISTORY_SCOPES)
def replies(ctx: Context) -> dict:
    """The thread's parent first, then its replies oldest first; cursor pages go newer."""
    channel = history_channel_arg(ctx)
    limit = ctx.args.limit(100, selectors.HISTORY_MAX_LIMIT)
    root = _thread_root(channel, ctx.args.str("ts"))
    cursor = ctx.args.cursor()
    after = None
    if cursor:
        try:
            after = int(cursor[0])
        except ValueError:
            raise SlackError("invalid_cursor") from None
    rows, more = selectors.thread_page(root=root, after=after, limit=limit, reader=ctx.user)
    messages = [] if after is not None else [message_to_wire(root)]
    messages += [message_to_wire(message) for message in rows]
    body = {"messages": messages, "has_more": more}
    return paged(body, encode_cursor(str(rows[-1].seq)) if more and rows else None)


def _thread_root(channel: Channel, ts: str) -> Message:
    """The parent of the thread `ts` names, as every answer reads a message (author, reactions, files).

    `ts` is the parent's, as Slack's clients send it, or one of its replies' (Slack answers those with the
    whole thread too): the parent's own ts costs one statement, a reply's one more.
    """
    try:
        found = selectors.message_get_for_wire(channel=channel, ts=ts) if ts else None
    except DomainError as error:
        if error.code != ErrorCode.MESSAGE_NOT_FOUND:
            raise
        found = None
    if found is None:
        raise SlackError("thread_not_found")
    if found.thread_root is None:  # loaded with the reply: no statement
        return found
    return selectors.message_get_for_wire(channel=channel, ts=found.thread_root.ts)


@method("conversations.create", write=True, scopes=("channels:manage", "groups:write"))
def create(ctx: Context) -> dict:
    channel = services.channel_create(
        actor=ctx.user,
        workspace=ctx.workspace,
        name=ctx.args.str("name"),
        is_private=ctx.args.bool("is_private"),
    )
    return {"channel": conversation(channel, is_member=True)}


@method("conversations.join", write=True, scopes=("channels:join",))
def join(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    was_member = ChannelMember.objects.filter(channel=channel, user=ctx.user).exists()
    services.channel_join(actor=ctx.user, channel=channel)
    body: dict = {"channel": conversation(channel, is_member=True)}
    if was_member:
        body["warning"] = "already_in_channel"
    return body


@method("conversations.leave", write=True, scopes=MANAGE_SCOPES)
def leave(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    services.channel_leave(actor=ctx.user, channel=channel)
    return {}


@method("conversations.invite", write=True, scopes=MANAGE_SCOPES)
def invite(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    ids = ctx.args.list("users")
    if not ids:
        raise SlackError("no_user")
    users = [user_by_id(ctx, public_id) for public_id in ids]
    access_channel_member(ctx.user, channel)
    already = ChannelMember.objects.filter(channel=channel, user__in=users).count()
    if already == len({user.pk for user in users}):
        raise SlackError("already_in_channel")
    services.channel_invite(actor=ctx.user, channel=channel, users=users)
    channel.refresh_from_db()
    return {"channel": conversation(channel, user=ctx.user)}


@method("conversations.kick", write=True, scopes=MANAGE_SCOPES)
def kick(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    user = user_by_id(ctx, ctx.args.str("user", required=True))
    services.channel_kick(actor=ctx.user, channel=channel, user=user)
    return {}


@method("conversations.members", scopes=READ_SCOPES)
def members(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    limit = ctx.args.limit(100, MEMBERS_MAX_LIMIT)
    cursor = ctx.args.cursor()
    rows = selectors.channel_members_page(channel=channel, after=cursor[0] if cursor else None, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    body = {"members": [member.user.public_id for member in rows]}
    return paged(body, encode_cursor(rows[-1].user.public_id) if more and rows else None)


@method("conversations.archive", write=True, scopes=MANAGE_SCOPES)
def archive(ctx: Context) -> dict:
    services.channel_archive(actor=ctx.user, channel=channel_arg(ctx))
    return {}


@method("conversations.unarchive", write=True, scopes=MANAGE_SCOPES)
def unarchive(ctx: Context) -> dict:
    services.channel_unarchive(actor=ctx.user, channel=channel_arg(ctx))
    return {}


@method("conversations.rename", write=True, scopes=MANAGE_SCOPES)
def rename(ctx: Context) -> dict:
    channel = services.channel_rename(actor=ctx.user, channel=channel_arg(ctx), name=ctx.args.str("name"))
    return {"channel": conversation(channel, user=ctx.user)}


@method("conversations.setTopic", write=True, scopes=MANAGE_SCOPES)
def set_topic(ctx: Context) -> dict:
    channel = services.channel_set_topic(actor=ctx.user, channel=channel_arg(ctx), topic=ctx.args.str("topic"))
    return {"channel": conversation(channel, user=ctx.user), "topic": channel.topic}


@method("conversations.setPurpose", write=True, scopes=MANAGE_SCOPES)
def set_purpose(ctx: Context) -> dict:
    channel = services.channel_set_purpose(actor=ctx.user, channel=channel_arg(ctx), purpose=ctx.args.str("purpose"))
    return {"channel": conversation(channel, user=ctx.user), "purpose": channel.purpose}


@method("conversations.open", write=True, scopes=MANAGE_SCOPES)
def open_(ctx: Context) -> dict:
    """Open (or find) a DM or group DM with `users`, or return an existing `channel`."""
    if "channel" in ctx.args:
        channel = channel_arg(ctx)
        created = False
    else:
        ids = ctx.args.list("users")
        if not ids:
            raise SlackError("users_list_not_supplied")
        users = [user_by_id(ctx, public_id) for public_id in ids if public_id != ctx.user.public_id]
        channel, created = services.dm_open(actor=ctx.user, workspace=ctx.workspace, users=users)
    body: dict = {
        "channel": conversation(channel, user=ctx.user) if ctx.args.bool("return_im") else {"id": channel.public_id}
    }
    if not created:
        body["no_op"] = True
        body["already_open"] = True
    return body


@method("conversations.mark", write=True, scopes=MANAGE_SCOPES)
def mark(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    message = message_arg(ctx, channel)
    services.channel_mark_read(actor=ctx.user, channel=channel, seq=message.seq)
    return {}
