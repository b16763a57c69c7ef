"""What chat announces to the apps above it, which chat itself must not import.

Each is sent by a chat service inside its transaction, after the change is written:

- `message_posted(message, mentions, unfurl_links, unfurl_media)`: once per new message (never for a retried
  client_msg_id), with the mentions it stored and whether its links may be unfurled (with images).
- `message_edited(message, previous_text)`: its author changed its text.
- `message_deleted(message, previous_text)`: it became a tombstone.
- `reaction_changed(message, user, emoji, added)`.
- `member_joined(channel, user, inviter)` and `member_left(channel, user)`.
- `channel_created(channel)`: a named channel (not a DM).
- `emoji_changed(workspace, event)`: a custom emoji was added or removed; `event` is the emoji_changed
  event every client is sent (chat.events), Slack's shape.

And one question chat asks after a commit, whose receivers answer:

- `links_claimed(workspace, urls)`: which of these links an app will unfurl itself (slack_apps.unfurl answers
  for apps with unfurl_domains); the server's previews leave them alone.

Receivers either queue work for after the commit (notifications.enqueue) or write their own rows in
the same transaction (slack_apps.outbox: a change and the deliveries it causes commit together).
"""

from django.dispatch import Signal

message_posted = Signal()
message_edited = Signal()
message_deleted = Signal()
reaction_changed = Signal()
member_joined = Signal()
member_left = Signal()
channel_created = Signal()
emoji_changed = Signal()
links_claimed = Signal()
