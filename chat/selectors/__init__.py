"""Reads of chat data, each already limited to what the reader may see.

Writes live in chat.services; these functions never change anything. The package is split
by area; every name is importable from `chat.selectors` directly.
"""

from chat.selectors.channels import (
    channel_get,
    channel_get_by_name,
    channel_get_with_member,
    channel_has_more_members_than,
    channel_members_page,
    public_channels,
    public_channels_page,
    readable_channels,
    user_channel_memberships,
    visible_channel_ids,
)
from chat.selectors.emoji import custom_emoji, emoji_image_get
from chat.selectors.files import file_get
from chat.selectors.messages import (
    HISTORY_MAX_LIMIT,
    HistoryPage,
    channel_pins,
    history,
    history_page,
    message_for_worker,
    message_get,
    message_get_for_wire,
    message_sort_key,
    messages_for_wire,
    readable_messages,
    thread_page,
    thread_replies,
)
from chat.selectors.people import visible_people_ids
from chat.selectors.read_receipts import RECEIPTS_MAX_MEMBERS, ReadReceipts, read_receipts
from chat.selectors.replay import ChannelMissed, ReplayRange, missed_in_channels
from chat.selectors.sidebar import sidebar_layout
from chat.selectors.threads import (
    FollowedThread,
    followed_threads,
    thread_follow_get,
    thread_position,
    thread_preferences,
    unread_threads_count,
)
from chat.selectors.unread import mentions_inbox, unread_count_for_member, unread_counts

__all__ = [
    "HISTORY_MAX_LIMIT",
    "RECEIPTS_MAX_MEMBERS",
    "ChannelMissed",
    "FollowedThread",
    "HistoryPage",
    "ReadReceipts",
    "ReplayRange",
    "channel_get",
    "channel_get_by_name",
    "channel_get_with_member",
    "channel_has_more_members_than",
    "channel_members_page",
    "channel_pins",
    "custom_emoji",
    "emoji_image_get",
    "file_get",
    "followed_threads",
    "history",
    "history_page",
    "mentions_inbox",
    "message_for_worker",
    "message_get",
    "message_get_for_wire",
    "message_sort_key",
    "messages_for_wire",
    "missed_in_channels",
    "public_channels",
    "public_channels_page",
    "read_receipts",
    "readable_channels",
    "readable_messages",
    "sidebar_layout",
    "thread_follow_get",
    "thread_page",
    "thread_position",
    "thread_preferences",
    "thread_replies",
    "unread_count_for_member",
    "unread_counts",
    "unread_threads_count",
    "user_channel_memberships",
    "visible_channel_ids",
    "visible_people_ids",
]
