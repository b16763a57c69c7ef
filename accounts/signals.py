"""Signing out, or losing the account, closes the user's open sockets at once, in every process;
a failed sign-in counts against the account it named.

The socket authenticated once, at its handshake; these receivers are how it learns that the
session behind it ended or the account was deactivated (close code 4401).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from chat import events


@receiver(user_logged_out, dispatch_uid="accounts.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        events.close_sockets(user, code=4401, reason="logged_out")


@receiver(user_login_failed, dispatch_uid="accounts.count_sign_in_failure")
def count_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    """Every sign-in surface (pages, the API, the Django admin) authenticates through Django, so this
    is where a wrong password counts against the account it named."""
    from slackclone.api.ratelimit import count_account_sign_in_failure

    count_account_sign_in_failure(str(credentials.get("username") or credentials.get("email") or ""))


@receiver(post_save, sender=User, dispatch_uid="accounts.close_sockets_on_deactivation")
def close_sockets_on_deactivation(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    events.close_sockets(instance, code=4401, reason="account_inactive")
