"""Work that happens after a message commits, or at a time of day: off the request path, in Celery.

models.py     Notification (the inbox), MissedMessageEmail (email batches), ScheduledMessage,
              Reminder, RetentionRun (the audit log of what retention removed)
rules.py      who is notified of a message, and why (notify level, mute, DND, mentions, threads)
presence.py   which recipients are online, read from the real-time gateway's Redis store
services/     the writes: notify, email, scheduled messages, reminders, retention
selectors.py  the reads: the inbox and its unread count, scheduled messages, reminders
tasks.py      thin Celery adapters over the services (queues and schedule in slackclone/celery.py)
enqueue.py    the one call chat.services.message_post makes: queue the notification task on commit
api/          REST endpoints under /api/v1/
views.py      the one-click unsubscribe page linked from every email
"""
