"""Rate limits on top of django-ratelimit's cache counters (the shared Redis cache on the real stack).

Writes are limited per user (settings.API_WRITE_RATE); login, sign-up and token creation per
client address (settings.API_AUTH_RATE), since their callers are often not authenticated yet; and
failed sign-ins per account (settings.AUTH_FAILURES_PER_ACCOUNT_RATE), on every sign-in surface.
A request over the limit gets 429 with Retry-After and the error shape. If the cache is down
the limit fails open: losing rate limiting for a moment beats refusing every write.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from slackclone.api.exceptions import ApiRatelimited

logger = logging.getLogger(__name__)

WRITE_GROUP = "api.write"
AUTH_GROUP = "api.auth"
ACCOUNT_FAILURES_GROUP = "auth.account-failures"


def retry_after_if_limited(request, *, group: str, key: str, rate: str) -> int | None:
    """Count one request against `key`'s budget in `group`; past `rate`, the seconds to wait, else None.

    For surfaces with their own 429 answer (the Slack Web API, incoming webhooks). Fails open.
    """
    try:
        usage = get_usage(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)
    except (RedisError, OSError):  # a cache outage must not fail the request
        logger.warning("Rate-limit cache unavailable; letting %s through", group, exc_info=True)
        return None
    if usage is not None and usage["should_limit"]:
        return max(1, int(usage["time_left"]))
    return None


def _check(request, *, group: str, key, rate: str) -> None:
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    except (RedisError, OSError):  # a cache outage must not fail the request
        logger.warning("Rate-limit cache unavailable; letting %s through", group, exc_info=True)
        return
    if usage is not None and usage["should_limit"]:
        raise ApiRatelimited(retry_after=usage["time_left"])


def check_write_rate(request) -> None:
    """Count one write by the authenticated user; raises ApiRatelimited past API_WRITE_RATE."""
    user_key = str(request.user.pk)
    _check(request, group=WRITE_GROUP, key=lambda _group, _request: user_key, rate=settings.API_WRITE_RATE)


def check_auth_rate(request) -> None:
    """Count one login, sign-up or token request from this client address; past API_AUTH_RATE, 429."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    _check(request, group=AUTH_GROUP, key=lambda _group, _request: address, rate=settings.API_AUTH_RATE)


def _account_key(username: str) -> str:
    return hashlib.sha256((username or "").strip().lower().encode()).hexdigest()


def check_account_sign_in_rate(request, username: str) -> None:
    """Refuse a sign-in to an account that has failed AUTH_FAILURES_PER_ACCOUNT_RATE times: guessing one
    account's password from many addresses gets no further than from one. Counts nothing itself."""
    if not username:
        return
    key = _account_key(username)
    try:
        usage = get_usage(
            request,
            group=ACCOUNT_FAILURES_GROUP,
            key=lambda _group, _request: key,
            rate=settings.AUTH_FAILURES_PER_ACCOUNT_RATE,
        )
    except (RedisError, OSError):
        logger.warning("Rate-limit cache unavailable; letting a sign-in through", exc_info=True)
        return
    if usage is not None and usage["count"] >= usage["limit"]:
        raise ApiRatelimited(retry_after=usage["time_left"])


def count_account_sign_in_failure(username: str) -> None:
    """Count one failed sign-in against the account it named (whatever the surface: every sign-in goes
    through django.contrib.auth.authenticate, whose user_login_failed signal calls this)."""
    if username:
        retry_after_if_limited(
            None, group=ACCOUNT_FAILURES_GROUP, key=_account_key(username), rate=settings.AUTH_FAILURES_PER_ACCOUNT_RATE
        )
