"""Directory people becoming accounts and members: the first LDAP sign-in (link or provision), later sign-ins
and `sync_ldap` (names, addresses, roles; deactivating those who left).

Only enabled directories the operator trusts reach here, so their addresses count as verified. Accounts are
made only by accounts.services.user_create and join only through the workspaces membership services.
Linking rule: an LDAP identity is linked to an existing account by address only when that account is already an
active member of the directory's workspace and not a staff account; otherwise the sign-in is refused
(`email_in_use`), so a directory cannot take over an account that lives elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create, user_end_all_sessions, user_update_profile
from audit.context import recorded_as, set_sign_in_method
from audit.models import AuditAction
from audit.services import audit_record
from directory import ldap as directory_ldap
from directory.ldap import Person
from directory.models import Directory, DirectoryLink
from directory.services import SignInRefused, role_for
from slackclone.errors import DomainError
from workspaces.models import Membership, Role
from workspaces.services import member_add, member_change_role, member_deactivate

logger = logging.getLogger(__name__)


def candidate_directories(identifier: str) -> list[Directory]:
    """The directories a sign-in with this identifier may be sent to. An existing account's password goes only
    to the directories it is linked to or whose workspace it is an active member of (a typo of a local
    password must not reach another workspace's server); an unknown identifier to every usable directory."""
    usable = Directory.objects.filter(enabled=True, trusted=True).select_related("workspace").order_by("id")
    user = User.objects.filter(email__iexact=identifier).first()
    if user is None:
        return list(usable)
    if not user.is_active:
        return []
    return list(
        usable.filter(
            Q(links__user=user) | Q(workspace__memberships__user=user, workspace__memberships__is_active=True)
        ).distinct()
    )


def _sync_profile(user: User, person: Person) -> None:
    """Names from the directory (user_change to everyone who sees them); the address too when it is free.
    The account's address is written here because only a trusted directory changes it, and it stays verified."""
    changes = {}
    if person.full_name and person.full_name != user.full_name:
        changes["full_name"] = person.full_name
    if person.display_name and person.display_name != user.display_name:
        changes["display_name"] = person.display_name
    if changes:
        user_update_profile(actor=user, user=user, **changes)
    if person.email and person.email != user.email.lower():
        if User.objects.filter(email__iexact=person.email).exclude(pk=user.pk).exists():
            logger.warning("LDAP address %s of %s is another account's; kept %s", person.email, person.dn, user.email)
            return
        user.email = person.email
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email", "email_verified_at"])


def _sync_role(directory: Directory, membership: Membership, role: Role) -> bool:
    """Give the member the role the directory's groups say (never leaving the workspace ownerless)."""
    if membership.role == role:
        return False
    try:
        member_change_role(actor=None, workspace=directory.workspace, user=membership.user, role=role)
    except DomainError as error:
        logger.warning("LDAP role %s for %s not applied: %s", role, membership.user.email, error.code)
        return False
    return True


def _linked_user(directory: Directory, person: Person) -> User | None:
    """The account this entry signs in to: its link, or an account linked now by the rule above; None: a new
    person. Raises SignInRefused."""
    link = DirectoryLink.objects.filter(directory=directory, dn=person.dn).select_related("user").first()
    if link is not None:
        link.last_seen_at = timezone.now()
        link.save(update_fields=["last_seen_at"])
        return link.user
    if not person.email:
        raise SignInRefused("no_email")
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        return None
    member = Membership.objects.filter(workspace=directory.workspace, user=user, is_active=True).exists()
    if not member or user.is_staff or user.is_superuser or user.is_bot:
        raise SignInRefused("email_in_use")
    if DirectoryLink.objects.filter(directory=directory, user=user).exists():
        raise SignInRefused("linked_to_another_entry")
    DirectoryLink.objects.create(directory=directory, user=user, dn=person.dn)
    return user


@transaction.atomic
def ldap_identity_accept(
    *, directory: Directory, person: Person, role: Role | None, request: HttpRequest | None = None
) -> User:
    """The directory accepted this person's password: the account they sign in to, linked or made (with the
    mapped role in the workspace) and brought up to date. Callers: directory.backends only.
    Raises SignInRefused (not in an allowed group, no address, the address is someone else's, deactivated).
    Events: those of user_create/member_add/member_change_role/user_update_profile.
    Audit: member_added when the sign-in adds them to the workspace; the sign-in itself, by audit.receivers,
    as method ldap."""
    if role is None:
        raise SignInRefused("not_in_allowed_group")
    user = _linked_user(directory, person)
    provisioned = user is None
    if user is None:
        user = user_create(
            email=person.email, full_name=person.full_name, display_name=person.display_name, email_verified=True
        )
        DirectoryLink.objects.create(directory=directory, user=user, dn=person.dn)
    if not user.is_active:
        raise SignInRefused("account_inactive")
    membership = Membership.objects.filter(workspace=directory.workspace, user=user).first()
    if membership is None:
        membership = member_add(actor=None, workspace=directory.workspace, user=user, role=role)
        audit_record(
            action=AuditAction.MEMBER_ADDED,
            workspace=directory.workspace,
            target=user,
            data={"method": "ldap", "role": role, "provisioned": provisioned, "dn": person.dn},
        )
    elif not membership.is_active:
        raise SignInRefused("member_deactivated")
    else:
        _sync_role(directory, membership, role)
    _sync_profile(user, person)
    # audit.receivers records the sign-in when Django logs the person in, under this method.
    if request is not None:
        set_sign_in_method(request, "ldap")
    return user


@dataclass
class SyncResult:
    """What a sync changed; `skipped` names members left alone (an ownerless workspace would result)."""

    checked: int = 0
    updated: int = 0
    deactivated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _read_directory(directory: Directory) -> tuple[dict[str, Person], Callable[[str], Role | None]]:
    """Everything the sync needs, read before anything is written. Raises DirectoryUnavailable."""
    connection = directory_ldap.connect(directory)
    try:
        people = directory_ldap.search_people(connection, directory)
        members = {dn.lower(): directory_ldap.group_member_dns(connection, directory, dn)
                   for _, dn in directory.role_groups()}  # fmt: skip
    finally:
        connection.unbind_s()
    return people, lambda entry_dn: role_for(directory, lambda group_dn: entry_dn in members[group_dn])


def _deactivate(directory: Directory, link: DirectoryLink, reason: str, result: SyncResult) -> None:
    try:
        with recorded_as(method="ldap_sync", reason=reason, dn=link.dn):
            member_deactivate(actor=None, workspace=directory.workspace, user=link.user)
    except DomainError as error:
        result.skipped.append(f"{link.user.email}: {error.code}")
        return
    if not Membership.objects.filter(user=link.user, is_active=True).exists():
        # Nothing is left for this account anywhere: its sessions end too, not just their use here.
        user_end_all_sessions(user=link.user)
    result.deactivated.append(link.user.email)


def directory_sync(*, directory: Directory) -> SyncResult:
    """Bring the directory-linked members up to date and deactivate those the directory no longer lists (or
    whose groups no longer allow them); their sessions in the workspace, its tokens and their sockets end with
    the membership (member_deactivate), and every session of an account left with no active workspace ends
    (user_end_all_sessions). Deactivated members are not reactivated: an admin does that.
    Callers: the operator (`sync_ldap`, beat). Raises DirectoryUnavailable before anything is written."""
    people, role_of = _read_directory(directory)
    result = SyncResult()
    with transaction.atomic():
        links = DirectoryLink.objects.filter(directory=directory).select_related("user").order_by("id")
        for link in links:
            membership = Membership.objects.filter(workspace=directory.workspace, user=link.user).first()
            if membership is None or not membership.is_active:
                continue
            result.checked += 1
            person = people.get(link.dn)
            role = role_of(link.dn) if person is not None else None
            if person is None or role is None:
                _deactivate(directory, link, "left_directory" if person is None else "not_in_allowed_group", result)
                continue
            changed = _sync_role(directory, membership, role)
            _sync_profile(link.user, person)
            result.updated += int(changed)
        directory.last_synced_at = timezone.now()
        directory.save(update_fields=["last_synced_at"])
    return result
