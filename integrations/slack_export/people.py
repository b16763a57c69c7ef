"""Importing users.json: people matched by a proved email address, everyone else an inactive placeholder.

An existing account is matched only if its owner proved the address (or it is a placeholder an
earlier import made): matching hands it the person's private channels and DMs, and an address
anyone could have signed up with proves nothing. A placeholder cannot sign in; it is claimed,
with its history, only by following an invitation mailed to its address (`--invite` sends them;
otherwise admins invite people when they are ready). An account that signed up with the address
but never proved it, and holds nothing, becomes the placeholder: it could not be trusted with the
history, and whoever owns the address claims it through the invitation.
Bots and deleted users are created inactive with no invitation. Slack's restricted (guest)
accounts become guests; everyone else a member.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from accounts.signup import is_unclaimed_placeholder, user_make_placeholder
from integrations.models import ImportedKind
from integrations.slack_export.run import ImportRun
from slackclone.errors import DomainError
from workspaces.models import Membership, Role
from workspaces.selectors import live_invitations_addressed_to
from workspaces.services import invitation_create, member_add

SYNTHETIC_DOMAIN = "slack-import.invalid"


def synthetic_email(team_id: str, source_id: str) -> str:
    """An address for accounts Slack gives none (bots, Slackbot): unique, and never deliverable."""
    return f"{source_id.lower()}@{(team_id or 'slack').lower()}.{SYNTHETIC_DOMAIN}"


def _role(data: dict[str, Any]) -> Role:
    return Role.GUEST if data.get("is_restricted") or data.get("is_ultra_restricted") else Role.MEMBER


def _ensure_membership(run: ImportRun, user: User, role: Role) -> None:
    if Membership.objects.filter(user=user, workspace=run.workspace).exists():
        return
    if user.is_active:
        member_add(actor=None, workspace=run.workspace, user=user, role=role)
    else:
        # member_add admits active accounts only; an imported inactive account still needs its place
        # here so its history, channel memberships and mentions attach to it.
        Membership.objects.create(user=user, workspace=run.workspace, role=role)


def _new_user(run: ImportRun, data: dict[str, Any], email: str, *, is_bot: bool) -> User:
    profile = data.get("profile") or {}
    user = user_create(
        email=email,
        full_name=str(profile.get("real_name") or data.get("real_name") or data.get("name") or "")[:120],
        display_name=str(profile.get("display_name") or "")[:80],
        is_bot=is_bot,
        is_active=False,
    )
    title = str(profile.get("title") or "")[:120]
    if title:
        User.objects.filter(pk=user.pk).update(title=title)
    return user


def _invite(run: ImportRun, email: str, role: Role) -> None:
    """Mail the address an invitation that claims its placeholder, unless one is already on its way."""
    if any(i.workspace_id == run.workspace.pk for i in live_invitations_addressed_to(email=email)):
        return
    invitation_create(actor=None, workspace=run.workspace, email=email, role=role, send_email=True)
    run.report.created["invitations"] += 1


def _matchable(user: User) -> bool:
    """An account the import may hand a person's history: its owner proved the address, or nobody
    controls it yet (a placeholder an earlier import made), or it is a bot (made by admins)."""
    return user.email_verified or user.is_bot or is_unclaimed_placeholder(user)


@transaction.atomic
def import_user(run: ImportRun, data: dict[str, Any]) -> User | None:
    """Match or create one users.json entry, give it a place in the workspace, and record the mapping."""
    source_id = str(data.get("id") or "")
    profile = data.get("profile") or {}
    is_bot = bool(data.get("is_bot")) or source_id == "USLACKBOT"
    email = str(profile.get("email") or "").strip().lower()
    deleted = bool(data.get("deleted"))
    if not email:
        if not (is_bot or deleted):
            run.report.skip("users", "no email address in the export", source_id)
            return None
        email = synthetic_email(str(data.get("team_id") or ""), source_id)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not _matchable(user):
        if Membership.objects.filter(user=user).exists():
            run.report.skip("users", "an account that has not verified this address holds it", source_id)
            return None
        user = user_make_placeholder(user=user)
        run.report.created["placeholders from unverified accounts"] += 1
    if user is not None:
        run.report.existing["users"] += 1
    else:
        try:
            user = _new_user(run, data, email, is_bot=is_bot)
        except DomainError as error:
            run.report.skip("users", error.code, source_id)
            return None
        run.report.created["users"] += 1
    if run.invite and is_unclaimed_placeholder(user) and not (deleted or email.endswith(SYNTHETIC_DOMAIN)):
        _invite(run, email, _role(data))
    _ensure_membership(run, user, _role(data))
    run.record(ImportedKind.USER, [(source_id, user.pk)])
    return user


def import_users(run: ImportRun) -> None:
    """Every users.json entry; ones an earlier run imported are only looked up."""
    known = run.mapped(ImportedKind.USER)
    existing = User.objects.in_bulk(known.values())
    for data in run.archive.users():
        source_id = str(data.get("id") or "")
        if not source_id:
            run.report.skip("users", "no id", repr(data)[:40])
            continue
        if known.get(source_id) in existing:
            run.users[source_id] = existing[known[source_id]]
            run.report.existing["users"] += 1
            continue
        user = import_user(run, data)
        if user is not None:
            run.users[source_id] = user
    for source_id, pk in known.items():  # bots met only in messages by an earlier run
        if source_id not in run.users and pk in existing:
            run.users[source_id] = existing[pk]


@transaction.atomic
def bot_author(run: ImportRun, bot_id: str, name: str) -> User:
    """The user a bot_message without a `user` is shown as: one inactive bot per Slack bot id."""
    user = run.users.get(bot_id)
    if user is not None:
        return user
    email = synthetic_email(run.workspace.public_id, bot_id)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(email=email, full_name=(name or bot_id)[:120], is_bot=True, is_active=False)
        run.report.created["bots"] += 1
    _ensure_membership(run, user, Role.MEMBER)
    run.record(ImportedKind.USER, [(bot_id, user.pk)])
    run.users[bot_id] = user
    return user
