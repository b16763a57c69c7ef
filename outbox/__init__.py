"""The transactional outbox: work a change causes, written as a row in the change's own transaction.

A service that must cause work elsewhere (notify the people a message concerns, mail an invitation,
preview a message's links) calls `outbox.services.job_enqueue` inside its transaction. The row commits
with the change or not at all; after the commit the same process hands it to Celery at once (the fast
path), and the relay (`manage.py outbox_relay`) hands over whatever the fast path could not: the broker
was down, flushed or replaced, or the job is due later. A worker runs the job's handler and marks the
row done; a row whose job never finished is handed over again after its lease. Handlers are idempotent,
and the row itself keys them, so a job sent twice runs once in effect.
"""
