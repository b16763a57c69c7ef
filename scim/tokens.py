"""SCIM tokens: created and revoked by a workspace's owners (or the operator), authenticated on every SCIM
request. Only a hash is stored (accounts.models.hash_token); the raw token is returned once."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User, hash_token
from audit.models import AuditAction
from audit.services import audit_record
from scim.models import ScimToken
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role, Workspace
from workspaces.permissions import access_workspace_admin

TOKEN_PREFIX = "scim-"
NAME_MAX_LENGTH = 100
LAST_USED_PRECISION_SECONDS = 60


def _check_owner(actor: User | None, workspace: Workspace) -> None:
    membership = access_workspace_admin(actor, workspace)
    if membership is not None and membership.role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners manage SCIM provisioning.")


@transaction.atomic
def scim_token_create(
    *, actor: User | None, workspace: Workspace, name: str = "", request: HttpRequest | None = None
) -> tuple[ScimToken, str]:
    """A new SCIM token for the workspace, and its raw value (shown once, never stored).

    Callers: the workspace's owners; the operator (actor None). Raises: restricted_action (not an owner),
    invalid_name (too long), and as access_workspace_admin. Audit: scim_config_changed.
    """
    _check_owner(actor, workspace)
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "A token name can be at most %(limit)s characters.",
            fields={"name": "too_long"},
            params={"limit": NAME_MAX_LENGTH},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        workspace=workspace, name=name, token_hash=hash_token(raw), prefix=raw[:12], created_by=actor
    )
    audit_record(
        action=AuditAction.SCIM_CONFIG_CHANGED,
        actor=actor,
        workspace=workspace,
        request=request,
        target_label=f"SCIM token {token.prefix}…",
        data={"change": "token_created", "token": token.prefix, "name": name},
    )
    return token, raw


@transaction.atomic
def scim_token_revoke(*, actor: User | None, token: ScimToken, request: HttpRequest | None = None) -> ScimToken:
    """Revoke a SCIM token at once: the next request with it is refused (401). Revoking twice changes nothing.

    Callers: the workspace's owners; the operator. Raises: restricted_action, and as access_workspace_admin.
    Audit: scim_config_changed.
    """
    _check_owner(actor, token.workspace)
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.SCIM_CONFIG_CHANGED,
            actor=actor,
            workspace=token.workspace,
            request=request,
            target_label=f"SCIM token {token.prefix}…",
            data={"change": "token_revoked", "token": token.prefix},
        )
    return token


def scim_token_authenticate(raw: str) -> ScimToken:
    """The live SCIM token for a raw bearer value, with its workspace.

    A token must not outlast its maker's right to make it: one made by an owner works only while that
    person is an active owner of the workspace (one made by the operator has no maker to lose).
    Raises: invalid_auth (unknown, revoked, or its maker no longer an owner).
    """
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX):
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing SCIM token.")
    token = ScimToken.objects.select_related("workspace").filter(token_hash=hash_token(raw), revoked_at=None).first()
    if token is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked SCIM token.")
    if (
        token.created_by_id is not None
        and not Membership.objects.filter(
            workspace_id=token.workspace_id,
            user_id=token.created_by_id,
            user__is_active=True,
            is_active=True,
            role=Role.OWNER,
        ).exists()
    ):
        raise DomainError(ErrorCode.INVALID_AUTH, "This SCIM token's maker is no longer an owner here.")
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
