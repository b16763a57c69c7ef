"""bench/workload: the company's shape, the schedule's rates, the loss check, and a whole quick run."""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from bench.workload.checks import check_losses, stored_posts
from bench.workload.company import Shape, channel_sizes, seed_company
from bench.workload.people import size_class
from bench.workload.schedule import Rates, actions

BASE_DIR = Path(__file__).resolve().parents[2]


def test_channel_sizes_have_two_all_hands_a_few_tenths_and_a_zipf_tail():
    sizes = channel_sizes(1000, Shape())

    assert len(sizes) == 500
    assert sizes[:2] == [1000, 1000]
    assert sizes[2:7] == [100] * 5
    assert sizes == sorted(sizes, reverse=True)
    assert 5 <= statistics.median(sizes) <= 50
    assert sum(5 <= size <= 50 for size in sizes) > 400  # most channels are small
    assert sum(sizes) == pytest.approx(15 * 1000, rel=0.01)  # about 15 channels a person


@pytest.mark.django_db
def test_a_seeded_company_puts_each_person_in_about_15_channels_and_5_dms():
    from chat.models import ChannelMember

    company = seed_company(1000, Shape(history=2), seed=3)

    per_person = Counter(p for c in company.conversations if c.kind != "dm" for p in c.members)
    dms = Counter(p for c in company.conversations if c.kind == "dm" for p in c.members)
    assert statistics.fmean(per_person.values()) == pytest.approx(15, rel=0.05)
    assert statistics.fmean(dms[p] for p in range(1000)) == pytest.approx(5, rel=0.05)
    rows = ChannelMember.objects.filter(channel__workspace_id=company.workspace_pk).count()
    assert rows == sum(len(c.members) for c in company.conversations)
    assert all(c.last_seq == 2 for c in company.conversations if c.kind != "dm")


@pytest.mark.django_db
def test_a_seeded_company_is_planned_for_with_statistics_as_autovacuum_would_leave_them():
    from django.db import connection

    tables = ["chat_channelmember", "chat_message", "accounts_apitoken", "workspaces_membership"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        before = cursor.fetchone()[0]

        seed_company(60, Shape(channels=10, history=3), seed=4)

        cursor.execute("SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY(%s)", [tables])
        analysed = dict(cursor.fetchall())
    assert all(analysed.get(table) and analysed[table] >= before for table in tables), analysed


def test_deliveries_are_summed_apart_for_small_large_and_all_hands_conversations():
    assert [size_class(members, 1000) for members in (2, 50, 51, 500, 501, 1000)] == [
        "up to 50",
        "up to 50",
        "51 to half",
        "51 to half",
        "over half",
        "over half",
    ]
    assert size_class(30, 40) == "up to 50"  # a small company's all-hands is a small conversation


def test_the_schedule_draws_each_action_at_its_rate_per_person_per_minute():
    rates = Rates()
    drawn = list(actions(rates, 1000, 600.0, random.Random(5)))

    counts = Counter(action.kind for action in drawn)
    for kind, per_minute in rates.per_minute().items():
        expected = per_minute * 1000 * 10  # 1000 people for 10 minutes
        assert counts[kind] == pytest.approx(expected, rel=0.1 if expected < 1000 else 0.05), kind
    assert [a.at for a in drawn] == sorted(a.at for a in drawn)
    assert len({a.person for a in drawn}) > 990  # everyone acts
    assert drawn[:50] == list(actions(rates, 1000, 600.0, random.Random(5)))[:50]  # the seed fixes the day


class _Immediately:
    """A loop whose call_later calls at once: the typing lead is not what this test is about."""

    def call_later(self, _delay, callback, *args):
        callback(*args)


def _posts_made(people, post_actions, *, slow: bool) -> list[tuple[str, str, bool]]:
    """(channel path, mention and words, with a file) of each post the people make for these actions.

    `slow`: between actions the server has acknowledged nothing (no message to reply to) and a socket
    dropped (its reconnect delay drawn), as when the server falls behind."""
    made: list[tuple[str, str, bool]] = []

    async def record(family, method, path, person, due, body=None, *, raw=b"", content_type=""):
        text = body["text"] if body else "wl~" + raw.decode().split("wl~", 1)[1].split("\r\n", 1)[0]
        made.append((path, text.split("~", 3)[3], family == "files"))

    people._call = record
    for action in post_actions:
        people._act(action, 0.0, _Immediately())
        if slow:
            people.rng.random()
            people.recent = [type(recent)(maxlen=recent.maxlen) for recent in people.recent]
    while not people.http_queue.empty():
        asyncio.run(people.http_queue.get_nowait()())
    return made


@pytest.mark.django_db
def test_what_people_post_does_not_depend_on_the_servers_pace():
    """Two runs of a seed compare like for like only if they post the same: a server falling behind
    (fewer messages acknowledged, sockets dropping) must not change any post's conversation or words."""
    from bench.workload.people import People

    company = seed_company(40, Shape(channels=8, history=2, dms_per_person=1), seed=3)
    rates = Rates(file_share=0.3, mention_share=0.3, reply_share=0.5)
    posts = [action for action in actions(rates, 40, 600.0, random.Random(11)) if action.kind == "post"][:40]

    def people() -> People:
        return People(company, 1, rates, seed=11, http=None, weight_exponent=0.5)

    steady = _posts_made(people(), posts, slow=False)
    assert len(steady) == 40
    assert any(file for *_, file in steady)
    assert any("<@" in text for _, text, _ in steady)
    assert _posts_made(people(), posts, slow=True) == steady


@pytest.mark.django_db
def test_the_loss_check_finds_a_delivery_that_never_arrived():
    from chat.models import Channel
    from chat.services.bulk import BulkMessage, messages_bulk_insert

    company = seed_company(12, Shape(channels=3, history=0, dms_per_person=0), seed=1)
    everyone = company.conversations[0]
    channel = Channel.objects.get(pk=everyone.pk)
    messages_bulk_insert(
        channel=channel,
        rows=[BulkMessage(author_id=company.people_pks[0], text=f"wl~{i}~0~ hello", at_us=10**15 + i) for i in (0, 1)],
    )
    stored = stored_posts(company.workspace_pk)
    members = {c.pk: c.members for c in company.conversations}
    everything = {index << 16 | person for index in (0, 1) for person in everyone.members}
    nobody_left = bytearray(12)

    complete = check_losses(stored, members, everything, nobody_left, posted=2)
    missing = check_losses(stored, members, everything - {1 << 16 | 7}, nobody_left, posted=2)
    resumed = bytearray(12)
    resumed[7] = 1
    after_resume = check_losses(stored, members, everything - {1 << 16 | 7}, resumed, posted=3)

    assert (complete.stored, complete.expected, complete.lost) == (2, 24, 0)
    assert missing.lost == 1
    assert (after_resume.lost, after_resume.lost_after_resume, after_resume.not_stored) == (0, 1, 1)


def run_workload(*args: str, timeout: float) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bench.workload", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--host", "10.1.2.3"), ("--host", "example.com"), ("--database-url", "postgres://postgres@192.0.2.7:5432/x")],
)
def test_it_refuses_to_load_anything_but_loopback(flag, value):
    result = run_workload(flag, value, "--quick", timeout=60)

    assert result.returncode == 2
    assert "only loopback" in result.stderr


def database_exists(name: str) -> bool:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.mark.integration
def test_a_quick_run_measures_every_delivery_and_drops_its_database(tmp_path):
    name = f"workload_e2e_{secrets.token_hex(4)}"
    output = tmp_path / "workload.json"
    result = run_workload(
        *("--steps", "40", "--seconds", "8", "--channels", "20", "--post-rate", "3", "--reconnect-rate", "0.5"),
        *("--database-url", f"postgres://postgres@127.0.0.1:5432/{name}", "--output", str(output)),
        timeout=240,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    step = json.loads(output.read_text())["steps"][0]
    assert step["users"] == 40
    assert step["stored"] == step["posts"] > 0
    assert step["deliveries"] >= step["expected_deliveries"] > 0
    assert (step["lost"], step["lost_after_resume"], step["duplicated"]) == (0, 0, 0)
    assert step["http"]["history"]["n"] > 0
    by_size = step["delivery_by_size"]  # every timed delivery, in the class of its conversation's size
    assert sum(latency["n"] for latency in by_size.values()) == step["delivery"]["n"] > 0
    assert step["socket"]["mark"]["n"] > 0  # channel switches mark read on the socket, as the browser client does
    assert step["socket"]["view"]["n"] > 0  # and first say what the page shows, as the browser does
    assert not [error for error in step["errors"] if "mark" in error or "view" in error]
    assert set(step["cpu_seconds"]) >= {"asgi", "postgres", "redis", "celery", "load"}
    frames = step["frames_by_type"]  # every frame the sockets read, by type: the fan-out the server wrote
    assert frames["message"] >= step["deliveries"]
    assert frames["hello"] >= 40
    assert step["frames_received"] == sum(frames.values())
    assert not database_exists(name)


@pytest.mark.cluster
def test_a_quick_run_on_a_cluster_measures_every_component_and_stops_the_cluster(tmp_path):
    from bench.workload.cluster_layout import WORKLOAD_DIR
    from cluster.down import running

    output = tmp_path / "workload.json"
    result = run_workload(
        *("--layout", "cluster", "--asgi", "2", "--steps", "40", "--seconds", "8", "--channels", "20"),
        *("--post-rate", "3", "--reconnect-rate", "0.5", "--output", str(output)),
        timeout=420,
    )

    assert not running(WORKLOAD_DIR), f"left running: {running(WORKLOAD_DIR)}"
    assert result.returncode == 0, result.stderr[-2000:]
    step = json.loads(output.read_text())["steps"][0]
    assert step["users"] == 40
    assert step["stored"] == step["posts"] > 0
    assert step["deliveries"] >= step["expected_deliveries"] > 0
    assert (step["lost"], step["lost_after_resume"], step["not_stored"], step["duplicated"]) == (0, 0, 0, 0)
    assert set(step["cpu_seconds"]) >= {"asgi", "postgres", "redis", "celery", "relay", "nginx", "load", "others"}
    busy = {name for name, seconds in step["cpu_seconds"].items() if seconds > 0}
    assert busy >= {"asgi", "postgres", "redis", "celery", "load"}  # nginx's few requests may take under a tick
    assert set(step["cpu_seconds_per_asgi"]) == {"asgi-1", "asgi-2"}
    assert sum(step["cpu_seconds_per_asgi"].values()) == pytest.approx(step["cpu_seconds"]["asgi"], abs=0.05)


def test_the_cluster_layout_refuses_a_directory_whose_cluster_runs_and_leaves_it_running(tmp_path):
    from bench.workload.cluster_layout import ClusterLayout
    from bench.workload.layout import StackRefused
    from cluster.down import running

    # A stand-in for another run's etcd: a process whose command line names it, waiting on its stdin.
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()", "etcd"], stdin=subprocess.PIPE)
    try:
        (tmp_path / "etcd.pid").write_text(f"{other.pid}\n")
        layout = ClusterLayout(directory=tmp_path)

        with pytest.raises(StackRefused, match="still runs"):
            layout.start()
        layout.stop()

        assert running(tmp_path) == ["etcd"]
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


@pytest.mark.integration
def test_a_run_stops_at_its_time_limit_and_cleans_up(tmp_path):
    name = f"workload_limit_{secrets.token_hex(4)}"
    result = run_workload(
        *("--quick", "--max-seconds", "12", "--output", str(tmp_path / "workload.json")),
        "--database-url",
        f"postgres://postgres@127.0.0.1:5432/{name}",
        timeout=120,
    )

    assert result.returncode == 3, result.stderr[-2000:]
    assert "time limit" in result.stdout
    assert not database_exists(name)


@pytest.mark.timeout(60, method="thread")  # the test owns SIGALRM
def test_the_time_limit_stops_a_step_when_it_fires_inside_a_transport_callback():
    from bench.workload.step import Deadline, TimeLimit

    class FiresOnData(asyncio.Protocol):
        def data_received(self, data: bytes) -> None:
            signal.raise_signal(signal.SIGALRM)  # the handler runs here, inside the loop's callback

    async def step() -> dict:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(FiresOnData, "127.0.0.1", 0)
        _, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
        writer.write(b"x")
        await asyncio.sleep(20)
        return {"finished": True}

    before = signal.getsignal(signal.SIGALRM)
    deadline = Deadline()
    deadline.arm(3600)
    started = time.monotonic()
    try:
        with pytest.raises(TimeLimit):
            deadline.run_step(step())
    finally:
        deadline.disarm()

    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGALRM) is before


def test_supported_users_is_the_last_step_held_before_the_first_that_was_not():
    from bench.workload.report import supported_users

    steps = [{"users": 1000, "held": True}, {"users": 2000, "held": False}, {"users": 5000, "held": True}]

    assert supported_users(steps) == 1000
    assert supported_users([{"users": 1000, "held": False}]) == 0
