"""What every operator command shares: name lookups and turning DomainError into CommandError.

Commands are thin adapters over the services: they translate names the operator types
(an email, a workspace slug, a channel name) into rows, call one service as the trusted
operator (actor=None) or as the user the operator names, and print the result. A refused
call becomes a CommandError carrying the service's message and its stable code, so the
process exits non-zero and nothing is written (every service runs in one transaction).

The leading underscore keeps Django from listing this module as a command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from accounts.models import User
from chat.models import Channel
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Workspace


def command_error(code: ErrorCode | str, message: str) -> CommandError:
    """The one shape of a refusal at the command line: the message, then its stable code."""
    return CommandError(f"{message} [{ErrorCode(code).value}]")


@contextmanager
def domain_errors() -> Iterator[None]:
    """Report a service's DomainError as a CommandError (exit status 1) with its message and code."""
    try:
        yield
    except DomainError as exc:
        raise command_error(exc.code, exc.message) from exc


def get_user(email: str) -> User:
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise command_error(ErrorCode.USER_NOT_FOUND, f"No account has the email {email!r}.")
    return user


def get_workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=(slug or "").strip().lower()).first()
    if workspace is None:
        raise command_error(ErrorCode.WORKSPACE_NOT_FOUND, f"No workspace has the address {slug!r}.")
    return workspace


def get_active_membership(workspace: Workspace, user: User) -> Membership:
    """The user's membership, refused with a message naming both when it is missing or deactivated.

    Services answer a non-member with workspace_not_found (the workspace does not exist for them);
    at the command line the operator deserves to know which of the two names is wrong.
    """
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if membership is None:
        raise command_error(ErrorCode.NOT_IN_WORKSPACE, f"{user.email} is not a member of {workspace.slug}.")
    if not membership.is_active:
        raise command_error(ErrorCode.ACCOUNT_INACTIVE, f"{user.email} has been deactivated in {workspace.slug}.")
    return membership


def get_channel(workspace: Workspace, name: str) -> Channel:
    """A named channel (public or private: the operator sees everything) by its name, '#' optional."""
    cleaned = (name or "").strip().removeprefix("#")
    channel = Channel.objects.select_related("workspace").filter(workspace=workspace, name=cleaned).first()
    if channel is None:
        raise command_error(ErrorCode.CHANNEL_NOT_FOUND, f"{workspace.slug} has no channel named #{cleaned}.")
    return channel
