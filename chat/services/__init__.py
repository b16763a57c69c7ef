"""The one write path for chat data. Every surface calls these functions and nothing else writes.

Each service takes the acting user (None for the trusted operator at the command line),
checks permissions through chat.permissions, validates its input, writes in one
transaction and publishes its real-time events after commit through chat.events.
Failures raise slackclone.errors.DomainError with a stable code, having written nothing.
"""

from chat.services.channel_prefs import channel_prefs_update
from chat.services.channels import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_join,
    channel_kick,
    channel_leave,
    channel_rename,
    channel_set_purpose,
    channel_set_topic,
    channel_unarchive,
    channel_update,
)
from chat.services.dms import dm_open
from chat.services.emoji import emoji_add, emoji_alias, emoji_remove
from chat.services.ephemeral import ephemeral_post, ephemeral_withdraw
from chat.services.files import file_upload
from chat.services.forward import message_forward
from chat.services.messages import message_delete, message_edit, message_post
from chat.services.reactions import pin_add, pin_remove, reaction_add, reaction_remove
from chat.services.read_receipts import user_set_send_read_receipts
from chat.services.read_state import channel_mark_read
from chat.services.sidebar import (
    sidebar_channel_move,
    sidebar_section_create,
    sidebar_section_delete,
    sidebar_section_update,
    sidebar_set_show_unreads,
)
from chat.services.threads import thread_follow, thread_mark_read, thread_preferences_set, thread_unfollow

__all__ = [
    "channel_archive",
    "channel_create",
    "channel_invite",
    "channel_join",
    "channel_kick",
    "channel_leave",
    "channel_mark_read",
    "channel_prefs_update",
    "channel_rename",
    "channel_set_purpose",
    "channel_set_topic",
    "channel_unarchive",
    "channel_update",
    "dm_open",
    "emoji_add",
    "emoji_alias",
    "emoji_remove",
    "ephemeral_post",
    "ephemeral_withdraw",
    "file_upload",
    "message_delete",
    "message_edit",
    "message_forward",
    "message_post",
    "pin_add",
    "pin_remove",
    "reaction_add",
    "reaction_remove",
    "sidebar_channel_move",
    "sidebar_section_create",
    "sidebar_section_delete",
    "sidebar_section_update",
    "sidebar_set_show_unreads",
    "thread_follow",
    "thread_mark_read",
    "thread_preferences_set",
    "thread_unfollow",
    "user_set_send_read_receipts",
]
