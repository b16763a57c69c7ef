"""Web Push subscriptions: a person's devices, each subscribed, switched on or off, or removed.

An endpoint is a URL a browser hands us and the server will later POST to, so it is held to the outgoing
client's rules before it is stored (slackclone.outgoing: public addresses only, unless
OUTGOING_ALLOWED_NETWORKS) and must be https; plain http only to a literal address in those allowed
networks, which is what a test's local push endpoint is. The keys must be a real P-256 point and a 16-byte
secret, or no push could ever be encrypted to them.
"""

from __future__ import annotations

import binascii
import ipaddress
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction

from notifications.models import PushSubscription
from notifications.webpush import b64url_decode
from slackclone import outgoing
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

KEY_MAX_CHARS = 100
AUTH_MAX_CHARS = 40
DEVICE_MAX_CHARS = 200


def check_push_endpoint(endpoint: object) -> str:
    """The endpoint if the server may POST to it; invalid_subscription otherwise, logged once per refusal."""
    if not isinstance(endpoint, str) or not endpoint:
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION, "endpoint must be the subscription's URL.", fields={"endpoint": "invalid"}
        )
    try:
        target = outgoing.check_url(endpoint)
        if target.scheme != "https" and not _allowed_literal(target.host):
            raise outgoing.OutgoingError("invalid_url", "a push endpoint must be https")
        outgoing.resolve(target)
    except outgoing.OutgoingError as exc:
        logger.warning("push subscription refused: endpoint %s (%s)", _origin(endpoint), exc.reason)
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION,
            "That push endpoint is not an https URL the server may reach.",
            fields={"endpoint": "invalid"},
        ) from None
    return endpoint


def _origin(endpoint: str) -> str:
    """Scheme and host only, for the log: an endpoint's path is the device's address at its push service."""
    try:
        parts = urlsplit(endpoint[: outgoing.URL_MAX_CHARS])
        return f"{parts.scheme[:20]}://{(parts.hostname or '')[:120]}"
    except ValueError:
        return "(unreadable URL)"


def _allowed_literal(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in outgoing.allowed_networks() if network.version == address.version)


def _check_keys(p256dh: object, auth: object) -> tuple[str, str]:
    if not isinstance(p256dh, str) or not 0 < len(p256dh) <= KEY_MAX_CHARS:
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION,
            "keys.p256dh must be the browser's public key, base64url.",
            fields={"p256dh": "invalid"},
        )
    if not isinstance(auth, str) or not 0 < len(auth) <= AUTH_MAX_CHARS:
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION,
            "keys.auth must be the browser's authentication secret, base64url.",
            fields={"auth": "invalid"},
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
    except (ValueError, binascii.Error):
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION, "keys.p256dh is not a P-256 public key.", fields={"p256dh": "invalid"}
        ) from None
    try:
        secret = b64url_decode(auth)
    except (ValueError, binascii.Error):
        secret = b""
    if len(secret) != 16:
        raise DomainError(
            ErrorCode.INVALID_SUBSCRIPTION, "keys.auth must be 16 bytes, base64url.", fields={"auth": "invalid"}
        )
    return p256dh, auth


def push_subscribe(
    *, actor: User, endpoint: object, p256dh: object, auth: object, device: str = ""
) -> PushSubscription:
    """Store this device's subscription for the actor, or renew it (same endpoint: new keys, switched on).

    An endpoint another person held moves to the actor: the browser is theirs now. Beyond
    WEBPUSH_MAX_SUBSCRIPTIONS the actor's oldest subscription goes.
    Callers: the person, from their browser.
    Raises: invalid_subscription (bad endpoint or keys), restricted_action (a bot).
    """
    if actor.is_bot:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Bots cannot receive desktop notifications.")
    keys = _check_keys(p256dh, auth)
    endpoint = check_push_endpoint(endpoint)  # resolves the host: before the transaction, not inside it
    with transaction.atomic():
        PushSubscription.objects.filter(endpoint=endpoint).exclude(user=actor).delete()
        subscription, _ = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": actor,
                "p256dh": keys[0],
                "auth": keys[1],
                "device": device.strip()[:DEVICE_MAX_CHARS],
                "enabled": True,
                "failure_count": 0,
                "last_failure": "",
            },
        )
        keep = PushSubscription.objects.filter(user=actor).order_by("-created_at", "-pk")
        excess = list(keep.values_list("pk", flat=True)[settings.WEBPUSH_MAX_SUBSCRIPTIONS :])
        PushSubscription.objects.filter(pk__in=excess).delete()
    return subscription


def _own(actor: User, public_id: str) -> PushSubscription:
    subscription = PushSubscription.objects.filter(user=actor, public_id=public_id).first()
    if subscription is None:
        raise DomainError(ErrorCode.SUBSCRIPTION_NOT_FOUND, "No such push subscription.")
    return subscription


@transaction.atomic
def push_set_enabled(*, actor: User, public_id: str, enabled: bool) -> PushSubscription:
    """Switch desktop notifications on this device on or off (the subscription stays).

    Raises: subscription_not_found (none of the actor's).
    """
    subscription = _own(actor, public_id)
    if subscription.enabled != enabled:
        subscription.enabled = enabled
        subscription.save(update_fields=["enabled"])
    return subscription


@transaction.atomic
def push_unsubscribe(*, actor: User, public_id: str) -> None:
    """Forget a device's subscription (the browser unsubscribed, or its person signed out there).

    Raises: subscription_not_found (none of the actor's).
    """
    _own(actor, public_id).delete()
