"""One-time tickets for rtm.connect: the URL it answers carries a ticket that opens one socket.

A ticket is random, lives TICKET_TTL_SECONDS by the gateway's clock (realtime.clock), and is kept
only as a hash in Django's cache (Redis on the real stack, so any gateway process can redeem it)
bound to the API token's id and its expiry: the socket then acts as that token's user in that
token's workspace, as a Bearer token would. The cache forgets it once it has expired.
Redeeming deletes it, and only the caller whose delete removed it gets the token, so a ticket
opens at most one socket even when two handshakes race.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from django.core.cache import cache
from redis.exceptions import RedisError

from accounts.models import hash_token
from realtime import clock
from slackclone.errors import DomainError

if TYPE_CHECKING:
    from accounts.models import ApiToken

logger = logging.getLogger(__name__)

TICKET_TTL_SECONDS = 30
KEY_PREFIX = "rtm-ticket:"


def _key(raw: str) -> str:
    return KEY_PREFIX + hash_token(raw)


def ticket_issue(token: ApiToken) -> str:
    """A fresh ticket for `token`; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    cache.set(_key(raw), (token.pk, clock.now() + TICKET_TTL_SECONDS), timeout=TICKET_TTL_SECONDS)
    return raw


def ticket_redeem(raw: str) -> ApiToken | None:
    """The live token a ticket was issued for, once; None if unknown, expired, used, or the token is no longer good."""
    from accounts.models import ApiToken
    from workspaces.permissions import access_membership

    if not isinstance(raw, str) or not raw or len(raw) > 200:
        return None
    key = _key(raw)
    try:
        entry = cache.get(key)
        # delete() says whether it removed the key: of two racing redeemers, only one wins.
        if not isinstance(entry, tuple) or not cache.delete(key):
            return None
    except (RedisError, OSError):  # the cache is down: the client asks rtm.connect again later
        logger.warning("Ticket cache unavailable; refusing an rtm.connect ticket", exc_info=True)
        return None
    token_pk, expires_at = entry
    if clock.now() >= expires_at:
        return None
    token = ApiToken.objects.select_related("user", "workspace").filter(pk=token_pk, revoked_at__isnull=True).first()
    if token is None:
        return None
    try:
        access_membership(token.user, token.workspace)
    except DomainError:
        return None
    return token
