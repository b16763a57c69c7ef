"""How long a post holds its channel's row lock, measured in posting processes that call message_post directly.

Run by bench/fanout/busy.py as a script with another checkout's directory first on the path, so the
same measure runs that checkout's code (the baseline) and this one's: it uses only names both have.
Each thread is a member posting into the channel as fast as it can; the lock is held from the return of
the statement that takes it (SELECT … FOR UPDATE, or the one that numbers the message) until the
commit, which is over when the first callback queued on commit runs; the statements sent in that time
(the commit included) are counted too, a figure the machine's load does not change. Prints one JSON line.

    python bench/fanout/lock_hold.py CHANNEL_PUBLIC_ID FIRST_MEMBER THREADS START_AT SECONDS

START_AT (seconds since the epoch) lines up the processes of one run, each of which starts Django first.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # the checkout under test comes from PYTHONPATH, not this script's directory

LOCKING_STATEMENTS = ("FOR UPDATE", "WITH claimed AS (")


def post_for(channel_id: int, user_id: int, start_at: float, seconds: float, out: dict[str, list[float]]) -> None:
    """Post as `user_id` from `start_at` for `seconds`; append each post's latency and lock hold (ms)."""
    from django.db import connection, transaction

    from accounts.models import User
    from chat.models import Channel
    from chat.services import message_post

    state: dict[str, float] = {}

    def note_lock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "lock" in state:
            state["statements"] += 1
        elif any(marker in sql for marker in LOCKING_STATEMENTS):
            state["lock"] = time.perf_counter()  # the statement has returned: the lock is ours from here
            state["statements"] = 1
        return result

    def committed() -> None:
        out["holds"].append((time.perf_counter() - state["lock"]) * 1000)
        out["statements"].append(state["statements"] + 1)  # and the commit

    user = User.objects.get(pk=user_id)
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + seconds
    with connection.execute_wrapper(note_lock):
        while time.monotonic() < deadline:
            channel = Channel.objects.select_related("workspace").get(pk=channel_id)
            state.clear()
            started = time.perf_counter()
            with transaction.atomic():
                transaction.on_commit(committed)  # first in the queue: it runs as the commit returns
                message_post(sender=user, channel=channel, text=f"lock hold {user_id}")
            out["latencies"].append((time.perf_counter() - started) * 1000)
    connection.close()


def main() -> None:
    import django

    channel_public_id, first_member, threads, start_at, seconds = sys.argv[1:6]
    django.setup()
    from chat.models import Channel, ChannelMember

    channel = Channel.objects.get(public_id=channel_public_id)
    members = ChannelMember.objects.filter(channel=channel).order_by("user_id").values_list("user_id", flat=True)
    user_ids = list(members[int(first_member) : int(first_member) + int(threads)])
    out: dict[str, list[float]] = {"latencies": [], "holds": [], "statements": []}
    workers = [
        threading.Thread(target=post_for, args=(channel.pk, user_id, float(start_at), float(seconds), out))
        for user_id in user_ids
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
