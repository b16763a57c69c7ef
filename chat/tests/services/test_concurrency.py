"""Races on the real PostgreSQL: seq allocation, DM creation and client_msg_id retries.

Each thread has its own database connection (Django's are per thread), loads its own
copies of the rows it uses, as separate requests would, and closes its connection at the end.
These tests commit for real, so their events go to the real channel layer too.
"""

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import User
from chat.models import Channel, ChannelMember, Message
from chat.services import (
    channel_create,
    channel_invite,
    dm_open,
    message_edit,
    message_post,
    reaction_add,
    reaction_remove,
)
from slackclone.testing.factories import add_member, workspace_with_owner
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50  # posters at once in one channel, as in bench/fanout's busy channel
POSTS_PER_THREAD = 12


def _run_in_threads(count: int, work: Callable[[int], object]) -> list:
    """Start `count` threads at the same moment; return what each returned, failing on any error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,), name=f"racer-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [thread.name for thread in threads if thread.is_alive()], "a thread did not finish"
    assert errors == [], errors
    return results


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, micros = ts.split(".")
    return int(seconds), int(micros)


def test_fifty_threads_posting_at_once_get_seqs_without_gaps_and_ts_growing_with_seq():
    workspace = workspace_with_owner()
    authors = [add_member(workspace) for _ in range(THREADS)]
    channel = channel_create(actor=authors[0], workspace=workspace, name="busy")
    channel_invite(actor=authors[0], channel=channel, users=authors[1:])

    def post_many(index: int) -> list[int]:
        author = User.objects.get(pk=authors[index].pk)
        seqs = []
        for n in range(POSTS_PER_THREAD):
            own_channel = Channel.objects.select_related("workspace").get(pk=channel.pk)
            seqs.append(message_post(sender=author, channel=own_channel, text=f"{index}:{n}").seq)
        return seqs

    per_thread = _run_in_threads(THREADS, post_many)

    total = THREADS * POSTS_PER_THREAD
    rows = list(Message.objects.filter(channel=channel).order_by("seq").values_list("seq", "ts", "text"))
    assert [seq for seq, _, _ in rows] == list(range(1, total + 1))
    ts_keys = [_ts_key(ts) for _, ts, _ in rows]
    assert all(earlier < later for earlier, later in itertools.pairwise(ts_keys))
    assert len({text for _, _, text in rows}) == total
    for seqs in per_thread:
        assert seqs == sorted(seqs)
        assert len(seqs) == POSTS_PER_THREAD
    channel.refresh_from_db()
    assert (channel.last_seq, channel.last_ts) == (total, rows[-1][1])


def test_fifty_threads_racing_in_pairs_with_the_same_client_msg_ids_store_each_message_once():
    workspace = workspace_with_owner()
    authors = [add_member(workspace) for _ in range(THREADS // 2)]
    channel = channel_create(actor=authors[0], workspace=workspace, name="retries")
    channel_invite(actor=authors[0], channel=channel, users=authors[1:])

    def post_with_retries(index: int) -> list[tuple[int, int]]:
        # Threads 2k and 2k+1 are the same author sending the same client_msg_ids, as a client and its retry.
        author = User.objects.get(pk=authors[index // 2].pk)
        posted = []
        for n in range(POSTS_PER_THREAD):
            own_channel = Channel.objects.select_related("workspace").get(pk=channel.pk)
            message = message_post(
                sender=author, channel=own_channel, text=f"{index // 2}:{n}", client_msg_id=f"{author.pk}-{n}"
            )
            posted.append((message.pk, message.seq))
        return posted

    per_thread = _run_in_threads(THREADS, post_with_retries)

    total = THREADS // 2 * POSTS_PER_THREAD
    rows = list(Message.objects.filter(channel=channel).order_by("seq").values_list("seq", "ts", "client_msg_id"))
    assert [seq for seq, _, _ in rows] == list(range(1, total + 1))
    assert len({client_msg_id for _, _, client_msg_id in rows}) == total
    ts_keys = [_ts_key(ts) for _, ts, _ in rows]
    assert all(earlier < later for earlier, later in itertools.pairwise(ts_keys))
    for first, retry in zip(per_thread[::2], per_thread[1::2], strict=True):
        assert first == retry  # the retry got the first message, whichever of the two inserted it
        assert [seq for _, seq in first] == sorted(seq for _, seq in first)
    channel.refresh_from_db()
    assert (channel.last_seq, channel.last_ts) == (total, rows[-1][1])


def test_posts_reactions_and_edits_racing_in_one_channel_all_land_in_order():
    """A post inserts its message (which locks the channel row for key share) before it numbers it; a reaction or
    an edit locks the row first. Racing, neither waits on the other in a cycle: no deadlock, and every change is
    stamped with the seq of the last post before it."""
    workspace = workspace_with_owner()
    people = [add_member(workspace) for _ in range(20)]
    channel = channel_create(actor=people[0], workspace=workspace, name="mixed")
    channel_invite(actor=people[0], channel=channel, users=people[1:])
    targets = [message_post(sender=person, channel=channel, text="react to me") for person in people[:10]]

    def post_react_or_edit(index: int) -> None:
        person = User.objects.get(pk=people[index].pk)
        for n in range(POSTS_PER_THREAD):
            own_channel = Channel.objects.select_related("workspace").get(pk=channel.pk)
            if index % 2 == 0:
                message_post(sender=person, channel=own_channel, text=f"{index}:{n}")
                continue
            target = Message.objects.select_related("channel__workspace").get(pk=targets[index // 2].pk)
            if n % 3 == 0 and target.author_id == person.pk:
                message_edit(actor=person, message=target, text=f"edited {n}")
            elif n % 2 == 0:
                reaction_add(actor=person, message=target, emoji="eyes")
            else:
                reaction_remove(actor=person, message=target, emoji="eyes")

    _run_in_threads(len(people), post_react_or_edit)

    posted = 10 + 10 * POSTS_PER_THREAD
    seqs = list(Message.objects.filter(channel=channel).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, posted + 1))
    channel.refresh_from_db()
    assert channel.last_seq == posted
    assert all(
        0 < stamp <= posted
        for stamp in Message.objects.filter(pk__in=[t.pk for t in targets]).values_list("changed_at_seq", flat=True)
    )


def test_opening_the_same_dm_from_several_threads_makes_one_channel():
    workspace = workspace_with_owner()
    ann, bob = add_member(workspace), add_member(workspace)

    def open_dm(index: int) -> int:
        actor, other = (ann, bob) if index % 2 else (bob, ann)
        own_workspace = Workspace.objects.get(pk=workspace.pk)
        channel, _ = dm_open(actor=User.objects.get(pk=actor.pk), workspace=own_workspace, users=[other])
        return channel.pk

    channel_ids = _run_in_threads(6, open_dm)

    assert len(set(channel_ids)) == 1
    dms = Channel.objects.filter(workspace=workspace, dm_key__isnull=False)
    assert dms.count() == 1
    assert set(ChannelMember.objects.filter(channel=dms.get()).values_list("user_id", flat=True)) == {ann.pk, bob.pk}


def test_concurrent_retries_with_the_same_client_msg_id_store_one_message():
    workspace = workspace_with_owner()
    author = add_member(workspace)
    general = Channel.objects.get(workspace=workspace, is_general=True)

    def post_retry(index: int) -> int:
        own_channel = Channel.objects.select_related("workspace").get(pk=general.pk)
        message = message_post(
            sender=User.objects.get(pk=author.pk), channel=own_channel, text="once", client_msg_id="retry-1"
        )
        return message.pk

    message_ids = _run_in_threads(6, post_retry)

    assert len(set(message_ids)) == 1
    assert list(Message.objects.filter(channel=general).values_list("seq", "client_msg_id")) == [(1, "retry-1")]
    general.refresh_from_db()
    assert general.last_seq == 1  # the losers' seqs were rolled back: no gap
