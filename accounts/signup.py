"""Signing up and proving an email address: the write path that decides when an address counts.

An address is trusted (invitations addressed to it, imported history, being matched by an import)
only once its owner proved it by following a link mailed to it, or an operator made the account.
Sign-up never says whether an address has an account: it answers "check your email" every time and
mails the address what fits it (a verification link for a new account; a note with the sign-in and
reset links for an existing one; for an imported account waiting to be claimed, how to claim it).
Mail to one address is rate limited (ACCOUNT_EMAILS_PER_ADDRESS_RATE), whoever asks for it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import check_email, user_create
from accounts.verification import read_verification_token
from outbox.services import job_enqueue
from slackclone.api.ratelimit import retry_after_if_limited
from slackclone.errors import DomainError, ErrorCode

MAIL_GROUP = "accounts.mail"


def _mail_budget_left(email: str) -> int | None:
    """Count one mail to `email`; the seconds until the next is allowed once over the rate, else None."""
    key = hashlib.sha256(email.lower().encode()).hexdigest()
    return retry_after_if_limited(None, group=MAIL_GROUP, key=key, rate=settings.ACCOUNT_EMAILS_PER_ADDRESS_RATE)


def _queue_mail(kind: str, user: User, next_url: str) -> None:
    """The mail is an outbox job (accounts.jobs), written with the change that calls for it."""
    job_enqueue("accounts.send_account_email", kind, user.pk, next_url)


def check_new_password(password: str, user: User) -> None:
    """Django's password rules (length, common passwords, likeness to the person). Raises invalid_password."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        said_by_django = " ".join(exc.messages)  # already in the person's language
        raise DomainError(ErrorCode.INVALID_PASSWORD, said_by_django, fields={"password": "weak"}) from None


def is_unclaimed_placeholder(user: User) -> bool:
    """An account an import made for someone who has not claimed it: inactive, no password, never signed in."""
    return not (user.is_active or user.is_bot or user.has_usable_password() or user.last_login is not None)


@transaction.atomic
def user_sign_up(*, email: str, password: str, display_name: str = "", full_name: str = "", next_url: str = "") -> None:
    """Start an account for `email`; what happens next arrives by mail, so the answer is the same either way.

    A new address gets an account that cannot join anything yet and a link that proves the address
    (and signs in). An address with an account gets a note instead (sign in, or reset the password,
    which also proves the address); one whose account an import made, how to claim it.
    The password is hashed on every path, so the answer takes as long whether or not the address is known.
    Callers: the sign-up page and API, for anyone (rate limited per client address by the caller).
    Raises: invalid_email, invalid_password. Never email_taken.
    """
    email = check_email(email)
    check_new_password(password, User(email=email, display_name=display_name))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = user_create(email=email, password=password, display_name=display_name, full_name=full_name)
        kind = "verify"
    else:
        make_password(password)  # as much work as creating the account would have been
        user = existing
        kind = "placeholder" if is_unclaimed_placeholder(existing) else "exists"
        if existing.is_bot:
            return
    if _mail_budget_left(email) is None:
        _queue_mail(kind, user, next_url)


def email_verification_send(*, actor: User, next_url: str = "") -> None:
    """Mail the actor a fresh link proving their address (the "resend" button).

    Callers: a signed-in person whose address is not proved yet.
    Raises: ratelimited (too many mails to this address), restricted_action (already proved; bots).
    """
    if actor.is_bot or actor.email_verified:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "This address is already verified.")
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    retry_after = _mail_budget_left(actor.email)
    if retry_after is not None:
        raise DomainError(
            ErrorCode.RATELIMITED,
            "We sent several links recently; try again in %(value)s minutes.",
            params={"value": retry_after // 60 + 1},
        )
    _queue_mail("verify", actor, next_url)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Mark the address a verification link was mailed to as proved; the caller signs the person in.

    Callers: anyone holding the link (it proves they read that mailbox).
    Raises: invalid_verification_link (tampered, used, or the address or password changed since),
    verification_link_expired, account_inactive.
    """
    user = read_verification_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    mark_email_verified(user)
    return user


def mark_email_verified(user: User) -> None:
    """Record that the owner of `user.email` proved it now, if not already (a link they followed did)."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


@transaction.atomic
def user_make_placeholder(*, user: User) -> User:
    """Turn an account that never proved its address, and holds nothing, into an unclaimed placeholder.

    An import that finds such an account at an address it brings history for cannot trust it, and
    the address cannot hold two accounts: the account stops signing in (its sessions and sockets end)
    and whoever owns the address claims it, with the history, from an invitation mailed there.
    Callers: the Slack import, as the trusted operator.
    Raises: restricted_action (a proved address, a bot, or an account in any workspace).
    Events: the closing of the account's sockets.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified or user.is_bot or user.memberships.exists():
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION,
            "%(email)s cannot become an import's placeholder.",
            params={"email": user.email},
        )
    user.is_active = False
    user.set_unusable_password()
    user.last_login = None
    user.save(update_fields=["is_active", "password", "last_login"])
    return user
