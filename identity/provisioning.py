"""Who a single sign-on proves to be, and what Slackclone does about it: the rules every provider kind
(OpenID Connect, SAML) shares, after its protocol has been verified.

The rules:

* A provider's account is linked to a Slackclone account by the provider's subject (allauth's
  SocialAccount: provider id + uid), never by email alone. A linked person signs in as that account.
* A first sign-in (no link yet) creates an account only if the provider vouches for the email
  (`email_verified` true, or a SAML assertion) AND the workspace's provider is set to trust it
  (`trust_email`, off by default) AND the email's domain is one of its `allowed_domains`. The account is
  made by accounts.services.user_create (address verified) and joins the workspace as a member by
  workspaces.services.member_add.
* An existing account with the same email is never taken over: the sign-in is refused, and the page tells
  the person to sign in with their password and connect the provider from their account settings
  (/auth/3rdparty/), which proves they hold both.
* A linked person who is not (or no longer) an active member: a deactivated membership is refused (only
  an admin reactivates); no membership at all joins by the same domain rule as a first sign-in.
* On every sign-in, optional group mappings: the highest role any of the person's groups maps to
  (admin > member > guest; owners are never changed by groups; no matching group changes nothing), and
  the channels their groups map to (joined, never left).

Every refusal records SIGN_IN_FAILED (with the reason) and raises SignInRefused.

`provision_sign_in` is the bridge every protocol's allauth code calls with what its verified response says
(identity.adapters for OpenID Connect, identity.saml.provider for SAML): it applies `sso_sign_in`, stores the
link, and turns a refusal into a clear page (allauth's ImmediateHttpResponse).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import user_create
from audit.models import AuditAction
from audit.services import audit_record
from chat.models import Channel
from chat.services.channels import channel_invite
from identity.models import IdentityProvider
from slackclone.errors import DomainError
from workspaces.models import Membership, Role
from workspaces.services import member_add, member_change_role

logger = logging.getLogger(__name__)

ROLE_RANK = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class SignInClaims:
    """What a verified sign-in says about the person, whatever the protocol."""

    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)


class SignInRefused(Exception):
    """`reason` is stable (audit data, tests); `message` is for the person, in their language."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def method_name(provider: IdentityProvider) -> str:
    """How the audit log names a sign-in through this provider: "oidc:<provider id>" or "saml:<...>"."""
    return f"{provider.kind}:{provider.provider_id}"


def sso_sign_in(
    *,
    provider: IdentityProvider,
    claims: SignInClaims,
    linked_user: User | None,
    link: Callable[[User], None],
    request: HttpRequest | None = None,
) -> User:
    """The account a verified sign-in signs into, made and joined to the workspace when the rules allow.
    `linked_user` is the account already linked to this subject, if any; `link(user)` stores the link for a
    new account (in the same transaction). Callers: the identity adapters (OpenID Connect, SAML), after the
    protocol checks. Raises SignInRefused (recorded as SIGN_IN_FAILED). Events: those of user_create,
    member_add, member_change_role and channel_invite."""
    try:
        with transaction.atomic():
            user = linked_user if linked_user is not None else _provision(provider, claims, link)
            _ensure_membership(provider, claims, user)
    except SignInRefused as refused:
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            actor=None,
            workspace=provider.workspace,
            request=request,
            target=linked_user,
            target_label=claims.email,
            data={"method": method_name(provider), "reason": refused.reason, "email": claims.email},
        )
        raise
    _apply_group_mappings(provider, claims, user)
    return user


# Set on an allauth SocialLogin once provision_sign_in has decided it (the SAML provider does so before
# allauth's own login flow, which then must not decide again).
PROVISIONED_ATTRIBUTE = "_identity_provisioned"


def provision_sign_in(
    *,
    request: HttpRequest,
    provider: IdentityProvider,
    sociallogin: Any,
    subject: str,
    email: str = "",
    email_verified: bool = False,
    name: str = "",
    groups: Iterable[str] = (),
) -> User:
    """The account an allauth `sociallogin` (protocol already verified) signs into, by sso_sign_in's rules.
    The link (allauth's SocialAccount: provider id + subject) is stored for a new account; the sociallogin's
    own `user` is left for allauth's lookup, which finds that link. Callers: identity.adapters (OpenID
    Connect, after allauth's lookup) and identity.saml.provider (before it). Raises ImmediateHttpResponse
    (a 403 page saying why) when the rules refuse."""
    claims = SignInClaims(subject=subject, email=email, email_verified=email_verified, name=name, groups=tuple(groups))
    linked = (
        SocialAccount.objects.select_related("user")
        .filter(provider=sociallogin.account.provider, uid=sociallogin.account.uid)
        .first()
    )

    def link(user: User) -> None:
        sociallogin.account.user = user
        sociallogin.account.save()

    try:
        user = sso_sign_in(
            provider=provider, claims=claims, linked_user=linked.user if linked else None, link=link, request=request
        )
    except SignInRefused as refused:
        raise ImmediateHttpResponse(refused_page(request, provider, refused.message)) from None
    setattr(sociallogin, PROVISIONED_ATTRIBUTE, True)
    return user


def refused_page(request: HttpRequest, provider: IdentityProvider | None, message: str) -> HttpResponse:
    context = {"provider": provider, "message": message, "workspace": provider.workspace if provider else None}
    return render(request, "identity/sign_in_refused.html", context, status=403)


def trusted_email(provider: IdentityProvider, claims: SignInClaims) -> str | None:
    """The email, when both the provider vouches for it and the workspace trusts the provider's word."""
    if claims.email and claims.email_verified and provider.trust_email:
        return claims.email.strip()
    return None


def _check_domain(provider: IdentityProvider, claims: SignInClaims) -> str:
    email = trusted_email(provider, claims)
    if email is None:
        raise SignInRefused(
            "email_not_trusted",
            gettext("%(provider)s did not confirm a verified email address we can trust, so no account was made.")
            % {"provider": provider.name},
        )
    domain = email.rsplit("@", 1)[-1].lower()
    if domain not in provider.allowed_domains:
        raise SignInRefused(
            "domain_not_allowed",
            gettext("Addresses at %(domain)s cannot join %(workspace)s by single sign-on. Ask an admin to invite you.")
            % {"domain": domain, "workspace": provider.workspace.name},
        )
    return email


def _provision(provider: IdentityProvider, claims: SignInClaims, link: Callable[[User], None]) -> User:
    email = _check_domain(provider, claims)
    if User.objects.filter(email__iexact=email).exists():
        raise SignInRefused(
            "account_exists",
            gettext(
                "An account with %(email)s already exists. Sign in with your password, then connect "
                "%(provider)s under Account settings → Connected accounts."
            )
            % {"email": email, "provider": provider.name},
        )
    try:
        user = user_create(email=email, full_name=claims.name, email_verified=True)
    except DomainError as error:
        raise SignInRefused(str(error.code), error.message) from None
    link(user)
    return user


def _ensure_membership(provider: IdentityProvider, claims: SignInClaims, user: User) -> Membership:
    if not user.is_active:
        raise SignInRefused("account_inactive", gettext("This account has been deactivated."))
    membership = Membership.objects.filter(user=user, workspace=provider.workspace).first()
    if membership is not None and not membership.is_active:
        raise SignInRefused(
            "membership_inactive",
            gettext("Your account in %(workspace)s has been deactivated.") % {"workspace": provider.workspace.name},
        )
    if membership is not None:
        return membership
    email = _check_domain(provider, claims)
    if user.email_verified_at is None and email.lower() == user.email.lower():
        user.email_verified_at = timezone.now()  # proved now, by the provider the workspace trusts
        user.save(update_fields=["email_verified_at"])
    try:
        return member_add(actor=None, workspace=provider.workspace, user=user, role=Role.MEMBER)
    except DomainError as error:
        raise SignInRefused(str(error.code), error.message) from None


def _mapped_role(provider: IdentityProvider, groups: Sequence[str]) -> str | None:
    roles = [provider.group_roles[g] for g in groups if g in provider.group_roles]
    return max(roles, key=lambda role: ROLE_RANK.get(role, -1)) if roles else None


def _apply_group_mappings(provider: IdentityProvider, claims: SignInClaims, user: User) -> None:
    """Roles and channels from the person's groups. A mapping that cannot apply (a renamed channel, the
    last owner) is logged and skipped: it never blocks the sign-in."""
    workspace = provider.workspace
    role = _mapped_role(provider, claims.groups)
    membership = Membership.objects.get(user=user, workspace=workspace)
    if role is not None and membership.role not in (Role.OWNER, role):
        try:
            member_change_role(actor=None, workspace=workspace, user=user, role=role)
        except DomainError as error:
            logger.warning("sso group role for %s not applied: %s", provider.provider_id, error.code)
    names = {name for g in claims.groups for name in provider.group_channels.get(g, [])}
    channels = Channel.objects.filter(workspace=workspace, name__in=names, is_archived=False).exclude(
        memberships__user=user
    )
    for channel in channels:
        try:
            channel_invite(actor=None, channel=channel, users=[user])
        except DomainError as error:
            logger.warning("sso group channel for %s not applied: %s", provider.provider_id, error.code)
