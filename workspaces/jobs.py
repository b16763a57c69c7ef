"""The outbox jobs of the workspaces app: thin adapters that fetch by id and do the work (outbox.registry)."""

from __future__ import annotations

from outbox.registry import job
from slackclone.celery import EMAIL_QUEUE
from workspaces.models import Invitation


@job("workspaces.send_invitation_email", queue=EMAIL_QUEUE, atomic=False)
def send_invitation_email(invitation_id: int) -> None:
    """Email an invitation to its address, unless it was revoked or has expired meanwhile.

    Written by invitation_create in its transaction. SMTP failures retry with backoff; a retry after
    a partial send may email twice, which beats never emailing.
    """
    from workspaces.emails import send_invitation_email as send

    invitation = Invitation.objects.select_related("workspace", "inviter").filter(pk=invitation_id).first()
    if invitation is None or not invitation.email or invitation.is_expired:
        return
    send(invitation)
