"""The outbox jobs of the accounts app: thin adapters that fetch by id and send the mail (outbox.registry)."""

from __future__ import annotations

from accounts.models import User
from outbox.registry import job
from slackclone.celery import EMAIL_QUEUE


@job("accounts.send_account_email", queue=EMAIL_QUEUE, atomic=False)
def send_account_email(kind: str, user_id: int, next_url: str = "") -> None:
    """Mail what sign-up decided (accounts.signup): `verify`, `exists` or `placeholder`.

    The link is made when the mail is sent, from the account as it is then, so a link never outlives
    a change of address or password. An imported account waiting to be claimed gets a note
    saying which workspaces hold it: an invitation mailed to it is how it is claimed.
    """
    from accounts import emails

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if kind == "verify" and user.is_active and not user.email_verified:
        emails.send_verification_email(user, next_url)
    elif kind == "exists":
        emails.send_account_exists_email(user)
    elif kind == "placeholder":
        emails.send_account_imported_email(user)
