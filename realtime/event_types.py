"""Every real-time event a client can receive, declared once.

The socket, resume's replay and the Slack RTM path send exactly these shapes; each is built by one
function (chat.events, workspaces.events, accounts.events, notifications.events, realtime.presence,
realtime.connection) and annotated with its type here, so the type checker holds each builder to its
declaration. The test suite validates every event it sends against these declarations
(realtime.event_check), and docs/protocol.md's field list is generated from them (`python -m
realtime.event_check --markdown`).

Shapes follow Slack's RTM events; our additions are `seq` (a channel's position) and `workspace`.
This module imports no app: the shapes are the protocol, and every app builds to them. It does not
use postponed annotations: TypedDict reads NotRequired only from evaluated ones (Python 3.11).
"""

from typing import Literal, NotRequired, TypedDict

# --- Shapes inside events -------------------------------------------------------------


class TextValue(TypedDict):
    value: str


class ChannelWire(TypedDict):
    """A channel, as channel_created, channel_joined, im_created and the APIs show it."""

    id: str
    name: str
    is_channel: bool
    is_group: bool
    is_im: bool
    is_mpim: bool
    is_private: bool
    is_archived: bool
    is_general: bool
    created: int
    creator: str
    topic: TextValue
    purpose: TextValue
    last_seq: int


class UserProfileWire(TypedDict):
    display_name: str
    real_name: str
    title: str
    status_emoji: str
    status_text: str
    status_expiration: int
    image_72: str
    email: NotRequired[str]  # only where the reader may see addresses: never in workspace-wide events


class UserWire(TypedDict):
    id: str
    name: str
    real_name: str
    is_bot: bool
    deleted: bool
    tz: str
    profile: UserProfileWire


class FileWire(TypedDict):
    id: str
    name: str
    mimetype: str
    size: int
    is_image: bool
    created: int
    url_private: str
    thumb_url: str | None


class ReactionWire(TypedDict):
    name: str
    users: list[str]
    count: int


class EditedWire(TypedDict):
    user: str
    ts: str


class BotIconsWire(TypedDict):
    image_36: str
    image_48: str
    image_72: str


class BotProfileWire(TypedDict):
    id: str
    name: str
    deleted: bool
    icons: BotIconsWire


class MessageIconsWire(TypedDict):
    """A bot message's own icon (chat.postMessage's icon_emoji or icon_url): one of the two forms."""

    emoji: NotRequired[str]
    image_48: NotRequired[str]
    image_72: NotRequired[str]


MessageSubtype = Literal["thread_broadcast", "bot_message", "tombstone"]


class _MessageBody(TypedDict):
    type: Literal["message"]
    channel: str
    user: str
    text: str
    ts: str
    thread_ts: NotRequired[str]
    parent_user_id: NotRequired[str]
    subtype: NotRequired[MessageSubtype]
    reply_count: NotRequired[int]
    latest_reply: NotRequired[str]
    client_msg_id: NotRequired[str]
    bot_id: NotRequired[str]
    bot_profile: NotRequired[BotProfileWire]
    username: NotRequired[str]
    icons: NotRequired[MessageIconsWire]
    edited: NotRequired[EditedWire]
    deleted: NotRequired[Literal[True]]
    files: NotRequired[list[FileWire]]
    reactions: NotRequired[list[ReactionWire]]
    blocks: NotRequired[list[object]]  # Slack's Block Kit blocks, as the app sent them
    attachments: NotRequired[list[object]]  # Slack's legacy attachments


class MessageWire(_MessageBody):
    """A message as the socket, the Web API and the REST API show it (chat.wire.message_to_wire)."""

    seq: int


class EphemeralMessageWire(_MessageBody):
    """A message for one person's eyes only: never stored, so it has no seq."""

    is_ephemeral: Literal[True]


# --- Events ---------------------------------------------------------------------------


class HelloEvent(TypedDict):
    type: Literal["hello"]


class MessageEvent(MessageWire):
    """A new message (`message`, with no subtype or a subtype of MessageSubtype)."""


class MessageChangedEvent(TypedDict):
    type: Literal["message"]
    subtype: Literal["message_changed"]
    hidden: Literal[True]
    channel: str
    ts: str
    seq: int
    message: MessageWire


class MessageDeletedEvent(TypedDict):
    type: Literal["message"]
    subtype: Literal["message_deleted"]
    hidden: Literal[True]
    channel: str
    ts: str
    deleted_ts: str
    seq: int
    message_seq: int
    thread_ts: NotRequired[str]


class ReactionItem(TypedDict):
    type: Literal["message"]
    channel: str
    ts: str


class ReactionEvent(TypedDict):
    type: Literal["reaction_added", "reaction_removed"]
    user: str
    reaction: str
    item_user: str
    item: ReactionItem
    channel: str
    seq: int


class PinItem(TypedDict):
    type: Literal["message"]
    channel: str
    message: MessageWire


class PinEvent(TypedDict):
    type: Literal["pin_added", "pin_removed"]
    user: str | None
    channel_id: str
    channel: str
    item: PinItem
    seq: int


class UserTypingEvent(TypedDict):
    type: Literal["user_typing"]
    channel: str
    user: str
    seq: int


PresenceState = Literal["active", "away"]


class PresenceChangeEvent(TypedDict):
    """One person (`user`) or, batched as Slack does, several (`users`)."""

    type: Literal["presence_change"]
    presence: PresenceState
    user: NotRequired[str]
    users: NotRequired[list[str]]


class ChannelEvent(TypedDict):
    """channel_created, channel_joined and im_created: the whole channel."""

    type: Literal["channel_created", "channel_joined", "im_created"]
    channel: ChannelWire


class RenamedChannel(TypedDict):
    id: str
    name: str
    created: int


class ChannelRenameEvent(TypedDict):
    type: Literal["channel_rename"]
    channel: RenamedChannel
    seq: int


class ChannelArchiveEvent(TypedDict):
    type: Literal["channel_archive", "channel_unarchive"]
    channel: str
    user: str | None
    seq: int


class ChannelTopicEvent(TypedDict):
    type: Literal["channel_topic"]
    channel: str
    user: str | None
    topic: str
    seq: int


class ChannelPurposeEvent(TypedDict):
    type: Literal["channel_purpose"]
    channel: str
    user: str | None
    purpose: str
    seq: int


class ChannelLeftEvent(TypedDict):
    """Slack's shape: the id of the channel the user left, not the channel."""

    type: Literal["channel_left"]
    channel: str


class MemberChannelEvent(TypedDict):
    type: Literal["member_joined_channel", "member_left_channel"]
    user: str
    channel: str
    channel_type: Literal["C", "G", "D"]
    team: str
    seq: int
    inviter: NotRequired[str]  # member_joined_channel, when someone else added them


class ChannelMarkedEvent(TypedDict):
    type: Literal["channel_marked"]
    channel: str
    seq: int
    ts: str
    unread_count_display: int


class ReadReceiptsChangedEvent(TypedDict):
    """Who has seen the last message of a small DM (`seq`: that message's, 0 for none), where the workspace
    shows read receipts; the list leaves out the message's author, and each client leaves out its own person."""

    type: Literal["read_receipts_changed"]
    channel: str
    seq: int
    seen_by: list[str]


class TeamPrefChangeEvent(TypedDict):
    """A workspace setting that clients act on changed (Slack's team_pref_change): `read_receipts`."""

    type: Literal["team_pref_change"]
    name: Literal["read_receipts"]
    value: bool


NotifyLevelName = Literal["all", "mentions", "nothing"]


class ChannelPrefsChangedEvent(TypedDict):
    type: Literal["channel_prefs_changed"]
    channel: str
    muted: bool
    notify_level: NotifyLevelName


class UserEvent(TypedDict):
    """team_join and user_change: the person, without an address."""

    type: Literal["team_join", "user_change"]
    user: UserWire


class UsergroupPrefsWire(TypedDict):
    channels: list[str]
    groups: list[str]


class UsergroupWire(TypedDict):
    """A user group (Slack's subteam), as usergroups.list and the subteam events show it."""

    id: str
    team_id: str
    is_usergroup: bool
    is_subteam: bool
    name: str
    description: str
    handle: str
    is_external: bool
    date_create: int
    date_update: int
    date_delete: int
    auto_type: None
    created_by: str | None
    updated_by: str | None
    deleted_by: str | None
    prefs: UsergroupPrefsWire
    user_count: int
    users: NotRequired[list[str]]  # its active members' ids, where the reader asked for them


class SubteamEvent(TypedDict):
    """subteam_created, and subteam_updated (a change of name, handle, description, channels, or
    disabling: date_delete set, and enabling: date_delete 0)."""

    type: Literal["subteam_created", "subteam_updated"]
    subteam: UsergroupWire


class SubteamMembersChangedEvent(TypedDict):
    type: Literal["subteam_members_changed"]
    subteam_id: str
    team_id: str
    date_previous_update: int
    date_update: int
    added_users: list[str]
    added_users_count: int
    removed_users: list[str]
    removed_users_count: int


NotificationReasonName = Literal["mention", "dm", "broadcast", "thread", "channel"]


class NotificationEvent(TypedDict):
    type: Literal["notification"]
    reason: NotificationReasonName
    workspace: str
    channel: str
    ts: str
    seq: int
    user: str
    text: str
    alert: bool
    thread_ts: NotRequired[str]


class EphemeralMessageEvent(TypedDict):
    type: Literal["ephemeral_message"]
    workspace: str
    channel: str
    message: EphemeralMessageWire


class ViewWire(TypedDict):
    """An app's modal or Home tab, in Slack's shape (slack_apps.view_wire): title, submit and close are
    plain_text objects or null; state is {"values": …}."""

    id: str
    team_id: str
    type: Literal["modal", "home"]
    blocks: list[object]
    private_metadata: str
    callback_id: str
    state: object
    hash: str
    title: object
    clear_on_close: bool
    notify_on_close: bool
    close: object
    submit: object
    submit_disabled: bool
    previous_view_id: str | None
    root_view_id: str
    app_id: str
    external_id: str
    app_installed_team_id: str
    bot_id: str


class ViewEvent(TypedDict):
    """A modal for this person: opened (the only one in its stack), pushed on top, or updated in place."""

    type: Literal["view_opened", "view_pushed", "view_updated"]
    workspace: str
    view: ViewWire


class ViewsClearedEvent(TypedDict):
    """The modal stack of `root_view_id` is closed (submitted, cleared, or closed in another tab)."""

    type: Literal["views_cleared"]
    workspace: str
    root_view_id: str


class AppHomeUpdatedEvent(TypedDict):
    """An app published this person's Home tab (views.publish)."""

    type: Literal["app_home_updated"]
    workspace: str
    app_id: str
    view: ViewWire


class SavedItemChangedEvent(TypedDict):
    """A message I saved for later, marked done (or not), or removed (`saved` false): to my own sockets."""

    type: Literal["saved_item_changed"]
    workspace: str
    channel: str
    ts: str
    saved: bool
    done: bool


class SidebarSectionWire(TypedDict):
    """One section of a person's sidebar. `id` is `L…` for their own sections ("standard"), and the
    type itself for the two default ones; `channel_ids` are the channels placed there, in their order."""

    id: str
    type: Literal["standard", "channels", "direct_messages"]
    name: str
    collapsed: bool
    sort: Literal["manual", "activity", "name"]
    channel_ids: list[str]


class SidebarWire(TypedDict):
    """A person's sidebar in one workspace: whether Unreads shows at the top, the sections in order, and
    `revision`, which grows by one with every change to the layout (0 before the first), so a client
    keeps the newest layout it has heard whatever order events and answers arrive in."""

    show_unreads: bool
    sections: list[SidebarSectionWire]
    revision: int


class SidebarChangedEvent(TypedDict):
    """The person changed their sidebar on another client: the whole layout as it is now, to their own sockets."""

    type: Literal["sidebar_changed"]
    workspace: str
    sidebar: SidebarWire


class ThreadStateChangedEvent(TypedDict):
    """A thread I follow (or followed) changed for me: followed or unfollowed, read, or a new reply came.
    To my own sockets; `unread_count` is the live replies by others after my read marker
    (chat.services.threads)."""

    type: Literal["thread_state_changed"]
    workspace: str
    channel: str
    thread_ts: str
    following: bool
    unread_count: int
    reply_count: int
    latest_reply: str
    last_read: str


class EmojiChangedEvent(TypedDict):
    """A workspace's custom emoji changed. `add`: one emoji, `name` and `value` (its image's URL, or
    `alias:<name>`); `remove`: `names`, the emoji and its aliases, gone with it."""

    type: Literal["emoji_changed"]
    subtype: Literal["add", "remove"]
    name: NotRequired[str]
    value: NotRequired[str]
    names: NotRequired[list[str]]
    event_ts: str


class PongEvent(TypedDict):
    """The answer to a ping: `id` and `time` echo the client's (time is whatever JSON it sent)."""

    type: Literal["pong"]
    reply_to: int | str | None
    id: NotRequired[int | str]
    time: NotRequired[object]


GoodbyeReason = Literal["server_shutdown", "layer_reconnected"]


class GoodbyeEvent(TypedDict):
    type: Literal["goodbye"]
    reason: GoodbyeReason


# --- The closed set ---------------------------------------------------------------------

# Each event type with the declaration(s) of its shapes. `message` has three: a new message, and the
# hidden message_changed and message_deleted (told apart by subtype).
EVENT_SHAPES: dict[str, tuple[type, ...]] = {
    "hello": (HelloEvent,),
    "message": (MessageEvent, MessageChangedEvent, MessageDeletedEvent),
    "reaction_added": (ReactionEvent,),
    "reaction_removed": (ReactionEvent,),
    "pin_added": (PinEvent,),
    "pin_removed": (PinEvent,),
    "user_typing": (UserTypingEvent,),
    "presence_change": (PresenceChangeEvent,),
    "channel_created": (ChannelEvent,),
    "channel_rename": (ChannelRenameEvent,),
    "channel_archive": (ChannelArchiveEvent,),
    "channel_unarchive": (ChannelArchiveEvent,),
    "channel_topic": (ChannelTopicEvent,),
    "channel_purpose": (ChannelPurposeEvent,),
    "channel_joined": (ChannelEvent,),
    "channel_left": (ChannelLeftEvent,),
    "member_joined_channel": (MemberChannelEvent,),
    "member_left_channel": (MemberChannelEvent,),
    "channel_marked": (ChannelMarkedEvent,),
    "channel_prefs_changed": (ChannelPrefsChangedEvent,),
    "read_receipts_changed": (ReadReceiptsChangedEvent,),
    "team_pref_change": (TeamPrefChangeEvent,),
    "im_created": (ChannelEvent,),
    "team_join": (UserEvent,),
    "user_change": (UserEvent,),
    "subteam_created": (SubteamEvent,),
    "subteam_updated": (SubteamEvent,),
    "subteam_members_changed": (SubteamMembersChangedEvent,),
    "notification": (NotificationEvent,),
    "ephemeral_message": (EphemeralMessageEvent,),
    "emoji_changed": (EmojiChangedEvent,),
    "saved_item_changed": (SavedItemChangedEvent,),
    "sidebar_changed": (SidebarChangedEvent,),
    "thread_state_changed": (ThreadStateChangedEvent,),
    "view_opened": (ViewEvent,),
    "view_pushed": (ViewEvent,),
    "view_updated": (ViewEvent,),
    "views_cleared": (ViewsClearedEvent,),
    "app_home_updated": (AppHomeUpdatedEvent,),
    "pong": (PongEvent,),
    "goodbye": (GoodbyeEvent,),
}

EVENT_TYPES = frozenset(EVENT_SHAPES)

# The hidden `message` events, by subtype; any other `message` is a MessageEvent.
MESSAGE_CHANGE_SHAPES: dict[str, type] = {
    "message_changed": MessageChangedEvent,
    "message_deleted": MessageDeletedEvent,
}
