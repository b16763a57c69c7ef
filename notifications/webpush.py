"""The Web Push protocol (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291, RFC 8188).

pywebpush encrypts each payload to the browser's keys; py_vapid signs the VAPID token. The request itself
goes through slackclone.outgoing, like every request to a URL that came from outside: an endpoint is a URL
a browser gave us, so it gets the same address checks, no redirects and bounded time and size.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPusher

from slackclone import outgoing

# Push services take at least 4096 bytes of encrypted payload; aes128gcm adds 86 bytes of header, a
# 16-byte tag and a padding delimiter, so the plain JSON stays well under that.
PAYLOAD_MAX_BYTES = 3000
SEND_TIMEOUT_SECONDS = 5.0
# A VAPID token's lifetime; RFC 8292 allows at most 24 hours.
TOKEN_SECONDS = 12 * 3600


@dataclass(frozen=True)
class PushAnswer:
    """What the push service said: a status (0 when no answer came) and, for failures, a short reason."""

    status: int
    reason: str

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """The push service has forgotten the subscription: delete it."""
        return self.status in (404, 410)


@functools.lru_cache(maxsize=4)
def _vapid_for(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key)


def vapid() -> Vapid02 | None:
    """The server's VAPID key pair, or None when none is configured (push is off)."""
    key = settings.WEBPUSH_VAPID_PRIVATE_KEY
    return _vapid_for(key) if key else None


def vapid_public_key() -> str | None:
    """The public key the browser subscribes with (applicationServerKey): the uncompressed point, base64url."""
    pair = vapid()
    if pair is None:
        return None
    raw = pair.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def generate_private_key() -> tuple[str, str]:
    """A new key pair as (private, public), both base64url: the private key's 32 raw bytes, the public point."""
    pair = Vapid02()
    pair.generate_keys()
    number = pair.private_key.private_numbers().private_value
    raw_public = pair.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(number.to_bytes(32, "big")), b64url(raw_public)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The payload as compact JSON, refused (ValueError) over PAYLOAD_MAX_BYTES."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if len(data) > PAYLOAD_MAX_BYTES:
        raise ValueError(f"a push payload of {len(data)} bytes is over {PAYLOAD_MAX_BYTES}")
    return data


def send(*, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]) -> PushAnswer:
    """Encrypt `payload` to the subscription's keys and POST it to its endpoint; never raises for the
    network's or the push service's failures, which come back as a PushAnswer."""
    pair = vapid()
    if pair is None:
        return PushAnswer(0, "not_configured")
    body = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}).encode(
        encode_payload(payload), "aes128gcm"
    )["body"]
    try:
        target = outgoing.check_url(endpoint)
        claims = {"aud": target.origin, "sub": settings.WEBPUSH_VAPID_SUBJECT, "exp": int(time.time()) + TOKEN_SECONDS}
        headers = {
            **pair.sign(claims),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(settings.WEBPUSH_TTL_SECONDS),
            "Urgency": "high",
        }
        response = outgoing.post(
            endpoint, body=body, headers=headers, timeout=SEND_TIMEOUT_SECONDS, max_response_bytes=16 * 1024
        )
    except outgoing.OutgoingError as exc:
        return PushAnswer(0, exc.reason)
    return PushAnswer(response.status, "" if 200 <= response.status < 300 else f"http_{response.status}")
