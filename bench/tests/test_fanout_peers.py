"""bench/fanout's peers: MQTT frames cut at packet boundaries, and a quick ladder against each peer that is
installed, every delivery arriving and the peer's processes gone afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.fanout import mqtt
from bench.fanout.peers import MqttRouter, Nchan, start_server
from bench.fanout.scenarios import Measure, rate_ladder


class FakeClient:
    def __init__(self, number: int) -> None:
        self.number = number


def test_the_mqtt_router_counts_packets_split_across_frames_or_sharing_one():
    router = MqttRouter()
    router.measure = Measure(clients=1, messages=3)
    client = FakeClient(0)
    packets = [mqtt.publish_packet(f"bq:{index}:{0}:".encode()) for index in range(3)]

    router.on_binary(client, packets[0][:3])
    router.on_binary(client, packets[0][3:] + packets[1])  # the rest of one, and a whole other
    router.on_binary(client, packets[2])

    assert len(router.measure.latencies) == 3
    assert router.measure.duplicates == 0
    assert router.partial == {}


def test_the_remaining_length_is_read_past_one_byte():
    packet = mqtt.publish_packet(b"bq:" + b"x" * 300)

    assert packet[1] >= 0x80  # two bytes of length
    assert mqtt.packet_end(packet, 0) == len(packet)
    assert mqtt.packet_end(packet[:-1], 0) == -1


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.integration
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["mosquitto", "nchan"])
def test_a_quick_ladder_against_a_peer_delivers_every_message_and_stops_the_peer(kind):
    clients, rates = 40, [10, 40]
    server = start_server(kind, data=None)
    pids = server.pids() if isinstance(server, Nchan) else [server.pid]
    try:
        rows = asyncio.run(rate_ladder(server, clients, rates, duration=1.0))
    finally:
        server.stop()

    assert [row["rate"] for row in rows] == rates
    for row in rows:
        assert row["server"] == kind
        assert row["stores"] is False
        assert row["deliveries"] == clients * row["messages"] > 0
        assert row["lost"] == 0
        assert row["duplicated"] == 0
        assert row["held"]
        assert row["server_us_per_delivery"] >= 0
        assert row["failed_handshakes"] == 0
    assert len(pids) == (2 if kind == "nchan" else 1)
    assert not [pid for pid in pids if alive(pid)]
    assert server.directory is not None
    assert not server.directory.exists()
