"""Prepared statements benchmark: what DATABASE_PREPARED_STATEMENTS saves per REST request, in the app's CPU
and in PostgreSQL's, beside the setting off in the same run; or, with --baseline-dir, what this code saves
per request beside the code before (both with the setting on).

    python -m bench.prepared
    python -m bench.prepared --quick        # small numbers, to check that everything runs
    python -m bench.prepared --baseline-dir ../wt-base --output bench/results/requests.json

Seeds a team's #general with messages (reactions, a thread) and an API token, then makes the app's REST
requests through Django's test client: a page of history, a thread, a reaction added and taken back (one
case, two requests), the read marker moved, a post, a search of the workspace. The same checkout is
measured in processes of its own (bench/prepared/measure.py), with the setting off (the baseline) and on,
alternating off/on for --rounds rounds so that drift on a busy machine shows. Reported per request: the app
thread's CPU, the CPU of the PostgreSQL backend serving its connection, wall time, statements; and the
statements the connection held prepared. The two settings (the two checkouts) must answer the same. Prints a
table and writes bench/results/prepared.json (or --output).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.checkouts import add_output_arguments, before_and_after, measure_checkout
from bench.fanout import stack

RESULTS = Path(__file__).resolve().parents[1] / "results" / "prepared.json"
MEASURE = Path(__file__).resolve().parent / "measure.py"
KINDS = ("history", "thread", "reaction", "mark", "post", "search", "notify")
SIDES = {"off": "0", "on": "1"}  # DATABASE_PREPARED_STATEMENTS of each side; off is the baseline
CHECKOUTS = ("before", "after")  # with --baseline-dir: that checkout, then this one, both with the setting on
MESSAGES = 80


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind, per side and round")
    parser.add_argument("--warmup", type=int, default=20, help="requests of each kind first (prepared after 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of off then on (before then after)")
    parser.add_argument(
        "--baseline-dir",
        type=Path,
        help="a checkout of the code before: measure it (before) beside this one (after), both with the setting on, "
        "instead of this one with the setting off and on",
    )
    add_output_arguments(parser, RESULTS, "prepared")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests = 5
    if args.requests < 1 or args.rounds < 1 or args.warmup < 5:
        parser.error("--requests and --rounds must be at least 1, --warmup at least 5 (the prepare threshold)")
    return args


def seed() -> dict[str, Any]:
    """#general with MESSAGES messages (every fourth with reactions, every seventh a reply in one thread), read
    to its end by the member whose token the requests carry, who is in #random too; returns the plan
    measure.py reads."""
    from chat.services import channel_join, channel_mark_read, dm_open, message_post, reaction_add
    from slackclone.testing.factories import ApiTokenFactory, make_team

    team = make_team()
    channel, reader = team.general, team.member
    people = (team.owner, team.admin, team.member, team.other_member)
    root = latest = message_post(sender=team.owner, channel=channel, text="the thread about the release")
    for number in range(1, MESSAGES):
        sender = people[number % len(people)]
        text = f"message {number} about the release"
        if number % 7 == 0:
            message_post(sender=sender, channel=channel, text=text, thread_ts=root.ts)
            continue
        latest = message_post(sender=sender, channel=channel, text=text)
        if number % 4 == 0:
            reaction_add(actor=team.admin, message=latest, emoji="tada")
            reaction_add(actor=team.other_member, message=latest, emoji=("eyes", "rocket")[number % 8 // 4])
    channel.refresh_from_db()
    channel_mark_read(actor=reader, channel=channel, seq=channel.last_seq)
    channel_join(actor=reader, channel=team.random)  # where the posts go
    dm, _ = dm_open(actor=reader, workspace=team.workspace, users=[team.owner])  # where notified posts go
    raw = f"xoxp-bench-prepared-{secrets.token_hex(16)}"
    ApiTokenFactory(user=reader, workspace=team.workspace, raw=raw)
    return {
        "token": raw,
        "workspace": team.workspace.public_id,
        "channel": channel.public_id,
        "post_channel": team.random.public_id,
        "dm": dm.public_id,
        "thread_ts": root.ts,
        "reaction_ts": latest.ts,
        "last_seq": channel.last_seq,
    }


def sides(args: argparse.Namespace) -> dict[str, tuple[Path, str]]:
    """Each side's checkout and DATABASE_PREPARED_STATEMENTS, the baseline first."""
    if args.baseline_dir is None:
        return {side: (stack.BASE_DIR, setting) for side, setting in SIDES.items()}
    return {"before": (args.baseline_dir.resolve(), "1"), "after": (stack.BASE_DIR, "1")}


def measure_side(side: str, number: int, plan: dict[str, Any], checkout: tuple[Path, str]) -> dict[str, Any]:
    """One side's run in a process of its own, from the side's checkout with the setting as the side has it
    (the measuring script is this checkout's); a request that fails ends the benchmark, saying which side
    failed and how."""
    code_dir, setting = checkout
    env = {
        "DATABASE_PREPARED_STATEMENTS": setting,
        "DATABASE_POOL": "0",  # one connection, kept: its backend is the one whose CPU is read
        "DATABASE_REPLICA_URL": "",  # every statement on that connection
        "API_WRITE_RATE": "1000000/m",  # the only rate limit a token's requests count against
    }
    try:
        measured = measure_checkout(MEASURE, code_dir, plan, env=env)
    except RuntimeError as error:
        raise SystemExit(f"error: the {side} side failed in round {number}: {error}") from None
    return {"side": side, "round": number, **measured}


def measure_rounds(plan: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Off then on (before then after), args.rounds times, on the same seeded data."""
    plan = {**plan, "requests": args.requests, "warmup": args.warmup}
    checkouts = sides(args)
    return [
        measure_side(side, number, plan, checkout)
        for number in range(1, args.rounds + 1)
        for side, checkout in checkouts.items()
    ]


def table(runs: list[dict[str, Any]]) -> str:
    """Each side's round and kind, per request: the app's CPU, the backend's CPU, wall time, statements."""
    header = (
        f"{'side':<6} {'round':>5} {'kind':<9} {'requests':>8} {'CPU p50':>10} {'CPU mean':>10} "
        f"{'PG CPU':>9} {'wall':>9} {'stmts':>6}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        for kind in KINDS:
            row = run["kinds"][kind]
            lines.append(
                f"{run['side']:<6} {run['round']:>5} {kind:<9} {row['requests']:>8} {row['cpu_us_p50']:>8.0f}us "
                f"{row['cpu_us_mean']:>8.0f}us {row['pg_cpu_us']:>7.0f}us {row['wall_us_mean']:>7.0f}us "
                f"{row['statements']:>6}"
            )
    lines.append("\nPrepared on the connection at the end of each side's run:")
    for run in runs:
        prepared = run["prepared"]
        lines.append(
            f"prepared {run['side']:<6} round {run['round']}: {prepared['statements']} statements "
            f"(generic plans {prepared['generic_plans']}, custom plans {prepared['custom_plans']})"
        )
    return "\n".join(lines)


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Per side and kind, the median over the rounds of each per-request figure."""
    fields = ("cpu_us_p50", "cpu_us_mean", "pg_cpu_us", "wall_us_mean")
    return {
        side: {
            kind: {
                field: statistics.median(run["kinds"][kind][field] for run in runs if run["side"] == side)
                for field in fields
            }
            for kind in KINDS
        }
        for side in dict.fromkeys(run["side"] for run in runs)
    }


def change(before: float, after: float) -> str:
    return f"{(after - before) / before * 100:+.1f}%" if before else "n/a"


def summary(middle: dict[str, dict[str, dict[str, float]]]) -> str:
    """Per kind, off → on (before → after): the app's CPU and the backend's, each the median of the rounds' means."""
    first, second = middle  # the baseline, then the side measured against it
    arrow = f"{first} → {second}"
    header = f"{'kind':<9} {'app CPU ' + arrow:>25} {'change':>8} {'PG CPU ' + arrow:>25} {'change':>8}"
    lines = ["\nPer request, median of the rounds (CPU means):", header, "-" * len(header)]
    for kind in KINDS:
        off, on = middle[first][kind], middle[second][kind]
        lines.append(
            f"{kind:<9} {off['cpu_us_mean']:>12.0f}us → {on['cpu_us_mean']:>6.0f}us "
            f"{change(off['cpu_us_mean'], on['cpu_us_mean']):>8} "
            f"{off['pg_cpu_us']:>12.0f}us → {on['pg_cpu_us']:>6.0f}us {change(off['pg_cpu_us'], on['pg_cpu_us']):>8}"
        )
    return "\n".join(lines)


def answers_differ(runs: list[dict[str, Any]]) -> bool:
    """Whether any run answered a kind differently from the first (the baseline's, round 1); says which on
    stderr, as the error the benchmark then exits 1 with."""
    first = runs[0]["kinds"]
    differing = [
        f"{kind} ({run['side']}, round {run['round']})"
        for run in runs[1:]
        for kind in KINDS
        if run["kinds"][kind]["answer"] != first[kind]["answer"]
    ]
    if differing:
        print(f"error: answered differently from {runs[0]['side']}, round 1: {', '.join(differing)}", file=sys.stderr)
    return bool(differing)


def numbers_only(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs as the results file keeps them: each kind's numbers, without its answer."""
    return [
        {
            **run,
            "kinds": {
                kind: {field: value for field, value in row.items() if field != "answer"}
                for kind, row in run["kinds"].items()
            },
        }
        for run in runs
    ]


def main(argv: list[str] | None = None) -> int:
    from bench.output import machine, write_results

    args = parse_args(argv)
    # This checkout is the one "after" side before_and_after measures; its measure runs every round.
    rows = before_and_after(args.database_url, None, seed, lambda _code_dir, plan: {"runs": measure_rounds(plan, args)})
    runs = rows["after"]["runs"]
    middle = medians(runs)
    print(table(runs))
    print(summary(middle))
    if answers_differ(runs):
        return 1
    results = {
        "command": f"python -m bench.prepared {' '.join(sys.argv[1:] if argv is None else argv)}",
        "runs": numbers_only(runs),
        "medians": middle,
        "shape": {"requests": args.requests, "warmup": args.warmup, "rounds": args.rounds, "messages": MESSAGES},
        "baseline_dir": str(args.baseline_dir) if args.baseline_dir else None,
        "machine": machine(),
    }
    print(write_results(args.output, results, quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
