"""python -m bench.api: the REST API benchmark (prints a table, writes bench/results/api.json).

Load the data first (or let --seed do it):  manage.py seed_demo --messages N
Then, with DATABASE_URL and REDIS_URL pointing at that database:
    python -m bench.api [--seed N] [--repeat 40] [--plans bench/results/api_plans.txt]

Measured side by side in one run: a history page of 50 over HTTP (Uvicorn, the production
server as the Procfile runs it, with a bearer token) at several depths by keyset, beside the same page fetched by
LIMIT/OFFSET in-process (no HTTP, which only flatters OFFSET); unread counts for a user in
200 channels; and search over a mix of rare words, common words, two-word queries, filters,
Chinese/Japanese/Korean fragments, identifiers and prefixes (word*, and as you type).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-api-secret-key-not-for-deployment-0123456789")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from bench.api.measure import Http, Timing, explain, explain_queryset, time_call  # noqa: E402
from bench.api.setup import BenchData, prepare  # noqa: E402
from bench.fanout.stack import free_port, server_command, stop, wait_for_port  # noqa: E402
from chat.models import Message  # noqa: E402
from chat.selectors import history_page, messages_for_wire, unread_counts  # noqa: E402
from chat.selectors.message_page import window_sql  # noqa: E402
from chat.wire import message_to_wire  # noqa: E402

DEPTHS = [0, 10_000, 100_000, 1_000_000, 4_000_000]
PAGE = 50


def _start_server() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        server_command("uvicorn", "slackclone.asgi:application", port),
        cwd=BASE_DIR,
        env={**os.environ, "API_WRITE_RATE": "1000000/m"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process, port


def _top_level(channel):
    return messages_for_wire().filter(channel=channel).filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))


def _depths(data: BenchData) -> list[int]:
    return [d for d in DEPTHS if d == 0 or d + PAGE < data.big_channel.last_seq]


def bench_history(http: Http, data: BenchData, repeat: int) -> tuple[list[Timing], dict]:
    channel = data.big_channel
    path = f"/api/v1/channels/{channel.public_id}/messages"
    timings = []
    for depth in _depths(data):
        params = {"limit": PAGE} if depth == 0 else {"limit": PAGE, "before": channel.last_seq - depth}
        timings.append(http.time_get(f"history keyset, depth {depth:,} (HTTP)", path, [params], repeat=repeat))
    deepest = _depths(data)[-1]
    keyset = time_call(
        f"history keyset, depth {deepest:,} (in-process)",
        lambda: [
            message_to_wire(m)
            for m in history_page(channel=channel, before=channel.last_seq - deepest, limit=PAGE).messages
        ],
        repeat=max(5, repeat // 4),
    )
    offset = time_call(
        f"history LIMIT/OFFSET, depth {deepest:,} (in-process)",
        lambda: [message_to_wire(m) for m in _top_level(channel).order_by("-seq")[deepest : deepest + PAGE]],
        repeat=max(3, repeat // 10),
        warmup=1,
    )
    http_deepest = timings[-1]
    comparison = {
        "depth": deepest,
        "keyset_http_p50_ms": round(http_deepest.p50, 2),
        "offset_in_process_p50_ms": round(offset.p50, 2),
        "speedup_p50": round(offset.p50 / http_deepest.p50, 1),
    }
    return [*timings, keyset, offset], comparison


def bench_unread(http: Http, data: BenchData, repeat: int) -> list[Timing]:
    path = f"/api/v1/workspaces/{data.workspace.public_id}/unread"
    over_http = http.time_get(f"unread counts, {data.channel_count} channels (HTTP)", path, [{}], repeat=repeat)
    in_process = time_call(
        f"unread counts, {data.channel_count} channels (selector)",
        lambda: unread_counts(user=data.user, workspace=data.workspace),
        repeat=repeat,
    )
    return [over_http, in_process]


def search_mix(data: BenchData) -> dict[str, list[str]]:
    """Each category's queries; a query ending in "…" is sent as typed (prefix=true), without the "…"."""
    rare, common, names = data.rare_words, data.common_words, data.identifiers
    return {
        "rare word": rare,
        "common word": common,
        "two words": [f"{common[0]} {common[1]}", f"{rare[0]} {common[0]}", f"{common[2]} {rare[1]}"],
        "filters": [
            f"{common[0]} in:#{data.big_channel.name}",
            f"{common[1]} from:@bob",
            f"{rare[2]} has:reaction",
            f"{common[2]} is:thread",
            f"{common[0]} after:2020-01-01",
        ],
        # 会议 (two characters) is too short for the trigram index: it runs in a small channel.
        "CJK": ["会议室", "デプロイ", "배포일정", f"会议 in:#{data.small_channel}", f"デプロイ {rare[0]}"],
        "identifier": ["deploy_scr", names[1], "retry_policy", f"{names[0]} {common[0]}"],
        # zanz*, xylog as typed, a common word's first three letters*, <common> kumq as typed, two letters typed.
        "prefix": [
            f"{rare[1][:4]}*",
            f"{rare[3][:5]}…",
            f"{common[0][:3]}*",
            f"{common[1]} {rare[2][:4]}…",
            f"{common[2][:2]}…",
        ],
    }


def _search_params(query: str) -> dict:
    typing = query.endswith("…")
    return {"q": query.removesuffix("…"), "limit": 20, **({"prefix": "true"} if typing else {})}


def bench_search(http: Http, data: BenchData, repeat: int) -> list[Timing]:
    path = f"/api/v1/workspaces/{data.workspace.public_id}/search"
    timings, everything = [], []
    for category, queries in search_mix(data).items():
        timing = http.time_get(f"search: {category}", path, [_search_params(q) for q in queries], repeat=repeat)
        timing.note = " | ".join(queries)
        timings.append(timing)
        everything += timing.samples_ms
    timings.append(Timing("search: all of the above", everything))
    return timings


def write_plans(path: Path, data: BenchData) -> None:
    """EXPLAIN ANALYZE of the history, unread and search queries, for docs/performance.md."""
    from chat.search import postgres
    from chat.search.query import parse_query
    from chat.search.scope import build_scope
    from workspaces.models import Membership

    channel, deepest = data.big_channel, _depths(data)[-1]
    sections = {
        f"history keyset, depth {deepest:,} (chat.selectors.message_page)": explain(
            window_sql(newest_first=True, include_replies=False, above=False, below=True),
            {"channel": channel.pk, "below": channel.last_seq - deepest, "limit": PAGE + 1},
        ),
        f"history LIMIT/OFFSET, depth {deepest:,}": explain_queryset(
            _top_level(channel).order_by("-seq")[deepest : deepest + PAGE]
        ),
    }
    membership = Membership.objects.get(user=data.user, workspace=data.workspace)
    rare, common = data.rare_words, data.common_words
    # A rare and a common word, a CJK word, a rare and a common prefix: each plan, the chosen one marked.
    for q in [rare[0], common[0], data.cjk_phrases[0][:3], f"{rare[1][:4]}*", f"{common[0][:3]}*"]:
        parsed = parse_query(q, today=django.utils.timezone.now().date())
        scope = build_scope(user=data.user, workspace=data.workspace, membership=membership, parsed=parsed)
        chosen = postgres.choose_plan(scope, parsed, 21)
        ordered = postgres.newest_first(postgres.matching(scope, parsed), single_channel=scope.single_channel)
        query = ordered.values_list("pk", flat=True)[:21]
        for name in ("gin", "recent"):
            label = f"search {q!r}, plan {name}" + (" (chosen)" if name == chosen.name else "")
            sections[label] = postgres._forced(postgres.Plan(name, 0, 0), lambda query=query: explain_queryset(query))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        unread_counts(user=data.user, workspace=data.workspace)
    statements = [q["sql"].strip() for q in captured.captured_queries]
    selects = [sql for sql in statements if sql.upper().startswith("SELECT")]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            if sql.upper().startswith("SET LOCAL"):  # the planner settings the selector runs with
                cursor.execute(sql)
        for index, select in enumerate(selects):
            sections[f"unread counts, query {index + 1}"] = explain(select, [])
    path.write_text("".join(f"## {title}\n\n{plan}\n\n" for title, plan in sections.items()))


def print_table(rows: list[Timing]) -> None:
    width = max(len(row.name) for row in rows)
    print(f"{'measurement':<{width}}  {'n':>5}  {'p50 ms':>8}  {'p99 ms':>8}")
    for row in rows:
        print(f"{row.name:<{width}}  {len(row.samples_ms):>5}  {row.p50:>8.2f}  {row.p99:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, help="Run `manage.py seed_demo --messages N` first.")
    parser.add_argument("--repeat", type=int, default=40, help="Rounds per measurement (default 40).")
    parser.add_argument("--out", default=str(BASE_DIR / "bench/results/api.json"))
    parser.add_argument("--plans", help="Also write EXPLAIN ANALYZE plans to this file.")
    parser.add_argument("--plans-only", action="store_true", help="Only write the plans (after a run).")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench.api needs PostgreSQL: set DATABASE_URL (and REDIS_URL).")
    if args.seed is not None:
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        subprocess.run([*manage, "seed_demo", "--messages", str(args.seed), "-v", "0"], check=True, cwd=BASE_DIR)
    data = prepare()
    if args.plans_only:
        write_plans(Path(args.plans), data)
        return
    total = Message.objects.filter(channel__workspace=data.workspace).count()
    server, port = _start_server()
    try:
        http = Http(port, data.token)
        baseline = http.time_get("GET /api/v1/me (the cost of any request)", "/api/v1/me", [{}], repeat=args.repeat)
        history, comparison = bench_history(http, data, args.repeat)
        unread = bench_unread(http, data, args.repeat)
        search = bench_search(http, data, max(4, args.repeat // 4))
    finally:
        stop(server)
    rows = [baseline, *history, *unread, *search]
    print(f"\n{total:,} messages in the workspace; big channel #{data.big_channel.name}: {data.big_channel.last_seq:,}")
    print_table(rows)
    print(
        f"\nkeyset (HTTP) vs LIMIT/OFFSET (in-process) at depth {comparison['depth']:,}: {comparison['speedup_p50']}x"
    )
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared",
        "messages": total,
        "big_channel_messages": data.big_channel.last_seq,
        "channels_of_user": data.channel_count,
        "history_vs_offset": comparison,
        "rows": [row.as_dict() for row in rows],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    if args.plans:
        write_plans(Path(args.plans), data)
    print(f"Wrote {args.out}" + (f" and {args.plans}" if args.plans else ""))


if __name__ == "__main__":
    main()
