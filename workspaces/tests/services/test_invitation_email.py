"""invitation_create(send_email=True) mails the joining link after commit, once, to the addressee only."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from workspaces.jobs import send_invitation_email
from workspaces.services import invitation_create


def test_an_emailed_invitation_is_sent_only_after_commit(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(
            actor=team.admin, workspace=team.workspace, email="New@Example.com", send_email=True
        )
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    body = mail.outbox[0].body
    assert f"http://127.0.0.1:8000/invite/{invitation.token}/" in body
    assert f"{team.admin.name} ({team.admin.email}) has invited you" in body


def test_without_send_email_nothing_is_mailed(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=team.admin, workspace=team.workspace, email="quiet@example.com")
        invitation_create(actor=team.admin, workspace=team.workspace, send_email=True)  # a link has no address
    assert mail.outbox == []


def test_a_revoked_invitation_is_not_mailed_by_a_late_task(team):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="late@example.com")
    invitation.revoked_at = timezone.now()
    invitation.save()
    send_invitation_email(invitation.pk)
    send_invitation_email(-1)
    assert mail.outbox == []
