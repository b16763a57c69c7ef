"""Signing out, or losing the account, closes the user's open sockets at once, in every process;
a failed sign-in counts against the account it named.

The socket authenticated once, at its handshake; these receivers are how it learns that the
session behind it ended or the account was deactivated (close code 4401).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from realtime import transport


@receiver(user_logged_out, dispatch_uid="accounts.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    """Signing out in one browser closes the sockets that browser's session opened; the person's other
    sessions and API tokens keep theirs (a session without a key, never saved, closes them all)."""
    if user is not None and user.is_authenticated:
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        transport.close_sockets(user, code=4401, reason="logged_out", session_key=session_key)


@receiver(user_login_failed, dispatch_uid="accounts.count_sign_in_failure")
def count_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    """Every sign-in surface (pages, the API, the Django admin) authenticates through Django, so this
    is where a wrong password counts against the account it named."""
    from slackclone.api.ratelimit import count_account_sign_in_failure

    count_account_sign_in_failure(str(credentials.get("username") or credentials.get("email") or ""))


SESSION_SIGNING_FIELDS = ("password", "session_epoch")


@receiver(pre_save, sender=User, dispatch_uid="accounts.note_session_signing_change")
def note_session_signing_change(sender, instance: User, update_fields=None, **kwargs) -> None:
    """Whether this save changes what signs the user's sessions (a new password, from any surface:
    reset, change, the Django admin; or "sign out of all other sessions"). Those sessions end then."""
    instance._sessions_resigned = False
    instance._session_signing_changes = frozenset()
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(SESSION_SIGNING_FIELDS)):
        return
    stored = User.objects.filter(pk=instance.pk).values_list(*SESSION_SIGNING_FIELDS).first()
    instance._sessions_resigned = stored is not None and stored != (instance.password, instance.session_epoch)
    if stored is not None and instance._sessions_resigned:
        # Which of them changed, for the audit log (audit.receivers): a new password, or the sessions ended.
        now = (instance.password, instance.session_epoch)
        instance._session_signing_changes = frozenset(
            name for name, before, after in zip(SESSION_SIGNING_FIELDS, stored, now, strict=True) if before != after
        )


@receiver(post_save, sender=User, dispatch_uid="accounts.close_sockets_of_ended_sessions")
def close_sockets_of_ended_sessions(sender, instance: User, created: bool, **kwargs) -> None:
    """The sockets of sessions signed the old way are closed with 4013: each client reconnects at once,
    which the session that made the change (re-signed by Django) survives and every other one fails (4401)."""
    if getattr(instance, "_sessions_resigned", False):
        transport.close_sockets(instance, code=4013, reason="session_changed")


@receiver(post_save, sender=User, dispatch_uid="accounts.close_sockets_on_deactivation")
def close_sockets_on_deactivation(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """A deactivated account's sockets close, and the bot tokens it made stop working with it."""
    from accounts.services import api_tokens_revoke_minted_by

    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    transport.close_sockets(instance, code=4401, reason="account_inactive")
    api_tokens_revoke_minted_by(user=instance)
