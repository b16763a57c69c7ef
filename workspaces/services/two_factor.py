"""Whether a workspace requires two-factor authentication of its people (identity.mfa.must_enrol reads it)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import TwoFactorPolicy, Workspace
from workspaces.permissions import access_workspace_owner


@transaction.atomic
def workspace_set_two_factor_policy(*, actor: User | None, workspace: Workspace, policy: str) -> Workspace:
    """Require two-factor authentication of nobody (the default), of owners and admins, or of everyone.
    Covered people without an authenticator app or a passkey are sent to set one up before the client opens;
    API tokens keep working, since a token is not a sign-in. Only owners decide: the rule binds the admins too.

    Callers: workspace owners; the operator.
    Raises: workspace_not_found, account_inactive, restricted_action (not an owner),
    invalid_arguments (not one of TwoFactorPolicy's values).
    Events: none on the socket; the audit log records sign_in_policy_changed with the old and new value.
    """
    access_workspace_owner(actor, workspace)
    if policy not in TwoFactorPolicy.values:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "two_factor_policy is one of %(value)s.",
            fields={"two_factor_policy": "invalid"},
            params={"value": ", ".join(TwoFactorPolicy.values)},
        )
    previous = workspace.two_factor_policy
    if previous != policy:
        workspace.two_factor_policy = policy
        workspace.save(update_fields=["two_factor_policy"])
        audit_record(
            action=AuditAction.SIGN_IN_POLICY_CHANGED,
            actor=actor,
            workspace=workspace,
            target=workspace,
            data={"setting": "two_factor_policy", "from": previous, "to": policy},
        )
    return workspace
