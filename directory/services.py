"""The directory's write path: owners configure it, sign-in by LDAP password links or provisions the person,
`sync_ldap` brings names, addresses and roles up to date and deactivates those who left.

Accounts are made only by accounts.services.user_create and join only through the workspaces membership
services. The linking rule (docs/identity.md): an LDAP identity is linked to an existing account by address
only when that account is already an active member of the directory's workspace (and not a staff account);
anyone else with that address keeps their account to themselves and the LDAP sign-in is refused.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import ldap.dn
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from directory import ldap as directory_ldap
from directory.models import TRUST_FIELDS, Directory, GroupType
from directory.permissions import access_directory_owner
from directory.sealing import seal
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Role, Workspace

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "enabled", "server_uri", "start_tls", "bind_dn", "user_search_base", "user_filter", "attr_email",
    "attr_full_name", "attr_display_name", "group_search_base", "group_type", "owner_group_dn", "admin_group_dn",
    "member_group_dn", "guest_group_dn", "timeout_seconds",
)  # fmt: skip
DN_FIELDS = ("bind_dn", "user_search_base", "group_search_base", "owner_group_dn", "admin_group_dn",
             "member_group_dn", "guest_group_dn")  # fmt: skip
ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")


class SignInRefused(Exception):
    """The directory accepted the password but this person may not sign in here; `reason` goes to the audit."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_values(values: dict[str, Any]) -> None:
    """Refuse what the server would misread. Raises invalid_arguments naming the field."""
    if not re.match(r"^ldaps?://[^\s/]+/?$", values["server_uri"]):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The server must be an ldap:// or ldaps:// address with a host.",
            fields={"server_uri": "invalid"},
        )
    user_filter = values["user_filter"]
    if "%(user)s" not in user_filter or not (user_filter.startswith("(") and user_filter.endswith(")")):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The user filter must be in parentheses and contain %(user)s.",
            fields={"user_filter": "invalid"},
        )
    for name in DN_FIELDS:
        if values[name] and not ldap.dn.is_dn(values[name]):
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "This is not a distinguished name (for example ou=people,dc=example,dc=org).",
                fields={name: "invalid"},
            )
    if not values["user_search_base"]:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "The user search base is required.", fields={"user_search_base": "invalid"}
        )
    for name in ("attr_email", "attr_full_name", "attr_display_name"):
        if (values[name] or name == "attr_email") and not ATTRIBUTE.match(values[name]):
            raise DomainError(ErrorCode.INVALID_ARGUMENTS, "This is not an attribute name.", fields={name: "invalid"})
    if values["group_type"] not in GroupType.values:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Choose one of the group types offered.", fields={"group_type": "invalid"}
        )
    mapped = any(values[f"{role}_group_dn"] for role in Role.values)
    if mapped and not values["group_search_base"]:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Mapping groups to roles needs a group search base.",
            fields={"group_search_base": "invalid"},
        )
    if not 1 <= int(values["timeout_seconds"]) <= 30:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The timeout must be between 1 and 30 seconds.",
            fields={"timeout_seconds": "invalid"},
        )


def directory_get(*, actor: User | None, workspace: Workspace) -> Directory | None:
    """The workspace's directory, for its owners. Raises workspace_not_found, restricted_action."""
    access_directory_owner(actor, workspace)
    return Directory.objects.filter(workspace=workspace).first()


@transaction.atomic
def directory_save(
    *,
    actor: User | None,
    workspace: Workspace,
    values: dict[str, Any],
    bind_password: str | None = None,
    request: HttpRequest | None = None,
) -> Directory:
    """Create or change the workspace's directory. `bind_password` None keeps the stored one, "" removes it.
    Changing the server, bind DN, search or email attribute ends the operator's trust (they vouched for
    what the old settings pointed at). Callers: owners, the operator. Raises workspace_not_found,
    restricted_action, invalid_arguments. Audit: sso_config_changed with the changed field names."""
    access_directory_owner(actor, workspace)
    directory = Directory.objects.select_for_update().filter(workspace=workspace).first()
    created = directory is None
    directory = directory or Directory(workspace=workspace)
    merged = {name: values.get(name, getattr(directory, name)) for name in EDITABLE_FIELDS}
    merged = {name: value.strip() if isinstance(value, str) else value for name, value in merged.items()}
    _check_values(merged)
    changed = sorted(name for name in EDITABLE_FIELDS if created or getattr(directory, name) != merged[name])
    for name in changed:
        setattr(directory, name, merged[name])
    if bind_password is not None:
        directory.bind_password_sealed = seal(bind_password)
        changed.append("bind_password")
    if directory.trusted and set(changed) & {*TRUST_FIELDS, "bind_password"}:
        directory.trusted = False
        changed.append("trusted")
    if not changed:
        return directory
    directory.updated_at = timezone.now()
    directory.save()
    audit_record(
        action=AuditAction.SSO_CONFIG_CHANGED,
        actor=actor,
        workspace=workspace,
        request=request,
        target=directory,
        target_label=directory.server_uri,
        data={"provider": "ldap", "fields": changed, "created": created},
    )
    return directory


@transaction.atomic
def directory_set_trusted(
    *, workspace: Workspace, trusted: bool, actor: User | None = None, request: HttpRequest | None = None
) -> Directory:
    """The operator vouches (or stops vouching) for the directory's addresses. Callers: the operator only
    (Django admin, the shell), never a workspace page; `actor` is the staff user, for the audit log only.
    Audit: sso_config_changed ({"provider": "ldap", "fields": ["trusted"]})."""
    directory = Directory.objects.select_for_update().get(workspace=workspace)
    if directory.trusted != trusted:
        directory.trusted = trusted
        directory.save(update_fields=["trusted"])
        audit_record(
            action=AuditAction.SSO_CONFIG_CHANGED,
            actor=actor,
            workspace=workspace,
            request=request,
            target=directory,
            target_label=directory.server_uri,
            data={"provider": "ldap", "fields": ["trusted"], "trusted": trusted},
        )
    return directory


def directory_test(*, actor: User | None, workspace: Workspace) -> directory_ldap.DirectoryUnavailable | None:
    """Bind as the service account and search; None when it works, else the failure with its reason.
    Callers: owners, the operator. Raises workspace_not_found, restricted_action, ldap_not_configured."""
    directory = directory_get(actor=actor, workspace=workspace)
    if directory is None:
        raise DomainError(ErrorCode.LDAP_NOT_CONFIGURED, "This workspace has no directory configured.")
    try:
        directory_ldap.check_connection(directory)
    except directory_ldap.DirectoryUnavailable as failure:
        logger.info("LDAP test for %s failed: %s", workspace.slug, failure)
        return failure
    return None


def role_for(directory: Directory, is_in: Any) -> Role | None:
    """The strongest role whose group `is_in(group_dn)`; with no groups mapped, or no members' group,
    everyone the filter finds is a member; None: not allowed."""
    for role, group_dn in directory.role_groups():
        if is_in(group_dn.lower()):
            return role
    return None if directory.member_group_dn else Role.MEMBER
