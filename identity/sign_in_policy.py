"""Changing a workspace's sign-in policy (the write path; identity.policy reads it).

Only owners set it. The one rule that keeps a workspace from locking itself out: whenever passwords are
refused (SSO only, or password sign-in off), a break-glass owner must be chosen, an active owner, who may
always enter with a password.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from identity.models import IdentityProvider, SignInPolicy
from realtime import transport
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from workspaces.models import Workspace

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_SESSION_HOURS = 24 * 365


def check_owner(actor: User | None, workspace: Workspace) -> None:
    """Owners (or the operator) set the sign-in policy. Raises workspace_not_found or restricted_action."""
    if actor is None:
        return
    if access_membership(actor, workspace).role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners can change the sign-in policy.")


def check_domains(raw: list[str]) -> list[str]:
    domains = []
    for item in raw:
        domain = item.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "%(domain)s is not a domain name (for example example.com).",
                fields={"allowed_email_domains": "invalid"},
                params={"domain": repr(domain)},
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def _check_break_glass(workspace: Workspace, user: User | None, *, needed: bool) -> None:
    if user is None:
        if needed:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "Choose a break-glass owner who may still sign in with a password.",
                fields={"break_glass_owner": "required"},
            )
        return
    if not Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER, is_active=True).exists():
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The break-glass owner must be an owner of this workspace.",
            fields={"break_glass_owner": "invalid"},
        )


@transaction.atomic
def sign_in_policy_update(
    *,
    actor: User | None,
    workspace: Workspace,
    allow_password: bool,
    allow_ldap: bool,
    allow_sso: bool,
    sso_only: bool,
    sso_providers: list[IdentityProvider] | None = None,
    break_glass_owner: User | None = None,
    allowed_email_domains: list[str] | None = None,
    session_length_hours: int | None = None,
    request: HttpRequest | None = None,
) -> SignInPolicy:
    """Set the whole policy. Sessions' sockets reconnect so each is checked against it at once.
    Callers: the workspace's owners; the operator (actor None).
    Raises: workspace_not_found, restricted_action, invalid_arguments (a domain, the session length, no
    break-glass owner while passwords are refused, a provider of another workspace, no method at all).
    Events: chat.close (4013, sign_in_policy) to the sessions' sockets of the workspace's members;
    audit sign_in_policy_changed."""
    check_owner(actor, workspace)
    providers = list(sso_providers or [])
    if any(provider.workspace_id != workspace.pk for provider in providers):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Choose providers of this workspace.", fields={"sso_providers": "invalid"}
        )
    if sso_only:
        allow_sso, allow_password, allow_ldap = True, False, False
    if not (allow_password or allow_ldap or allow_sso):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Allow at least one way to sign in.", fields={"allow_password": "invalid"}
        )
    if session_length_hours is not None and not 1 <= session_length_hours <= MAX_SESSION_HOURS:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "A session lasts 1 hour to 365 days.",
            fields={"session_length_hours": "invalid"},
        )
    _check_break_glass(workspace, break_glass_owner, needed=sso_only or not allow_password)
    policy, _ = SignInPolicy.objects.select_for_update().get_or_create(workspace=workspace)
    before = policy_summary(policy)
    policy.allow_password, policy.allow_ldap, policy.allow_sso, policy.sso_only = (
        allow_password,
        allow_ldap,
        allow_sso,
        sso_only,
    )
    policy.break_glass_owner = break_glass_owner
    policy.allowed_email_domains = check_domains(allowed_email_domains or [])
    policy.session_length_hours = session_length_hours
    policy.updated_at, policy.updated_by = timezone.now(), actor
    policy.save()
    policy.sso_providers.set(providers)
    after = policy_summary(policy)
    audit_record(
        action=AuditAction.SIGN_IN_POLICY_CHANGED,
        actor=actor,
        workspace=workspace,
        request=request,
        data={"before": before, "after": after},
    )
    for member in Membership.objects.filter(workspace=workspace, is_active=True).select_related("user"):
        transport.close_sockets(member.user, code=4013, reason="sign_in_policy", sessions_only=True)
    return policy


def policy_summary(policy: SignInPolicy) -> dict[str, Any]:
    """The policy as the audit log keeps it (no secrets in it)."""
    return {
        "allow_password": policy.allow_password,
        "allow_ldap": policy.allow_ldap,
        "allow_sso": policy.allow_sso,
        "sso_only": policy.sso_only,
        "sso_providers": (
            sorted(p.provider_id for p in policy.sso_providers.select_related("social_app")) if policy.pk else []
        ),
        "break_glass_owner": policy.break_glass_owner.public_id if policy.break_glass_owner else None,
        "allowed_email_domains": list(policy.allowed_email_domains),
        "session_length_hours": policy.session_length_hours,
    }
