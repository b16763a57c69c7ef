"""Peers measured beside ours with the same client: mosquitto (MQTT over WebSocket) and nginx with nchan.

Each is started by the benchmark with a configuration of its own in a temporary directory, on loopback and a
free port, and stopped by its pid. Neither stores a message beyond handing it on, checks who may read or post,
or numbers messages for a resume: they show what plain fan-out costs on this machine, so the rows of ours can
be read against it.

- mosquitto: subscribers CONNECT and SUBSCRIBE to one topic at QoS 0 over WebSocket binary frames; one
  publisher socket PUBLISHes at QoS 0, as a post to ours is one frame on a socket.
- nchan: subscribers open the subscriber location's WebSocket for one channel; posts are HTTP POSTs to the
  publisher location, pipelined on one keep-alive connection. The channel's message buffer is 0.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fanout import mqtt, stack
from bench.fanout.client import Client
from bench.fanout.scenarios import Router, Server
from bench.fanout.seed import BenchData

NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")


class MqttRouter(Router):
    """Cuts binary frames into MQTT packets: SUBACK makes a socket ready, PUBLISH goes to the Measure."""

    def __init__(self) -> None:
        super().__init__()
        self.partial: dict[int, bytes] = {}  # a packet's start, per socket, until the rest arrives

    def on_binary(self, client: Client, frame: bytes) -> None:
        pending = self.partial.pop(client.number, None) if self.partial else None
        data = pending + frame if pending else frame
        position, size = 0, len(data)
        while position < size:
            end = mqtt.packet_end(data, position)
            if end < 0:
                self.partial[client.number] = data[position:]
                return
            kind = data[position] & 0xF0
            if kind == mqtt.PUBLISH:
                if self.measure is not None:
                    self.measure.on_text(client, data if end - position == size else data[position:end])
            elif kind == mqtt.SUBACK:
                waiter = self.ready.pop(client.number, None)
                if waiter is not None and not waiter.done():
                    if data[end - 1] == 0x80:  # the return code for a refused subscription
                        waiter.set_exception(ConnectionError("subscription refused"))
                    else:
                        waiter.set_result(None)
            position = end


@dataclass
class PeerServer(Server):
    """A peer: its processes, started from a configuration in `directory`, which stop() removes."""

    directory: Path | None = None

    def stop(self) -> None:
        super().stop()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def ours(self) -> bool:
        return False


@dataclass
class Mosquitto(PeerServer):
    """mosquitto 2.0: one process, one thread."""

    @classmethod
    def launch(cls, data: BenchData) -> Mosquitto:
        directory = Path(tempfile.mkdtemp(prefix="fanout-mosquitto-"))
        port, mqtt_port = stack.free_port(), stack.free_port()
        # 2.0.11 will not start with a WebSocket listener alone (mosquitto issue 2284), hence the plain MQTT one,
        # unused; and its WebSocket listener binds an interface, not an address (issue 3045), hence `lo`.
        config = f"""
per_listener_settings false
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
listener {mqtt_port} 127.0.0.1
protocol mqtt
listener {port} lo
protocol websockets
"""
        (directory / "mosquitto.conf").write_text(config)
        process = _start_listening(["mosquitto", "-c", str(directory / "mosquitto.conf")], port, directory)
        return cls("mosquitto", data, process, port, directory)

    @property
    def waits_ready(self) -> bool:
        return True  # until its SUBACK

    def router(self) -> Router:
        return MqttRouter()

    def path(self, *, resume: bool = False) -> str:
        return "/mqtt"

    def headers(self, number: int) -> dict[str, str]:
        return {"Sec-WebSocket-Protocol": "mqtt"}

    def on_open(self, client: Client) -> None:
        # A client need not wait for CONNACK before its next packet (MQTT 3.1.1, section 3.1.4).
        client.send_binary(mqtt.connect_packet("") + mqtt.subscribe_packet())

    def publish(self, poster: Any, frame_id: int, text: str) -> None:
        poster.send_binary(mqtt.publish_packet(text.encode()))


class HttpPoster(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that POSTs without waiting for each answer (pipelined, as nginx
    allows); the answers' status codes are counted, so a refused post shows."""

    def __init__(self, host: str, path: str) -> None:
        self.head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: ".encode()
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.statuses: Counter[int] = Counter()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def post(self, body: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            head = buffer[:end].decode("latin-1").split("\r\n")
            fields = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
            body_end = end + 4 + int(fields.get("content-length", "0"))
            if body_end > len(buffer):
                break
            self.statuses[int(head[0].split(" ")[1])] += 1
            buffer = buffer[body_end:]
        self.buffer = buffer

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


NGINX_CONF = """
load_module {module};
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 20000; }}  # the open-file limit is the benchmark's own, which it raises
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /sub {{ nchan_subscriber websocket; nchan_channel_id fanout; }}
        location = /pub {{ nchan_publisher; nchan_channel_id fanout; nchan_message_buffer_length 0; }}
    }}
}}
"""


@dataclass
class Nchan(PeerServer):
    """nginx with nchan: a master process and one worker; CPU and memory are both of theirs."""

    @classmethod
    def launch(cls, data: BenchData) -> Nchan:
        if not NCHAN_MODULE.exists():
            raise RuntimeError(f"no {NCHAN_MODULE}: `make bench-peer-packages` installs nginx and nchan")
        directory = Path(tempfile.mkdtemp(prefix="fanout-nchan-"))
        directory.chmod(0o755)  # nginx's worker runs as nobody when started by root
        port = stack.free_port()
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(module=NCHAN_MODULE, directory=directory, port=port))
        command = ["nginx", "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
        process = _start_listening(command, port, directory)
        return cls("nchan", data, process, port, directory)

    def pids(self) -> list[int]:
        """The master and its workers (the master stops them when it is stopped)."""
        with open(f"/proc/{self.pid}/task/{self.pid}/children") as children:
            return [self.pid, *(int(pid) for pid in children.read().split())]

    def rss(self) -> int:
        return sum(stack.rss_kib(pid) for pid in self.pids())

    def cpu_seconds(self) -> float:
        return sum(stack.cpu_seconds(pid) for pid in self.pids())

    def path(self, *, resume: bool = False) -> str:
        return "/sub"

    def headers(self, number: int) -> dict[str, str]:
        return {}

    async def open_posters(self, router: Router, numbers: range) -> list[Any]:
        """One keep-alive connection, whatever `numbers` says: an HTTP publisher has no per-user limit."""
        loop = asyncio.get_running_loop()
        host = f"127.0.0.1:{self.port}"
        _, poster = await loop.create_connection(lambda: HttpPoster(host, "/pub"), "127.0.0.1", self.port)
        return [poster]

    def publish(self, poster: Any, frame_id: int, text: str) -> None:
        poster.post(text.encode())


PEERS: dict[str, type[Mosquitto] | type[Nchan]] = {"mosquitto": Mosquitto, "nchan": Nchan}


def start_server(kind: str, data: BenchData, before_dir: Path | None = None) -> Server:
    """A server of any kind --servers names: a peer, or one of ours or the baseline (Server.start)."""
    peer = PEERS.get(kind)
    return peer.launch(data) if peer is not None else Server.start(kind, data, before_dir)


def _start_listening(command: list[str], port: int, directory: Path) -> subprocess.Popen:
    """A peer's server, once it listens on `port`; if it never does, stopped by pid and its directory removed."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        stack.wait_for_port(port, process)
    except BaseException:
        stack.stop(process)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return process
