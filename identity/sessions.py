"""A person's sessions: listing them, ending one, ending the others, and an admin ending all of a member's.

A session is Django's (the cookie's store) with django-allauth's UserSession row beside it (address,
browser, last seen). Ending one deletes both and closes the sockets that session opened (they know it by
transport.session_tag); the person's other sessions, sockets and desktop notifications go on. Ending all of
them raises the person's session epoch (accounts.models.User), which un-signs every session at once,
closes every socket (accounts.signals) and ends desktop notifications (notifications.access).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction

from accounts.services import user_sign_out_other_sessions
from audit.context import sessions_ending_recorded_by_caller
from audit.models import AuditAction
from audit.services import audit_record
from identity.user_agents import parse_user_agent
from realtime import transport
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role
from workspaces.permissions import access_workspace_admin

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from workspaces.models import Workspace


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    browser: str  # "Chrome on macOS"
    device: str  # "phone", "tablet", "computer"
    device_label: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def user_sessions(*, user: User, current_key: str | None) -> list[SessionRow]:
    """The person's live sessions, the current one first, then the most recently seen. Rows whose session
    has ended (expired, un-signed by a new password) are dropped as they are found."""
    rows = []
    for session in UserSession.objects.purge_and_list(user):
        client = parse_user_agent(session.user_agent)
        rows.append(
            SessionRow(
                id=session.pk,
                browser=client.label,
                device=client.device,
                device_label=client.device_label,
                ip=session.ip,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                is_current=session.session_key == current_key,
            )
        )
    return sorted(rows, key=lambda row: (not row.is_current, -row.last_seen_at.timestamp()))


def _delete_store(session_key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)


@transaction.atomic
def user_session_end(
    *, actor: User, session_id: int, current_key: str | None, request: HttpRequest | None = None
) -> None:
    """Sign one of the actor's other sessions out: its requests are anonymous from now on and its sockets close
    (4401, session_ended). The current session is signed out by signing out.
    Callers: any signed-in person, for their own sessions.
    Raises: session_not_found (not theirs, already ended, or the current one).
    Events: chat.close to that session's sockets only."""
    session = UserSession.objects.filter(user=actor, pk=session_id).exclude(session_key=current_key or "").first()
    if session is None:
        raise DomainError(ErrorCode.SESSION_NOT_FOUND, "That session has already ended.")
    key = session.session_key
    session.delete()
    _delete_store(key)  # at once: a session ends even if what follows fails
    transport.close_sockets(actor, code=4401, reason="session_ended", session_key=key)
    audit_record(action=AuditAction.SESSIONS_ENDED, actor=actor, request=request, target=actor, data={"ended": "one"})


def session_rekeyed(*, old_key: str | None, new_key: str | None) -> None:
    """This browser's session got a new key (django.contrib.auth.update_session_auth_hash): its row follows,
    keeping when it signed in."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def _end_all_but(user: User, keep_key: str | None) -> int:
    """Delete the user's session rows and stores but `keep_key`'s; the epoch bump already un-signed them."""
    sessions = list(UserSession.objects.filter(user=user).exclude(session_key=keep_key or ""))
    keys = [session.session_key for session in sessions]
    UserSession.objects.filter(pk__in=[session.pk for session in sessions]).delete()
    for key in keys:
        _delete_store(key)
    return len(keys)


@transaction.atomic
def user_sessions_end_others(*, actor: User, current_key: str | None, request: HttpRequest | None = None) -> User:
    """End every session of the actor's but this one; the caller re-signs its own session at once
    (django.contrib.auth.update_session_auth_hash), as after accounts.services.user_sign_out_other_sessions.
    Callers: any signed-in person. Raises: account_inactive. Events: chat.close (4013) to the person's sockets."""
    with sessions_ending_recorded_by_caller():
        user = user_sign_out_other_sessions(actor=actor)
    ended = _end_all_but(user, current_key)
    audit_record(
        action=AuditAction.SESSIONS_ENDED,
        actor=actor,
        request=request,
        target=actor,
        data={"ended": "others", "count": ended},
    )
    return user


def check_can_sign_out(actor_membership: Membership | None, target: Membership) -> None:
    """Admins sign members, guests and other admins out; only owners sign out an owner."""
    if actor_membership is not None and target.role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners can sign out an owner.")


@transaction.atomic
def member_sign_out_everywhere(
    *, actor: User | None, workspace: Workspace, user: User, request: HttpRequest | None = None
) -> int:
    """End every session of a member of the workspace, in every browser, and close all their sockets. Their
    API tokens keep working (revoke those separately). Returns how many sessions were listed.
    Callers: the workspace's owners and admins (an owner only by owners); the operator (actor None).
    Raises: workspace_not_found / restricted_action (the actor), user_not_found (not in this workspace).
    Events: chat.close (4013) to every socket of the person's; audit sessions_ended."""
    actor_membership = access_workspace_admin(actor, workspace)
    target = Membership.objects.filter(workspace=workspace, user=user).select_related("user").first()
    if target is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, "That person is not in this workspace.")
    check_can_sign_out(actor_membership, target)
    person = type(target.user).objects.select_for_update().get(pk=target.user_id)
    person.session_epoch = person.session_epoch + 1  # saved, so accounts.signals closes the sockets
    with sessions_ending_recorded_by_caller():
        person.save(update_fields=["session_epoch"])
    ended = _end_all_but(person, None)
    data: dict[str, Any] = {"ended": "all", "count": ended}
    audit_record(
        action=AuditAction.SESSIONS_ENDED, actor=actor, workspace=workspace, request=request, target=person, data=data
    )
    return ended
