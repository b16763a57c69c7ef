"""The email an invitation addressed to one person sends them: who invited them, where, and the link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from slackclone.i18n import language_of
from workspaces.models import Invitation


def invitation_url(invitation: Invitation) -> str:
    """The joining link, absolute (SITE_URL), for emails and for admins to copy."""
    return settings.SITE_URL + reverse("workspaces:invitation-accept", args=[invitation.token])


def invitation_language(invitation: Invitation) -> str:
    """The invitee's own language when the address has an account, else the inviter's (likely their team's)."""
    invitee = User.objects.filter(email__iexact=invitation.email).only("language").first()
    return language_of(invitee or invitation.inviter)


def send_invitation_email(invitation: Invitation) -> None:
    """Send the invitation to its address. Callers: the invitation task, after the invitation commits."""
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "inviter": invitation.inviter,
        "url": invitation_url(invitation),
        "site_url": settings.SITE_URL,
    }
    with translation.override(invitation_language(invitation)):
        subject = render_to_string("workspaces/emails/invitation_subject.txt", context).strip()
        body = render_to_string("workspaces/emails/invitation.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email]).send()
