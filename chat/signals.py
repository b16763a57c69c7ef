"""What chat announces to the apps above it, which chat itself must not import.

Each is sent by a chat service inside its transaction, after the change is written:

- `message_posted(message, mentions, unfurl_links, unfurl_media)`: once per new message (never for a retried
  client_msg_id), with the mentions it stored and whether its links may be unfurled (with images).
- `message_edited(message, previous_text, newly_mentioned)`: its author changed its text; `newly_mentioned`,
  the ids of the people it mentions by name (or by a group) that it did not before, author excepted.
- `message_deleted(message, previous_text)`: it became a tombstone.
- `reaction_changed(message, user, emoji, added)`.
- `member_joined(channel, user, inviter)` and `member_left(channel, user)`.
- `channel_created(channel)`: a named channel (not a DM).
- `emoji_changed(workspace, event)`: a custom emoji was added or removed; `event` is the emoji_changed
  event every client is sent (chat.events), Slack's shape.

And one question chat asks after a commit, whose receivers answer:

- `links_claimed(workspace, urls)`: which of these links an app will unfurl itself (slack_apps.unfurl answers
  for apps with unfurl_domains); the server's previews leave them alone.

Receivers write the work a change causes in the same transaction: outbox jobs (notifications.enqueue,
chat.unfurls) or rows of their own (slack_apps.outbox), so a change and what it causes commit together.
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
