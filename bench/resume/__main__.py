"""Resume benchmark: what one person's `resume` costs the gateway, beside the code before in the same run.

    python -m bench.resume --baseline-dir /path/to/worktree-of-the-code-before
    python -m bench.resume --quick        # small numbers, to check that everything runs (this code only)

A person comes back after a dropped connection with the seq they saw in each of their channels
(20 here): most have nothing new, a few have missed messages, a few have older messages that got
reactions meanwhile. Each resume is the gateway's worker-thread function for a `resume` frame
(realtime.resume.build_replay), run with the replay cache emptied first, as for a person reconnecting
alone, on a company seeded in the run's own database. Reported per resume: CPU time of the thread
(Python building statements and events, the client side of each round trip), wall time, statements,
and the events replayed, which must be the same for both codes. Each checkout is measured in a
process of its own, from its own directory (bench/resume/measure.py).
Prints a table and writes bench/results/resume.json.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from bench.checkouts import add_output_arguments, before_and_after, measure_checkout
from bench.output import machine, write_results

RESULTS = Path(__file__).resolve().parents[1] / "results" / "resume.json"
MEASURE = Path(__file__).resolve().parent / "measure.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--people", type=int, default=40, help="people resuming (each a member of every channel)")
    parser.add_argument("--channels", type=int, default=20, help="channels each person resumes")
    parser.add_argument("--history", type=int, default=30, help="messages in each channel")
    parser.add_argument("--missed-in", type=int, default=3, help="channels where the person missed messages")
    parser.add_argument("--missed", type=int, default=5, help="messages missed in each of those")
    parser.add_argument("--changed-in", type=int, default=3, help="channels where older messages got reactions")
    parser.add_argument("--rounds", type=int, default=5, help="times each person resumes")
    parser.add_argument("--baseline-dir", type=Path, help="a checkout of the code before, measured first")
    add_output_arguments(parser, RESULTS, "resume")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.channels, args.history, args.rounds = 5, 6, 8, 1
    if args.missed >= args.history or max(args.missed_in, args.changed_in) > args.channels:
        parser.error("--missed must be under --history, and --missed-in/--changed-in at most --channels")
    return args


def seed(args: argparse.Namespace) -> list[tuple[int, dict[str, int]]]:
    """A workspace whose people are in every channel, and each person's resume: the seq they saw per channel."""
    from accounts.models import User
    from chat.models import Channel, ChannelKind, ChannelMember
    from chat.services import message_post, reaction_add
    from slackclone.ids import PUBLIC_CHANNEL_PREFIX, new_public_id
    from workspaces.models import Membership, Role, Workspace

    suffix = secrets.token_hex(4)
    workspace = Workspace.objects.create(name="Resume bench", slug=f"resume-{suffix}")
    people = User.objects.bulk_create(
        [User(email=f"r-{suffix}-{i}@bench.test", full_name=f"Person {i}", password="!") for i in range(args.people)]
    )
    Membership.objects.bulk_create([Membership(user=u, workspace=workspace, role=Role.MEMBER) for u in people])
    channels = Channel.objects.bulk_create(
        [
            Channel(
                public_id=new_public_id(PUBLIC_CHANNEL_PREFIX),
                workspace=workspace,
                kind=ChannelKind.PUBLIC,
                name=f"c{i}",
            )
            for i in range(args.channels)
        ]
    )
    ChannelMember.objects.bulk_create([ChannelMember(user=u, channel=c) for u in people for c in channels])
    seen: dict[str, int] = {}
    for index, channel in enumerate(channels):
        posted = [message_post(sender=people[0], channel=channel, text=f"message {n}") for n in range(args.history)]
        missed = args.missed if index < args.missed_in else 0
        seen[channel.public_id] = posted[-1].seq - missed
        if index >= args.channels - args.changed_in:  # reactions after the seq seen: changes to replay
            for message in posted[:2]:
                reaction_add(actor=people[1], message=message, emoji="eyes")
    return [(person.pk, seen) for person in people]


def measure(code_dir: Path, resumes: list[tuple[int, dict[str, int]]], rounds: int) -> dict:
    """Run measure.py from `code_dir` (its code, this run's database) and return what it printed."""
    return measure_checkout(MEASURE, code_dir, {"resumes": resumes, "rounds": rounds})


def table(rows: dict[str, dict]) -> str:
    lines = [
        f"{'code':<8} {'resumes':>7} {'CPU mean':>9} {'CPU p50':>8} {'CPU p99':>8} "
        f"{'wall':>7} {'stmts':>6} {'events':>7}",
        "-" * 62,
    ]
    for name, row in rows.items():
        lines.append(
            f"{name:<8} {row['resumes']:>7} {row['cpu_ms_mean']:>7.2f}ms {row['cpu_ms_p50']:>6.2f}ms "
            f"{row['cpu_ms_p99']:>6.2f}ms {row['wall_ms_mean']:>5.1f}ms {row['statements']:>6} "
            f"{row['events_per_resume']:>7.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = before_and_after(
        args.database_url,
        args.baseline_dir,
        lambda: seed(args),
        lambda code_dir, resumes: measure(code_dir, resumes, args.rounds),
    )
    print(table(rows))
    if "before" in rows and rows["before"]["events_per_resume"] != rows["after"]["events_per_resume"]:
        print("error: the two codes replayed different events", file=sys.stderr)
        return 1
    results = {
        "command": "python -m bench.resume " + " ".join(argv or sys.argv[1:]),
        "rows": rows,
        "shape": {
            k: getattr(args, k)
            for k in ("people", "channels", "history", "missed_in", "missed", "changed_in", "rounds")
        },
        "machine": machine(),
    }
    print(write_results(args.output, results, quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
