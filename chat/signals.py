"""What chat announces to the apps above it, which chat itself must not import.

`message_posted` is sent by chat.services.message_post inside its transaction, once per new
message (never for a retried client_msg_id), with the `mentions` it stored. Receivers only queue
work for after the commit (notifications.enqueue.notify_after_commit); they write nothing in the
poster's transaction and cannot fail it.
"""

from django.dispatch import Signal

message_posted = Signal()
