"""A person's desktop notifications end with the access that turned them on.

A push reaches a browser whether or not anyone is still signed in there. So when a person signs out,
when their sessions are ended (a new password, "sign out of all other sessions") or when their account
is deactivated, their push subscriptions are deleted at once: no more of their messages goes to any
device until they sign in and turn desktop notifications on again. A subscription is not tied to the
session that made it, so signing out on one device turns them off on every device.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from notifications.models import PushSubscription


def end_push_on_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        PushSubscription.objects.filter(user=user).delete()


def end_push_when_access_ends(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    """After a save of the user: their sessions were re-signed (accounts.signals notes it) or they were
    deactivated."""
    if created:
        return
    sessions_ended = getattr(instance, "_sessions_resigned", False)
    deactivated = not instance.is_active and (update_fields is None or "is_active" in update_fields)
    if sessions_ended or deactivated:
        PushSubscription.objects.filter(user=instance).delete()
