"""Files, as their readers may fetch them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat.models import Attachment, ChannelMember
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def file_get(*, actor: User, public_id: str, workspace: Workspace | None = None) -> Attachment:
    """A file shared in a channel the actor is a member of (and active in its workspace).

    Everyone else, including members of the workspace who are not in that channel, gets
    file_not_found: a file's existence is as private as its channel's messages.
    """
    files = Attachment.objects.select_related("channel", "message").filter(
        public_id=public_id, message__isnull=False, message__deleted_at__isnull=True
    )
    if workspace is not None:
        files = files.filter(workspace=workspace)
    attachment = files.first() if isinstance(public_id, str) else None
    if (
        attachment is None
        or not actor.is_active
        or not Membership.objects.filter(user=actor, workspace_id=attachment.workspace_id, is_active=True).exists()
        or attachment.channel_id is None
        or not ChannelMember.objects.filter(user=actor, channel_id=attachment.channel_id).exists()
    ):
        raise DomainError(ErrorCode.FILE_NOT_FOUND, "File not found.")
    return attachment
