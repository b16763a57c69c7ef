"""Celery tasks of the workspaces app: thin adapters that fetch by id and do the work."""

from __future__ import annotations

from celery import shared_task

from workspaces.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_invitation_email(invitation_id: int) -> None:
    """Email an invitation to its address, unless it was revoked or has expired meanwhile.

    Queued by invitation_create after commit. SMTP failures (OSError) retry with backoff; a
    retry after a partial send may email twice, which beats never emailing.
    """
    from workspaces.emails import send_invitation_email as send

    invitation = Invitation.objects.select_related("workspace", "inviter").filter(pk=invitation_id).first()
    if invitation is None or not invitation.email or invitation.is_expired:
        return
    send(invitation)
