"""Workspaces and their people: creation, invitations, roles and deactivation; user groups in `usergroups`.

Each service takes the acting user (None for the trusted operator at the command line),
checks permissions through workspaces.permissions, writes in one transaction and sends
its events after commit (workspaces.events builds them, realtime.transport publishes them).
Failures raise DomainError, writing nothing.
"""

from __future__ import annotations

import enum
import re
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.events import send_user_change
from accounts.models import User
from accounts.services import api_tokens_revoke_minted_by, user_create
from accounts.signup import check_new_password, is_unclaimed_placeholder, mark_email_verified
from audit.models import AuditAction
from audit.services import audit_record
from chat import events as chat_events
from chat.models import Channel, ChannelMember
from chat.services.channels import channel_create
from identity.policy import check_email_domain, check_not_break_glass
from outbox.services import job_enqueue
from realtime import transport
from slackclone.errors import DomainError, ErrorCode
from slackclone.images import replace_image
from workspaces import events as workspace_events
from workspaces.models import EmailDisplay, EmojiAddPolicy, Invitation, Membership, Role, Workspace
from workspaces.permissions import (
    access_membership,
    access_workspace_admin,
    check_can_change_role,
    check_email_verified,
)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
# Top-level paths the site uses; a workspace lives at /<slug>/ so it may not take one.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "accounts",
        "static",
        "media",
        "ws",
        "healthz",
        "readyz",
        "invite",
        "new",
        "settings",
        "files",
        "notifications",
        "hooks",
        "scim",
    }
)
WORKSPACE_NAME_MAX_LENGTH = 80


def check_workspace_slug(raw: str) -> str:
    slug = (raw or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "A workspace address is 1 to 50 lowercase letters, numbers and hyphens, "
            "not starting or ending with a hyphen.",
            fields={"slug": "invalid"},
        )
    if slug in RESERVED_SLUGS:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "%(slug)s is reserved; choose another address.",
            fields={"slug": "reserved"},
            params={"slug": f"{slug!r}"},
        )
    return slug


def _check_workspace_name(raw: str) -> str:
    name = (raw or "").strip()
    if not name or len(name) > WORKSPACE_NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "A workspace name is 1 to %(workspace_name_max_length)s characters.",
            fields={"name": "invalid"},
            params={"workspace_name_max_length": WORKSPACE_NAME_MAX_LENGTH},
        )
    return name


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise DomainError(
            ErrorCode.INVALID_ROLE,
            "%(role)s is not a role; use one of %(value)s.",
            fields={"role": "invalid"},
            params={"role": f"{role!r}", "value": ", ".join(Role.values)},
        )
    return Role(role)


@transaction.atomic
def workspace_create(*, creator: User, name: str, slug: str) -> Workspace:
    """Create a workspace with its creator as owner, and its #general and #random channels.

    Callers: any active user whose address is proved (a workspace of their own); the operator names an owner.
    Raises: invalid_name (name or slug), name_taken (slug), account_inactive, email_unverified.
    Events: team_join and channel events for the owner.
    """
    if not creator.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    check_email_verified(
        creator,
        gettext("Verify your email address before you create a workspace: follow the link we sent to %(email)s.")
        % {"email": creator.email},
    )
    name, slug = _check_workspace_name(name), check_workspace_slug(slug)
    if Workspace.objects.filter(slug=slug).exists():
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            "The address %(slug)s is taken.",
            fields={"slug": "taken"},
            params={"slug": f"{slug!r}"},
        )
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(name=name, slug=slug, created_by=creator)
    except IntegrityError:
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            "The address %(slug)s is taken.",
            fields={"slug": "taken"},
            params={"slug": f"{slug!r}"},
        ) from None
    Membership.objects.create(user=creator, workspace=workspace, role=Role.OWNER)
    workspace_events.send_team_join(workspace, creator, is_guest=False)
    channel_create(
        actor=creator,
        workspace=workspace,
        name="general",
        is_general=True,
        purpose="This channel is for workspace-wide communication and announcements.",
    )
    channel_create(actor=creator, workspace=workspace, name="random", purpose="A place for non-work banter.")
    return workspace


def _join_general(workspace: Workspace, user: User) -> None:
    general = Channel.objects.filter(workspace=workspace, is_general=True).first()
    if general is None:
        return
    _, created = ChannelMember.objects.get_or_create(
        channel=general, user=user, defaults={"last_read_seq": general.last_seq}
    )
    if created:
        chat_events.send_member_joined(general, user, inviter=None)


def _add_member(workspace: Workspace, user: User, role: Role) -> Membership:
    membership = Membership.objects.create(user=user, workspace=workspace, role=role)
    workspace_events.send_team_join(workspace, user, is_guest=membership.is_guest)
    if role != Role.GUEST:
        _join_general(workspace, user)
    return membership


@transaction.atomic
def member_add(*, actor: User | None, workspace: Workspace, user: User, role: str = Role.MEMBER) -> Membership:
    """Add someone to a workspace directly (without an invitation); members join #general.

    The person's address must be proved: adding an account by its address trusts that it is theirs,
    and an account anyone could have registered with an address proves nothing (bots need no address).
    Callers: workspace admins (only owners add owners); the operator.
    Raises: invalid_role, restricted_action, account_inactive (the user, or an existing deactivated
    membership), email_unverified.
    Events: team_join, member_joined_channel.
    """
    role = _check_role(role)
    admin = access_workspace_admin(actor, workspace)
    if admin is not None and role == Role.OWNER and admin.role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only owners can add owners.")
    if not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "%(email)s has been deactivated.", params={"email": user.email})
    check_email_verified(
        user,
        gettext("%(email)s has not verified this address yet; invite them instead, or ask them to verify it.")
        % {"email": user.email},
    )
    existing = Membership.objects.filter(user=user, workspace=workspace).first()
    if existing is not None:
        if not existing.is_active:
            raise DomainError(
                ErrorCode.ACCOUNT_INACTIVE,
                "%(email)s was deactivated here; reactivate them instead.",
                params={"email": user.email},
            )
        return existing
    return _add_member(workspace, user, role)


@transaction.atomic
def invitation_create(
    *,
    actor: User | None,
    workspace: Workspace,
    email: str = "",
    role: str = Role.MEMBER,
    max_uses: int | None = None,
    expires_in_days: int | None = None,
    send_email: bool = False,
) -> Invitation:
    """An invitation link (no email: anyone with it) or one for a single email address.

    `send_email` mails the link to that address after commit (the admin pages ask for it; an import
    that pre-invites a whole team does not).
    Callers: workspace admins; the operator. Owners are made by role change, never invited.
    Raises: invalid_email, invalid_role, invalid_arguments (max_uses, expiry), restricted_action,
    email_domain_not_allowed (outside the sign-in policy's allowed domains, identity.policy).
    """
    inviter = access_workspace_admin(actor, workspace)
    role = _check_role(role)
    if role == Role.OWNER or (role == Role.ADMIN and inviter is not None and inviter.role != Role.OWNER):
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Invite as member or guest; only owners invite admins.")
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                ErrorCode.INVALID_EMAIL,
                "%(email)s is not an email address.",
                fields={"email": "invalid"},
                params={"email": f"{email!r}"},
            ) from None
        check_email_domain(workspace, email)
    if max_uses is not None and (not isinstance(max_uses, int) or max_uses < 1):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "max_uses must be 1 or more.", fields={"max_uses": "invalid"})
    days = settings.INVITATION_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "An invitation lasts 1 to 365 days.", fields={"expires_in_days": "invalid"}
        )
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        inviter=actor,
        max_uses=1 if email and max_uses is None else max_uses,
        expires_at=timezone.now() + timedelta(days=days),
    )
    if email and send_email:
        job_enqueue("workspaces.send_invitation_email", invitation.pk)
    return invitation


def _locked_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("workspace").filter(token=token or "").first()
        if isinstance(token, str)
        else None
    )
    if invitation is None:
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    return invitation


def _check_usable(invitation: Invitation) -> None:
    if invitation.is_expired:
        raise DomainError(ErrorCode.INVITATION_EXPIRED, "This invitation has expired; ask for a new one.")
    if invitation.is_used_up:
        raise DomainError(ErrorCode.INVITATION_USED_UP, "This invitation has been used as many times as it allows.")


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """Join the workspace an invitation is for. A member already in it keeps their membership.

    An invitation addressed to one email is mailed there and shown to no one else, so holding its
    token proves the address: accepting it marks the user's address verified. A link invitation
    (anyone with it) proves nothing, so it needs an address proved already.
    Callers: the signed-in user holding the token (for an emailed invitation, the addressee).
    Raises: invitation_not_found, invitation_expired, invitation_used_up, account_inactive, email_unverified,
    email_domain_not_allowed.
    Events: team_join, member_joined_channel (#general).
    """
    invitation = _locked_invitation(token)
    if invitation.email and invitation.email != user.email.lower():
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    if not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    existing = Membership.objects.filter(user=user, workspace=invitation.workspace).first()
    if existing is not None:
        if not existing.is_active:
            raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "Your account in this workspace has been deactivated.")
        return existing
    _check_usable(invitation)
    check_email_domain(invitation.workspace, user.email)
    if invitation.email:
        mark_email_verified(user)
    check_email_verified(
        user,
        gettext("Verify your email address before you join a workspace: follow the link we sent to %(email)s.")
        % {"email": user.email},
    )
    invitation.uses += 1
    invitation.save(update_fields=["uses"])
    return _add_member(invitation.workspace, user, Role(invitation.role))


@transaction.atomic
def invitation_sign_up(*, token: str, password: str, display_name: str = "") -> User:
    """Make the account for an emailed invitation's address and join, in one step from the link.

    The link is mailed to its address and shown to no one else, so following it proves the address:
    the account is verified at once. If an import made an account for the address that nobody has
    claimed, this claims it, with its history; signing up with the address alone never does.
    Callers: anyone holding an invitation addressed to one email; the caller signs them in.
    Raises: invitation_not_found (no such invitation, or a link for anyone), invitation_expired,
    invitation_used_up, email_taken (the address has an account of its own: sign in to join),
    invalid_password, email_domain_not_allowed.
    Events: team_join and member_joined_channel where the account was not a member yet; user_change
    in each workspace a claimed account was already in.
    """
    invitation = _locked_invitation(token)
    if not invitation.email:
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    _check_usable(invitation)
    check_email_domain(invitation.workspace, invitation.email)
    user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    if user is None:
        user = user_create(email=invitation.email, password=password, display_name=display_name, email_verified=True)
    elif is_unclaimed_placeholder(user):
        _claim_placeholder(user, password=password, display_name=display_name)
    else:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "%(email)s already has an account: sign in to join.",
            fields={"email": "taken"},
            params={"email": invitation.email},
        )
    invitation.uses += 1
    invitation.save(update_fields=["uses"])
    if not Membership.objects.filter(user=user, workspace=invitation.workspace).exists():
        _add_member(invitation.workspace, user, Role(invitation.role))
    return user


def _claim_placeholder(user: User, *, password: str, display_name: str) -> None:
    check_new_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.email_verified_at = timezone.now()
    user.display_name = (display_name or user.display_name or "").strip()[:80]
    user.save(update_fields=["password", "is_active", "email_verified_at", "display_name"])
    for membership in Membership.objects.filter(user=user, is_active=True).select_related("workspace"):
        send_user_change(membership.workspace, user)


@transaction.atomic
def invitation_revoke(*, actor: User | None, invitation: Invitation) -> Invitation:
    """Stop an invitation from working. Callers: workspace admins; the operator."""
    access_workspace_admin(actor, invitation.workspace)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _target_membership(workspace: Workspace, user: User) -> Membership:
    membership = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if membership is None:
        raise DomainError(
            ErrorCode.USER_NOT_FOUND, "%(public_id)s is not in this workspace.", params={"public_id": user.public_id}
        )
    return membership


def _check_not_last_owner(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(
        workspace=membership.workspace, role=Role.OWNER, is_active=True
    )
    if owners.count() <= 1:
        raise DomainError(ErrorCode.LAST_OWNER, "A workspace needs at least one active owner.")


@transaction.atomic
def member_change_role(*, actor: User | None, workspace: Workspace, user: User, role: str) -> Membership:
    """Change a member's role.

    Leaving the admin roles revokes the bot tokens the person made in this workspace.
    Callers: admins for members and guests; owners for everyone; the operator.
    Raises: invalid_role, user_not_found, restricted_action (also: the sign-in policy's break-glass owner
    stops being an owner), last_owner.
    Events: user_change; a move to or from guest takes the user's sockets out of or into the workspace's
    news; chat.close (token_revoked) to the sockets of each revoked token; audit ROLE_CHANGED.
    """
    role = _check_role(role)
    admin = access_workspace_admin(actor, workspace)
    target = _target_membership(workspace, user)
    check_can_change_role(admin, target, role)
    if target.role == role:
        return target
    if role != Role.OWNER:
        _check_not_last_owner(target)
        check_not_break_glass(workspace, user)
    was_admin, was_guest, was_role = target.is_admin, target.is_guest, target.role
    target.role = role
    target.save(update_fields=["role"])
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=actor,
        workspace=workspace,
        target=user,
        data={"from": was_role, "to": role},
    )
    if was_admin and not target.is_admin:
        api_tokens_revoke_minted_by(user=user, workspace=workspace)
    workspace_events.send_role_changed(workspace, user, was_guest=was_guest, is_guest=target.is_guest)
    return target


@transaction.atomic
def member_deactivate(*, actor: User | None, workspace: Workspace, user: User) -> Membership:
    """Deactivate a member: their history stays, but they can do nothing and stop receiving anything.
    The bot tokens they made here are revoked.

    Callers: admins (owners for owners and admins); the operator.
    Raises: user_not_found, restricted_action (also: the sign-in policy's break-glass owner), last_owner.
    Events: user_change; the member's sockets leave the workspace's groups and hear nothing more
    of it, those an API token of this workspace opened close (4401), and all close when no active
    workspace remains; chat.close (token_revoked) to the sockets of each revoked bot token; audit
    MEMBER_DEACTIVATED.
    """
    admin = access_workspace_admin(actor, workspace)
    target = _target_membership(workspace, user)
    check_can_change_role(admin, target, target.role)
    if not target.is_active:
        return target
    _check_not_last_owner(target)
    check_not_break_glass(workspace, user)
    target.is_active = False
    target.deactivated_at = timezone.now()
    target.save(update_fields=["is_active", "deactivated_at"])
    audit_record(
        action=AuditAction.MEMBER_DEACTIVATED, actor=actor, workspace=workspace, target=user, data={"role": target.role}
    )
    api_tokens_revoke_minted_by(user=user, workspace=workspace)
    channel_groups = [
        transport.channel_group(m.channel)
        for m in ChannelMember.objects.filter(user=user, channel__workspace=workspace).select_related("channel")
    ]
    workspace_events.send_member_deactivated(workspace, user, channel_groups)
    if not Membership.objects.filter(user=user, is_active=True).exists():
        transport.close_sockets(user)
    return target


@transaction.atomic
def member_reactivate(*, actor: User | None, workspace: Workspace, user: User) -> Membership:
    """Let a deactivated member back in, with their channels as they were.

    Callers: admins (owners for owners and admins); the operator.
    Raises: user_not_found, restricted_action.
    Events: user_change; audit MEMBER_REACTIVATED.
    """
    admin = access_workspace_admin(actor, workspace)
    target = _target_membership(workspace, user)
    check_can_change_role(admin, target, target.role)
    if target.is_active:
        return target
    target.is_active = True
    target.deactivated_at = None
    target.save(update_fields=["is_active", "deactivated_at"])
    audit_record(
        action=AuditAction.MEMBER_REACTIVATED, actor=actor, workspace=workspace, target=user, data={"role": target.role}
    )
    workspace_events.send_team_join(workspace, user, is_guest=target.is_guest)
    transport.subscribe(
        user,
        [
            transport.channel_group(m.channel)
            for m in ChannelMember.objects.filter(user=user, channel__workspace=workspace).select_related("channel")
        ],
    )
    return target


WORKSPACE_ICON_SIZE = 256


class _Keep(enum.Enum):
    """The icon argument's default: leave the icon as it is (None removes it)."""

    KEEP = enum.auto()


_KEEP = _Keep.KEEP


@transaction.atomic
def workspace_update(
    *,
    actor: User | None,
    workspace: Workspace,
    name: str | None = None,
    icon: UploadedFile | Literal[_Keep.KEEP] | None = _KEEP,
) -> Workspace:
    """Rename a workspace and/or set its icon (an uploaded image, stored as a square PNG; None removes it).

    The address (slug) never changes: links, bookmarks and emails point at it.
    Callers: workspace owners and admins; the operator.
    Raises: restricted_action, invalid_name, invalid_file, file_too_large.
    Events: none yet (the protocol has no team_rename); clients show the change on their next load.
    """
    access_workspace_admin(actor, workspace)
    fields: list[str] = []
    if name is not None:
        workspace.name = _check_workspace_name(name)
        fields.append("name")
    if icon is not _KEEP and replace_image(workspace.icon, icon, size=WORKSPACE_ICON_SIZE, field="icon"):
        fields.append("icon")
    if fields:
        workspace.save(update_fields=fields)
    return workspace


@transaction.atomic
def workspace_set_email_display(*, actor: User | None, workspace: Workspace, email_display: str) -> Workspace:
    """Choose who sees people's email addresses (Slack's "Display email addresses"): everyone, members but
    not guests (the default), or only owners and admins. Every surface reads it through
    workspaces.selectors.people_view; owners and admins always see addresses, everyone their own.

    Callers: workspace owners and admins; the operator.
    Raises: restricted_action, invalid_arguments (not one of EmailDisplay's values).
    Events: none; clients show the change on their next load.
    """
    access_workspace_admin(actor, workspace)
    if email_display not in EmailDisplay.values:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "email_display is one of %(value)s.",
            fields={"email_display": "invalid"},
            params={"value": ", ".join(EmailDisplay.values)},
        )
    if workspace.email_display != email_display:
        workspace.email_display = email_display
        workspace.save(update_fields=["email_display"])
    return workspace


@transaction.atomic
def workspace_set_emoji_policy(*, actor: User | None, workspace: Workspace, emoji_add_policy: str) -> Workspace:
    """Choose who may add custom emoji (Slack's "Allow members to add custom emoji"): every member (the
    default) or only owners and admins. Guests never may; owners and admins may always remove any.

    Callers: workspace owners and admins; the operator.
    Raises: restricted_action, invalid_arguments (not one of EmojiAddPolicy's values).
    Events: none; the emoji list says whether the reader may add one.
    """
    access_workspace_admin(actor, workspace)
    if emoji_add_policy not in EmojiAddPolicy.values:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "emoji_add_policy is one of %(value)s.",
            fields={"emoji_add_policy": "invalid"},
            params={"value": ", ".join(EmojiAddPolicy.values)},
        )
    if workspace.emoji_add_policy != emoji_add_policy:
        workspace.emoji_add_policy = emoji_add_policy
        workspace.save(update_fields=["emoji_add_policy"])
    return workspace


@transaction.atomic
def workspace_set_link_previews(*, actor: User | None, workspace: Workspace, enabled: bool) -> Workspace:
    """Whether the server previews links in messages (chat.unfurls.previews): with it off, no page is fetched
    for this workspace's messages. Apps' unfurls (link_shared, chat.unfurl) are not affected.

    Callers: workspace owners and admins; the operator. Raises restricted_action. Events: none.
    """
    access_workspace_admin(actor, workspace)
    if workspace.link_previews != enabled:
        workspace.link_previews = enabled
        workspace.save(update_fields=["link_previews"])
    return workspace


def user_set_last_workspace(*, actor: User, workspace: Workspace) -> None:
    """Remember the workspace the actor opened last, so `/` takes them back to it.

    Callers: the web client's page, each time it is opened. Writes only when it changes.
    Raises: workspace_not_found, account_inactive (not an active member).
    """
    access_membership(actor, workspace)
    if actor.last_workspace_id != workspace.pk:
        User.objects.filter(pk=actor.pk).update(last_workspace=workspace)
        actor.last_workspace = workspace


from workspaces.services.audit_log import workspace_set_audit_retention  # noqa: E402 (re-exported)
from workspaces.services.read_receipts import workspace_set_read_receipts  # noqa: E402 (re-exported)
from workspaces.services.usergroups import (  # noqa: E402 (the package's second area, re-exported)
    usergroup_create,
    usergroup_set_enabled,
    usergroup_set_users,
    usergroup_update,
    workspace_set_usergroups_by_members,
)

__all__ = [
    "usergroup_create",
    "usergroup_set_enabled",
    "usergroup_set_users",
    "usergroup_update",
    "workspace_set_audit_retention",
    "workspace_set_read_receipts",
    "workspace_set_usergroups_by_members",
]
