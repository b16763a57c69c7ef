"""Forms of the workspace pages: creating one, and its admin pages. The services make the rules."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from workspaces.models import EmailDisplay, EmojiAddPolicy, Role, TwoFactorPolicy

MAX_EMAIL_INVITES = 20


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Workspace name"),
        max_length=80,
        help_text=_("The name of your company or team."),
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("Acme Corp")}),
    )
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=50,
        help_text=_("Lowercase letters, numbers and hyphens. Your workspace will live at /<address>/."),
        widget=forms.TextInput(attrs={"placeholder": "acme", "autocapitalize": "none", "spellcheck": "false"}),
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=80)


class WorkspacePrivacyForm(forms.Form):
    email_display = forms.ChoiceField(
        label=_("Display email addresses to"),
        choices=EmailDisplay.choices,
        help_text=_("Owners and admins always see them, and everyone sees their own."),
    )


class WorkspaceUsergroupsForm(forms.Form):
    usergroups_by_members = forms.BooleanField(
        label=_("Members may create and manage user groups"),
        required=False,
        help_text=_("Owners and admins always may; guests never do."),
    )


class WorkspaceLinkPreviewsForm(forms.Form):
    link_previews = forms.BooleanField(
        label=_("Show previews of links in messages"),
        required=False,
        help_text=_("The server fetches the page's title, description and image; apps' own unfurls are not affected."),
    )


class WorkspaceReadReceiptsForm(forms.Form):
    read_receipts = forms.BooleanField(
        label=_("Show read receipts in direct messages"),
        required=False,
        help_text=_(
            "“Seen by …” under the last message of direct messages and group DMs of up to 10 people. "
            "Everyone can still turn off sending their own in their preferences."
        ),
    )


class EmojiPolicyForm(forms.Form):
    emoji_add_policy = forms.ChoiceField(
        label=_("Who can add custom emoji"),
        choices=EmojiAddPolicy.choices,
        help_text=_("Guests never can. Owners and admins can remove any custom emoji; members, those they added."),
    )


class WorkspaceIconForm(forms.Form):
    icon = forms.FileField(
        label=_("Upload an icon"),
        help_text=_("PNG, JPEG, GIF or WebP, up to 10 MB; square images look best."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )


INVITE_ROLE_CHOICES = [
    (Role.MEMBER.value, Role.MEMBER.label),
    (Role.GUEST.value, Role.GUEST.label),
    (Role.ADMIN.value, Role.ADMIN.label),
]
EXPIRY_CHOICES = [("1", _("1 day")), ("7", _("7 days")), ("14", _("14 days")), ("30", _("30 days"))]


class InviteLinkForm(forms.Form):
    role = forms.ChoiceField(label=_("Join as"), choices=INVITE_ROLE_CHOICES, initial=Role.MEMBER.value)
    expires_in_days = forms.TypedChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial="14")
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Leave empty for no limit."),
    )


class InviteEmailForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        help_text=format_lazy(_("Up to {count}, separated by commas, spaces or new lines."), count=MAX_EMAIL_INVITES),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("name@example.com, other@example.com")}),
    )
    role = forms.ChoiceField(label=_("Invite as"), choices=INVITE_ROLE_CHOICES, initial=Role.MEMBER.value)

    def clean_emails(self) -> list[str]:
        emails = list(dict.fromkeys(e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e))
        if not emails:
            raise forms.ValidationError(_("Enter at least one email address."))
        if len(emails) > MAX_EMAIL_INVITES:
            raise forms.ValidationError(_("Invite at most %(count)s people at a time.") % {"count": MAX_EMAIL_INVITES})
        invalid = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                invalid.append(email)
        if invalid:
            raise forms.ValidationError(_("Not an email address: %(emails)s.") % {"emails": ", ".join(invalid)})
        return emails


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class WorkspaceTwoFactorForm(forms.Form):
    two_factor_policy = forms.ChoiceField(
        label=_("Require two-factor authentication of"),
        choices=TwoFactorPolicy.choices,
        help_text=_(
            "People it covers set up an authenticator app or a passkey before they can open the workspace. "
            "API tokens keep working."
        ),
    )
