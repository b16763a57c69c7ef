"""The gateway's write path alone: the CPU one event costs per socket, written the ASGI way or framed once.

    python -m bench.fanout.write_path                       # 1,000 sockets, 6 rounds of 200 events per way
    python -m bench.fanout.write_path --sockets 5000 --rounds 4

A Uvicorn server (the gateway's protocol, compression off, as every command line runs it) holds the
sockets of a lean client process (bench/fanout/client.py). For each event the server writes the same
text to every socket, alternately in rounds:

* `asgi`: an ASGI `websocket.send` per socket, stepped as realtime.connection.Connection.deliver steps
  it (Uvicorn's send: the flow-control check, the text encoded and framed by the websockets library);
* `framed`: the frame built once (realtime.protocol.server_text_frame) and its bytes written to each
  socket (GatewayWebSocketProtocol.write_frame), as the hub now does.

The server's CPU time for each event's loop over the sockets is measured around that loop alone
(the event loop's one thread), and the client counts what arrives. Prints a table and writes
bench/results/fanout_write_path.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.fanout.client import open_client
from bench.output import machine, write_results
from slackclone.testing.processes import free_port, stop, wait_for_port

RESULTS = Path(__file__).resolve().parents[1] / "results" / "fanout_write_path.json"
PAYLOAD = json.dumps({"type": "message", "channel": "C0123456789", "user": "U0123456789", "text": "x" * 220})
MODES = ("asgi", "framed")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6, help="rounds per way, alternating")
    parser.add_argument("--events", type=int, default=200, help="events per round")
    parser.add_argument("--gap-ms", type=float, default=5.0, help="pause between events, for the client to read")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server's role, on this port
    return parser.parse_args()


# --- The server's role ---------------------------------------------------------------------------


async def _measure(sockets: list[tuple[Any, Any]], args: argparse.Namespace) -> dict[str, list[float]]:
    from realtime.connection import _step
    from realtime.protocol import server_text_frame

    frame = {"type": "websocket.send", "text": PAYLOAD}
    per_delivery: dict[str, list[float]] = {mode: [] for mode in MODES}
    fallbacks = 0
    for round_number in range(args.rounds * len(MODES)):
        mode = MODES[round_number % len(MODES)]
        spent = 0.0
        for _ in range(args.events):
            started = time.thread_time()
            if mode == "asgi":
                for send, _protocol in sockets:
                    _step(send(frame))
            else:
                wire = server_text_frame(PAYLOAD)
                for send, protocol in sockets:
                    if not protocol.write_frame(wire):
                        fallbacks += 1
                        _step(send(frame))
            spent += time.thread_time() - started
            await asyncio.sleep(args.gap_ms / 1000)
        per_delivery[mode].append(spent * 1e6 / (args.events * len(sockets)))
    per_delivery["fallbacks"] = [float(fallbacks)]
    return per_delivery


def serve(args: argparse.Namespace) -> None:
    # realtime.connection brings Django's models with it; nothing here reads a database or settings of
    # the real stack, so the embedded default does.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")
    os.environ.setdefault("DEBUG", "1")
    import django
    import uvicorn

    django.setup()

    sockets: list[tuple[Any, Any]] = []
    all_open = asyncio.Event()

    async def app(scope, receive, send):
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        sockets.append((send, send.__self__))
        if len(sockets) == args.sockets:
            all_open.set()
        while (await receive())["type"] != "websocket.disconnect":
            pass

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.serve,
        ws="realtime.protocol:GatewayWebSocketProtocol",
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
        backlog=4096,
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        serving = asyncio.ensure_future(server.serve())
        await all_open.wait()
        result = await _measure(sockets, args)
        print(json.dumps(result), flush=True)
        server.should_exit = True
        await serving

    import uvloop

    uvloop.run(main())


# --- The driver: the client's role -----------------------------------------------------------------


async def drive(port: int, args: argparse.Namespace, server: subprocess.Popen) -> int:
    received = 0

    def on_text(client, payload: bytes) -> None:
        nonlocal received
        received += 1

    clients = []
    for start in range(0, args.sockets, 100):
        batch = range(start, min(start + 100, args.sockets))
        clients += await asyncio.gather(*(open_client(port, "/", {}, on_text, n) for n in batch))
    expected = args.sockets * args.events * args.rounds * len(MODES)
    deadline = time.monotonic() + 600
    while received < expected and time.monotonic() < deadline and server.poll() is None:
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)
    for client in clients:
        client.close()
    return received


def main() -> None:
    args = parse_args()
    if args.serve:
        serve(args)
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    port = free_port()
    argv = [sys.executable, "-m", "bench.fanout.write_path", "--serve", str(port)]
    argv += ["--sockets", str(args.sockets), "--rounds", str(args.rounds), "--events", str(args.events)]
    argv += ["--gap-ms", str(args.gap_ms)]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, server)
        import uvloop

        received = uvloop.run(drive(port, args, server))
        output, _ = server.communicate(timeout=120)
    finally:
        stop(server)
    measured = json.loads(output.strip().splitlines()[-1])
    rows = [
        {
            "way": mode,
            "median_us_per_delivery": round(statistics.median(measured[mode]), 2),
            "rounds_us_per_delivery": [round(value, 2) for value in measured[mode]],
        }
        for mode in MODES
    ]
    expected = args.sockets * args.events * args.rounds * len(MODES)
    print(f"{'way':<8}{'µs/delivery (median)':>22}  rounds")
    for row in rows:
        print(f"{row['way']:<8}{row['median_us_per_delivery']:>22.2f}  {row['rounds_us_per_delivery']}")
    print(f"received {received} of {expected}; fell back to the ASGI send {int(measured['fallbacks'][0])} times")
    results = {
        "command": "python -m bench.fanout.write_path " + " ".join(sys.argv[1:]),
        "sockets": args.sockets,
        "events_per_round": args.events,
        "rows": rows,
        "received": received,
        "expected": expected,
        "fallbacks": int(measured["fallbacks"][0]),
        "machine": machine(),
    }
    print(write_results(args.output, results, quick=False))


if __name__ == "__main__":
    main()
