"""The mail that sign-up and address verification send. Each goes only to the address it is about,
in its owner's language (a Celery worker has no request to take one from)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.verification import verification_url
from slackclone.i18n import language_of


def _send(user: User, template: str, context: dict) -> None:
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    with translation.override(language_of(user)):
        subject = render_to_string(f"accounts/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/emails/{template}.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[user.email]).send()


def send_verification_email(user: User, next_url: str = "") -> None:
    """The link that proves the address (and signs in). Callers: the account-mail task."""
    _send(user, "verify_email", {"url": verification_url(user, next_url)})


def send_account_exists_email(user: User) -> None:
    """Someone signed up with an address that has an account: tell its owner how to get in instead."""
    _send(
        user,
        "account_exists",
        {
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
    )


def send_account_imported_email(user: User) -> None:
    """Someone signed up with the address of an imported account that no invitation can claim yet:
    tell its owner which workspaces hold it, and that an admin's invitation is the way in."""
    names = [m.workspace.name for m in user.memberships.select_related("workspace")]
    _send(user, "account_imported", {"workspaces": names})
