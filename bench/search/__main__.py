"""Search benchmark: what a search costs the server, beside the code before in the same run.

    python -m bench.search --baseline-dir /path/to/worktree-of-the-code-before
    python -m bench.search --quick        # small numbers, to check that everything runs

Seeds a workspace whose searcher is in --channels channels of --messages messages between them (a
common word in every message, a rare one in a few; reactions, thread replies and files as a day has
them), then runs each query of QUERIES as the search API does: chat.search.search_messages, each match
encoded with chat.wire (message and channel). Reported per search: thread CPU, wall time, statements;
the two codes must return the same matches, encoded the same. Each checkout is measured in a process of
its own, from its own directory (bench/search/measure.py). Prints a table and writes
bench/results/search.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.checkouts import add_output_arguments, compare_checkouts, cpu_table, measure_checkout

RESULTS = Path(__file__).resolve().parents[1] / "results" / "search.json"
MEASURE = Path(__file__).resolve().parent / "measure.py"
# A page of a common word newest first (the workload's search), by score, a rare word, a prefix as typed.
QUERIES = {
    "common": {"q": "deploy", "sort": "timestamp", "limit": 50},
    "by score": {"q": "deploy release", "sort": "score", "limit": 50},
    "rare": {"q": "kubernetes", "sort": "timestamp", "limit": 50},
    "prefix": {"q": "relea*", "sort": "timestamp", "limit": 20},
}
WORDS = ("release", "review", "lunch", "meeting", "incident", "roadmap", "budget", "design")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--searches", type=int, default=200, help="times each query is run")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--baseline-dir", type=Path, help="a checkout of the code before, measured first")
    add_output_arguments(parser, RESULTS, "search")
    args = parser.parse_args(argv)
    if args.quick:
        args.searches, args.messages, args.channels = 3, 120, 4
    if args.searches < 1 or not 1 <= args.channels <= 500 or not args.channels <= args.messages <= 200_000:
        parser.error("--searches must be at least 1, --channels 1 to 500, --messages from --channels to 200000")
    return args


def seed(args: argparse.Namespace) -> dict:
    """The searcher's workspace and messages; returns the plan measure.py reads."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chat.services import channel_create, channel_invite, file_upload, message_post, reaction_add
    from slackclone.testing.factories import make_team

    team = make_team()
    poster, searcher = team.owner, team.member
    channels = [team.general]
    for number in range(args.channels - 1):
        channels.append(channel_create(actor=poster, workspace=team.workspace, name=f"team-{number}"))
        channel_invite(actor=poster, channel=channels[-1], users=[searcher])
    root = None
    for number in range(args.messages):
        channel = channels[number % len(channels)]
        text = f"deploy {WORDS[number % len(WORDS)]} {'kubernetes ' if number % 97 == 0 else ''}step {number}"
        if number % 10 == 9 and root is not None:  # a reply in the latest thread
            message = message_post(sender=poster, channel=root.channel, text=text, thread_ts=root.ts)
        elif number % 50 == 25:
            upload = SimpleUploadedFile("notes.txt", b"the notes")
            message = file_upload(actor=poster, channel=channel, upload=upload, text=text)
        else:
            message = root = message_post(sender=poster, channel=channel, text=text)
        if number % 5 == 0:
            reaction_add(actor=poster, message=message, emoji=("tada", "eyes")[number % 2])
    return {"user": searcher.pk, "workspace": team.workspace.pk, "queries": QUERIES, "searches": args.searches}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return compare_checkouts(
        args,
        command=f"python -m bench.search {' '.join(sys.argv[1:] if argv is None else argv)}",
        seed=lambda: seed(args),
        measure=lambda code_dir, plan: measure_checkout(MEASURE, code_dir, plan),
        table=lambda rows: cpu_table(rows, QUERIES, "query", "matches"),
        what="found or encoded the matches of these queries",
        shape={"searches": args.searches, "messages": args.messages, "channels": args.channels},
    )


if __name__ == "__main__":
    sys.exit(main())
