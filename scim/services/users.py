"""Provisioning people by SCIM: a SCIM User is a member of the token's workspace.

Who SCIM may touch (docs/identity.md, "SCIM provisioning"):
- A new address: the account is made (accounts.services.user_create) with the address counted as verified,
  because the workspace's operator trusts their identity provider to vouch for its people's addresses; the
  audit entry records that (`email_verified_by: "scim"`).
- An address that has an account: linked only if the account is already in this workspace, or is an active
  person whose owner has proved the address (then the IdP and the owner agree on who it is, and adding them
  is what an admin's member_add may do). An unproved address may belong to someone who registered it first,
  so it is refused, as are deactivated accounts and bots.
- SCIM changes an account's address and names only when SCIM made the account and it belongs to no other
  workspace. Anyone else's profile is their own: SCIM keeps the IdP's values on its link row, refuses an
  address change (400 mutability) and changes only their standing in this workspace.
- Deactivation (active=false, DELETE) ends the person's access here at once: the membership is deactivated
  (workspaces.services.member_deactivate: their sockets here close, every socket when no workspace is left),
  their own API tokens for this workspace are revoked, and when no active workspace is left their sessions
  end too (accounts.services.user_end_all_sessions).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import (
    token_revoke_now,
    user_create,
    user_end_all_sessions,
    user_set_email_provisioned,
    user_update_profile,
)
from audit.context import recorded_as
from audit.models import AuditAction
from audit.services import audit_record
from scim.attributes import UserInput
from scim.errors import MUTABILITY, UNIQUENESS, ScimError
from scim.models import ScimToken, ScimUser
from slackclone.errors import ErrorCode
from workspaces.models import Membership, Role
from workspaces.services import member_add, member_deactivate, member_reactivate


def _audit(token: ScimToken, action: AuditAction, user: User, **data: object) -> None:
    audit_record(
        action=action,
        workspace=token.workspace,
        target=user,
        target_label=user.email,
        data={"method": "scim", "token": token.prefix, **data},
    )


def _check_user_name_free(token: ScimToken, user_name: str, *, except_user: User | None) -> None:
    taken = ScimUser.objects.annotate(lowered=Lower("user_name")).filter(
        workspace=token.workspace, lowered=user_name.lower(), deleted_at=None
    )
    if except_user is not None:
        taken = taken.exclude(user=except_user)
    if taken.exists():
        raise ScimError(
            ErrorCode.NAME_TAKEN,
            "userName %(name)s is taken in this workspace.",
            status=409,
            scim_type=UNIQUENESS,
            params={"name": user_name},
        )


def account_is_managed(link: ScimUser) -> bool:
    """Whether SCIM may change the account itself (address, names): SCIM made it for this workspace, and it
    belongs to no other."""
    if not link.account_created:
        return False
    return not Membership.objects.filter(user_id=link.user_id).exclude(workspace_id=link.workspace_id).exists()


def _linkable_account(token: ScimToken, email: str) -> User | None:
    """The existing account for `email` SCIM may link, None when there is none. Raises ScimError (409)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return None
    in_workspace = Membership.objects.filter(user=user, workspace=token.workspace).exists()
    if user.is_bot or not user.is_active or not (in_workspace or user.email_verified):
        raise ScimError(
            ErrorCode.EMAIL_TAKEN,
            "%(email)s belongs to an account SCIM may not take over (deactivated, a bot, or an address its "
            "owner has not proved). Its owner can prove the address, or an operator can resolve it.",
            status=409,
            scim_type=UNIQUENESS,
            params={"email": email},
        )
    if ScimUser.objects.filter(workspace=token.workspace, user=user, deleted_at=None).exists():
        raise ScimError(
            ErrorCode.EMAIL_TAKEN,
            "%(email)s is already provisioned here under another userName.",
            status=409,
            scim_type=UNIQUENESS,
            params={"email": email},
        )
    return user


def _apply_profile(user: User, data: UserInput) -> None:
    user_set_email_provisioned(user=user, email=data.email)
    changes = {"full_name": data.full_name, "display_name": data.display_name, "title": data.title}
    changes = {field: value for field, value in changes.items() if getattr(user, field) != value}
    if changes:
        user_update_profile(actor=user, user=user, **changes)


@transaction.atomic
def scim_user_create(*, token: ScimToken, data: UserInput) -> ScimUser:
    """Provision a person in the token's workspace (see the module's rules), active or not as `data` says.

    Callers: the SCIM API, for its token's workspace only.
    Raises: ScimError 409 uniqueness (userName taken, an account SCIM may not link), invalid_email, and as
    member_add. Events: team_join, member_joined_channel; user_change. Audit: member_added.
    """
    _check_user_name_free(token, data.user_name, except_user=None)
    user = _linkable_account(token, data.email)
    created = user is None
    if user is None:
        user = user_create(
            email=data.email, full_name=data.full_name, display_name=data.display_name, email_verified=True
        )
        if data.title:
            user_update_profile(actor=user, user=user, title=data.title)
    if not Membership.objects.filter(user=user, workspace=token.workspace).exists():
        member_add(actor=None, workspace=token.workspace, user=user, role=Role.MEMBER)
    deleted = ScimUser.objects.filter(workspace=token.workspace, user=user).exclude(deleted_at=None).first()
    if deleted is not None:  # provisioned again after SCIM deleted them: the same link, brought back
        deleted.deleted_at = None
        deleted.save(update_fields=["deleted_at"])
        return scim_user_replace(token=token, link=deleted, data=data)
    link = ScimUser.objects.create(
        workspace=token.workspace,
        user=user,
        user_name=data.user_name,
        external_id=data.external_id,
        given_name=data.given_name,
        family_name=data.family_name,
        email_type=data.email_type,
        email_primary=data.email_primary,
        account_created=created,
    )
    _audit(
        token,
        AuditAction.MEMBER_ADDED,
        user,
        account_created=created,
        **({"email_verified_by": "scim"} if created else {}),
    )
    scim_user_set_active(token=token, link=link, active=data.active)
    return link


@transaction.atomic
def scim_user_replace(*, token: ScimToken, link: ScimUser, data: UserInput) -> ScimUser:
    """Replace a provisioned person's attributes (PUT, and PATCH once applied). The account's address and
    names change only for an account SCIM manages (account_is_managed); for anyone else a different address
    is refused and the names are kept on the link only.

    Callers: the SCIM API, for its token's workspace only.
    Raises: ScimError 409 uniqueness (userName, address), 400 mutability (someone else's address), and as the
    account and membership services. Events: user_change, and as scim_user_set_active. Audit: member_updated.
    """
    link = ScimUser.objects.select_for_update().select_related("user").get(pk=link.pk)
    user = link.user
    _check_user_name_free(token, data.user_name, except_user=user)
    managed = account_is_managed(link)
    if managed:
        _apply_profile(user, data)
    elif data.email != user.email.lower():
        raise ScimError(
            ErrorCode.RESTRICTED_ACTION,
            "This account belongs to its owner (SCIM did not create it, or it is in other workspaces): SCIM "
            "cannot change its email address.",
            scim_type=MUTABILITY,
        )
    before = (link.user_name, link.external_id)
    link.user_name, link.external_id = data.user_name, data.external_id
    link.given_name, link.family_name = data.given_name, data.family_name
    link.email_type, link.email_primary = data.email_type, data.email_primary
    link.updated_at = timezone.now()
    link.save()
    if before != (link.user_name, link.external_id) or managed:
        _audit(token, AuditAction.MEMBER_UPDATED, user, user_name=link.user_name, profile_changed=managed)
    scim_user_set_active(token=token, link=link, active=data.active)
    return link


def _end_access(token: ScimToken, user: User) -> None:
    """The person's own API tokens for this workspace are revoked (their sockets close), and with no active
    workspace left, every session of theirs ends."""
    for api_token in ApiToken.objects.filter(user=user, workspace=token.workspace, revoked_at=None).select_related(
        "user"
    ):
        token_revoke_now(api_token)
    if not Membership.objects.filter(user=user, is_active=True).exists():
        user_end_all_sessions(user=user)


@transaction.atomic
def scim_user_set_active(*, token: ScimToken, link: ScimUser, active: bool) -> Membership:
    """Deactivate (ending the person's access here at once, see the module) or reactivate a provisioned person.

    Callers: the SCIM API (active, DELETE) for its token's workspace only.
    Raises: ScimError 400 mutability (the last owner), and as member_deactivate / member_reactivate.
    Events: as member_deactivate / member_reactivate; chat.close to the revoked tokens' and ended sessions'
    sockets. Audit: member_deactivated / member_reactivated.
    """
    membership = Membership.objects.select_related("user").get(workspace=token.workspace, user_id=link.user_id)
    if membership.is_active == active:
        return membership
    user = membership.user
    with recorded_as(method="scim", token=token.prefix):
        if active:
            membership = member_reactivate(actor=None, workspace=token.workspace, user=user)
        else:
            membership = member_deactivate(actor=None, workspace=token.workspace, user=user)
            _end_access(token, user)
    return membership


@transaction.atomic
def scim_user_delete(*, token: ScimToken, link: ScimUser) -> None:
    """DELETE: deactivate the person as scim_user_set_active does, and answer 404 for them from now on
    (RFC 7644 section 3.6) until the same address is provisioned again. Their history stays.

    Callers: the SCIM API, for its token's workspace only. Raises and events: as scim_user_set_active.
    """
    scim_user_set_active(token=token, link=link, active=False)
    ScimUser.objects.filter(pk=link.pk).update(deleted_at=timezone.now())


def scim_link_for(*, token: ScimToken, membership: Membership) -> ScimUser:
    """The SCIM link of a member of the token's workspace, made on first use for a member SCIM did not
    provision (their userName is their address), so every member can be read and managed by SCIM."""
    link, _ = ScimUser.objects.get_or_create(
        workspace=token.workspace, user_id=membership.user_id, defaults={"user_name": membership.user.email}
    )
    return link
