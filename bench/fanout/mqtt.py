"""Just enough MQTT 3.1.1 for the fan-out benchmark's mosquitto peer: CONNECT, SUBSCRIBE and PUBLISH at QoS 0.

Packets travel in WebSocket binary frames (the `mqtt` subprotocol). A frame may hold several packets or part of
one, so incoming frames are cut at packet boundaries; the common case, one whole packet per frame, is handed on
without a copy. Of a PUBLISH only the payload matters, and the payload carries its own marker, so the topic is
not decoded.
"""

from __future__ import annotations

import struct

CONNACK, PUBLISH, SUBACK = 0x20, 0x30, 0x90
TOPIC = "bench/fanout"


def _remaining_length(length: int) -> bytes:
    encoded = bytearray()
    while True:
        byte, length = length & 0x7F, length >> 7
        encoded.append(byte | 0x80 if length else byte)
        if not length:
            return bytes(encoded)


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


def _packet(first_byte: int, body: bytes) -> bytes:
    return bytes([first_byte]) + _remaining_length(len(body)) + body


def connect_packet(client_id: str) -> bytes:
    """A clean session with keep-alive 0: the broker never expects a ping, so idle sockets stay idle."""
    return _packet(0x10, _string("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 0) + _string(client_id))


def subscribe_packet(topic: str = TOPIC, packet_id: int = 1) -> bytes:
    """One topic at QoS 0 (the packet's reserved flags are 0b0010)."""
    return _packet(0x82, struct.pack("!H", packet_id) + _string(topic) + b"\x00")


_PUBLISH_TOPIC = _string(TOPIC)


def publish_packet(payload: bytes) -> bytes:
    """QoS 0, no retain: the broker keeps nothing and acknowledges nothing."""
    return _packet(PUBLISH, _PUBLISH_TOPIC + payload)


def packet_end(data: bytes, position: int) -> int:
    """Where the packet starting at `position` ends, or -1 when `data` does not hold all of it yet."""
    size, index, shift, length = len(data), position + 1, 0, 0
    while True:
        if index >= size:
            return -1
        byte = data[index]
        index += 1
        length |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
    end = index + length
    return end if end <= size else -1
