"""Answer benchmark: what reading a message back for an answer costs, beside the code before in the same run.

    python -m bench.answer --baseline-dir /path/to/worktree-of-the-code-before
    python -m bench.answer --quick        # small numbers, to check that everything runs

Every write that answers with the message (a reaction over REST, a post over REST or chat.postMessage,
an edit, an unfurl) reads it back with chat.selectors.message_get_for_wire and encodes it with
chat.wire.message_to_wire. Measured here for each kind of message an answer returns: plain, with
reactions, a thread reply (its root is read too), with a file. Reported per read: thread CPU, wall
time, statements; the two codes must encode every message the same. Each checkout is measured in a
process of its own, from its own directory (bench/answer/measure.py).
Prints a table and writes bench/results/answer.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.checkouts import add_output_arguments, compare_checkouts, cpu_table, measure_checkout

RESULTS = Path(__file__).resolve().parents[1] / "results" / "answer.json"
MEASURE = Path(__file__).resolve().parent / "measure.py"
KINDS = ("plain", "reactions", "reply", "file")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--reads", type=int, default=500, help="reads of each kind of message")
    parser.add_argument("--reactions", type=int, default=5, help="people reacting to the message with reactions")
    parser.add_argument("--baseline-dir", type=Path, help="a checkout of the code before, measured first")
    add_output_arguments(parser, RESULTS, "answer")
    args = parser.parse_args(argv)
    if args.quick:
        args.reads = 5
    if args.reads < 1 or not 1 <= args.reactions <= 50:
        parser.error("--reads must be at least 1 and --reactions between 1 and 50")
    return args


def seed(args: argparse.Namespace) -> dict[str, tuple[int, str]]:
    """A channel with one message of each kind; returns kind -> (channel pk, ts)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chat.services import file_upload, message_post, reaction_add
    from slackclone.testing.factories import add_member, make_team

    team = make_team()
    channel = team.general
    reactors = [add_member(team.workspace) for _ in range(args.reactions)]  # each lands in #general
    plain = message_post(sender=team.member, channel=channel, text="ship it")
    liked = message_post(sender=team.member, channel=channel, text="the release is out")
    for number, person in enumerate(reactors):
        reaction_add(actor=person, message=liked, emoji=("tada", "eyes", "rocket")[number % 3])
    reply = message_post(sender=team.admin, channel=channel, text="well done", thread_ts=liked.ts)
    upload = SimpleUploadedFile("notes.txt", b"the notes")
    filed = file_upload(actor=team.member, channel=channel, upload=upload, text="notes attached")
    messages = {"plain": plain, "reactions": liked, "reply": reply, "file": filed}
    return {kind: (channel.pk, message.ts) for kind, message in messages.items()}


def measure(code_dir: Path, messages: dict[str, tuple[int, str]], reads: int) -> dict:
    """Run measure.py from `code_dir` (its code, this run's database) and return what it printed."""
    return measure_checkout(MEASURE, code_dir, {"messages": messages, "reads": reads})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return compare_checkouts(
        args,
        command=f"python -m bench.answer {' '.join(sys.argv[1:] if argv is None else argv)}",
        seed=lambda: seed(args),
        measure=lambda code_dir, messages: measure(code_dir, messages, args.reads),
        table=lambda rows: cpu_table(rows, KINDS, "message", "reads"),
        what="encoded these messages",
        shape={"reads": args.reads, "reactions": args.reactions},
    )


if __name__ == "__main__":
    sys.exit(main())
