"""django-auth-ldap reports a server error (down, timed out, refused the service bind) through its ldap_error
signal and then answers "no such user"; this notes it, so directory.backends can log and audit an outage."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_auth_ldap.backend import ldap_error


@receiver(ldap_error, dispatch_uid="directory.note_ldap_error")
def note_ldap_error(sender: Any, context: str, exception: Exception, **kwargs: Any) -> None:
    from directory.backends import ldap_errors

    errors = ldap_errors.get()
    if errors is not None:
        errors.append(exception)
