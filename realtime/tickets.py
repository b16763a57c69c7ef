"""One-time tickets for rtm.connect (and Socket Mode's apps.connections.open): the URL each answers
carries a ticket that opens one socket.

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
from slackclone.orm import unique_or_none

if TYPE_CHECKING:
    from accounts.models import ApiToken

logger = logging.getLogger(__name__)

TICKET_TTL_SECONDS = 30
KEY_PREFIX = "rtm-ticket:"


def _key(prefix: str, raw: str) -> str:
    return prefix + hash_token(raw)


def issue_ticket(prefix: str, value: int) -> str:
    """A fresh one-time ticket standing for `value` (a row's id) under `prefix`; returned raw, never stored."""
    raw = secrets.token_urlsafe(32)
    cache.set(_key(prefix, raw), (value, clock.now() + TICKET_TTL_SECONDS), timeout=TICKET_TTL_SECONDS)
    return raw


def redeem_ticket(prefix: str, raw: str) -> int | None:
    """The value a live ticket stands for, once; None if unknown, expired or already used."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        return None
    key = _key(prefix, raw)
    try:
        entry = cache.get(key)
        # delete() says whether it removed the key: of two racing redeemers, only one wins.
        if not isinstance(entry, tuple) or not cache.delete(key):
            return None
    except (RedisError, OSError):  # the cache is down: the client asks for a new ticket later
        logger.warning("Ticket cache unavailable; refusing a ticket", exc_info=True)
        return None
    value, expires_at = entry
    if clock.now() >= expires_at or not isinstance(value, int):
        return None
    return value


def ticket_issue(token: ApiToken) -> str:
    """A fresh rtm.connect ticket for `token`."""
    return issue_ticket(KEY_PREFIX, token.pk)


def ticket_redeem(raw: str) -> ApiToken | None:
    """The live token a ticket was issued for, once; None if unknown, expired, used, or the token is no longer good."""
    from accounts.models import ApiToken
    from workspaces.permissions import access_membership

    token_pk = redeem_ticket(KEY_PREFIX, raw)
    if token_pk is None:
        return None
    token = unique_or_none(
        ApiToken.objects.select_related("user", "workspace").filter(pk=token_pk, revoked_at__isnull=True)
    )
    if token is None:
        return None
    try:
        access_membership(token.user, token.workspace)
    except DomainError:
        return None
    return token
