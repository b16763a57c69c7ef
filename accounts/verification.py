"""Links that prove someone reads the mail sent to an address.

A link carries the account's public id and a fingerprint of what it proves (the address, whether
it was already proved, and the password hash), signed with SECRET_KEY and stamped with the time.
It expires after EMAIL_VERIFICATION_MAX_AGE_SECONDS, and it works once: proving the address (or
changing the address or the password) changes the fingerprint, so every earlier link stops working.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

from accounts.models import User
from slackclone.errors import DomainError, ErrorCode

_SALT = "accounts.email-verification"


def _fingerprint(user: User) -> str:
    state = f"{user.email.lower()}|{user.email_verified_at}|{user.password}|{user.is_active}"
    return salted_hmac(_SALT, state, algorithm="sha256").hexdigest()[:32]


def make_verification_token(user: User) -> str:
    return signing.dumps({"u": user.public_id, "f": _fingerprint(user)}, salt=_SALT, compress=False)


def verification_url(user: User, next_url: str = "") -> str:
    """The absolute link mailed to the address (SITE_URL); `next_url` is where it goes afterwards."""
    path = reverse("accounts:verify-email", args=[make_verification_token(user)])
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return f"{settings.SITE_URL}{path}{query}"


def _invalid() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_VERIFICATION_LINK,
        "This verification link is not valid, or it has been used already. Ask for a new one.",
    )


def read_verification_token(token: str) -> User:
    """The account a link proves the address of, if the link is genuine, unused and in time.

    Raises: invalid_verification_link (tampered, unknown account, already used), verification_link_expired.
    """
    if not isinstance(token, str) or len(token) > 512:
        raise _invalid()
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise DomainError(
            ErrorCode.VERIFICATION_LINK_EXPIRED, "This verification link has expired. Ask for a new one."
        ) from None
    except signing.BadSignature:
        raise _invalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("f"), str):
        raise _invalid()
    user = User.objects.filter(public_id=data["u"]).first()
    if user is None or not constant_time_compare(data["f"], _fingerprint(user)):
        raise _invalid()
    return user
