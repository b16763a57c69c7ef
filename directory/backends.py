"""Sign-in by LDAP password: a django-auth-ldap backend whose settings come from each enabled, trusted
workspace directory rather than from Django settings.

Listed after accounts.backends.EmailBackend in AUTHENTICATION_BACKENDS, so a correct local password never
reaches a directory, and every sign-in surface that calls django.contrib.auth.authenticate (the login page,
the Django admin, the API) accepts an LDAP password. A directory that is down costs at most its timeout,
is logged and audited, and the next backend (or directory) is tried: it never blocks anyone else.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import ldap
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    LDAPSettings,
    NestedActiveDirectoryGroupType,
)

from audit.models import AuditAction
from audit.services import audit_record
from directory.identities import candidate_directories, ldap_identity_accept
from directory.ldap import connection_options, person_from_attrs
from directory.models import Directory, GroupType
from directory.sealing import unseal
from directory.services import SignInRefused, role_for
from slackclone.errors import DomainError

logger = logging.getLogger(__name__)

GROUP_TYPES = {
    GroupType.GROUP_OF_NAMES: GroupOfNamesType,
    GroupType.GROUP_OF_UNIQUE_NAMES: GroupOfUniqueNamesType,
    GroupType.ACTIVE_DIRECTORY: NestedActiveDirectoryGroupType,
}
# django-auth-ldap reports a server error through its ldap_error signal (directory.receivers), which notes it here.
ldap_errors: contextvars.ContextVar[list[Exception] | None] = contextvars.ContextVar("ldap_errors", default=None)


def directory_settings(directory: Directory) -> LDAPSettings:
    """django-auth-ldap's settings for one directory (the prefix names no Django setting, so only these apply)."""
    group_search = (
        LDAPSearch(directory.group_search_base, ldap.SCOPE_SUBTREE, "(objectClass=*)")
        if directory.group_search_base
        else None
    )
    return LDAPSettings(
        prefix="SLACKCLONE_DIRECTORY_",
        defaults={
            "SERVER_URI": directory.server_uri,
            "START_TLS": directory.start_tls,
            "BIND_DN": directory.bind_dn,
            "BIND_PASSWORD": unseal(directory.bind_password_sealed),
            "CONNECTION_OPTIONS": connection_options(directory),
            "USER_SEARCH": LDAPSearch(directory.user_search_base, ldap.SCOPE_SUBTREE, directory.user_filter),
            "GROUP_SEARCH": group_search,
            "GROUP_TYPE": GROUP_TYPES[GroupType(directory.group_type)]() if group_search else None,
            # Accounts are made and updated by directory.identities (through our services), never by the library.
            "ALWAYS_UPDATE_USER": False,
            "CACHE_TIMEOUT": 0,
        },
    )


class WorkspaceDirectoryLDAP(LDAPBackend):
    """django-auth-ldap bound to one directory: it searches the person, binds as them with their password,
    reads their groups, and hands the result to directory.identities instead of saving a user itself."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.settings = directory_settings(directory)
        self.refusal = ""

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        directory = self.directory
        person = person_from_attrs(directory, ldap_user.dn, ldap_user.attrs or {})
        group_dns = {dn.lower() for dn in ldap_user.group_dns} if directory.group_search_base else set()
        try:
            user = ldap_identity_accept(
                directory=directory,
                person=person,
                role=role_for(directory, group_dns.__contains__),
                request=ldap_user._request,
            )
        except SignInRefused as refused:
            self.refusal = refused.reason
            raise ldap_user.AuthenticationFailed(refused.reason) from None
        except DomainError as error:  # a race (the address taken meanwhile) or a membership rule
            self.refusal = error.code.value
            raise ldap_user.AuthenticationFailed(error.code.value) from None
        return user, False


class DirectoryBackend(LDAPBackend):
    """The backend named in settings: tries the directories this identifier may go to, in turn."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:  # fmt: skip
        username = (kwargs.get(get_user_model().USERNAME_FIELD) or username or "").strip()
        if not username or not password:
            return None
        for directory in candidate_directories(username):
            user = self._authenticate_with(directory, request, username, password)
            if user is not None:
                return user
        return None

    def _authenticate_with(
        self, directory: Directory, request: HttpRequest | None, username: str, password: str
    ) -> Any:
        backend = WorkspaceDirectoryLDAP(directory)
        errors: list[Exception] = []
        token = ldap_errors.set(errors)
        try:
            user = backend.authenticate(request, username=username, password=password)
        finally:
            ldap_errors.reset(token)
        if user is not None:
            return user
        if errors:
            logger.warning("LDAP directory %s unavailable: %s", directory.server_uri, errors[0])
        reason = "directory_unavailable" if errors else backend.refusal or "invalid_credentials"
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            workspace=directory.workspace,
            request=request,
            target_label=username,
            data={"method": "ldap", "reason": reason},
        )
        return None

    def get_user(self, user_id: Any) -> Any:
        """The session's account while it is active (django-auth-ldap's own get_user does not check)."""
        user = get_user_model().objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None

    def get_all_permissions(self, user: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user: Any, obj: Any = None) -> set[str]:
        return set()
