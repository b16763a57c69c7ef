"""Forms of the workspace pages: creating one, and its admin pages. The services make the rules."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email

from workspaces.models import EmailDisplay, EmojiAddPolicy, Role

MAX_EMAIL_INVITES = 20


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(
        label="Workspace name",
        max_length=80,
        help_text="The name of your company or team.",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "Acme Corp"}),
    )
    slug = forms.CharField(
        label="Workspace address",
        max_length=50,
        help_text="Lowercase letters, numbers and hyphens. Your workspace will live at /<address>/.",
        widget=forms.TextInput(attrs={"placeholder": "acme", "autocapitalize": "none", "spellcheck": "false"}),
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label="Workspace name", max_length=80)


class WorkspacePrivacyForm(forms.Form):
    email_display = forms.ChoiceField(
        label="Display email addresses to",
        choices=EmailDisplay.choices,
        help_text="Owners and admins always see them, and everyone sees their own.",
    )


class WorkspaceUsergroupsForm(forms.Form):
    usergroups_by_members = forms.BooleanField(
        label="Members may create and manage user groups",
        required=False,
        help_text="Owners and admins always may; guests never do.",
    )


class WorkspaceLinkPreviewsForm(forms.Form):
    link_previews = forms.BooleanField(
        label="Show previews of links in messages",
        required=False,
        help_text="The server fetches the page's title, description and image; apps' own unfurls are not affected.",
    )


class WorkspaceReadReceiptsForm(forms.Form):
    read_receipts = forms.BooleanField(
        label="Show read receipts in direct messages",
        required=False,
        help_text="“Seen by …” under the last message of direct messages and group DMs of up to 10 people. "
        "Everyone can still turn off sending their own in their preferences.",
    )


class EmojiPolicyForm(forms.Form):
    emoji_add_policy = forms.ChoiceField(
        label="Who can add custom emoji",
        choices=EmojiAddPolicy.choices,
        help_text="Guests never can. Owners and admins can remove any custom emoji; members, those they added.",
    )


class WorkspaceIconForm(forms.Form):
    icon = forms.FileField(
        label="Upload an icon",
        help_text="PNG, JPEG, GIF or WebP, up to 10 MB; square images look best.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )


INVITE_ROLE_CHOICES = [(Role.MEMBER.value, "Member"), (Role.GUEST.value, "Guest"), (Role.ADMIN.value, "Admin")]
EXPIRY_CHOICES = [("1", "1 day"), ("7", "7 days"), ("14", "14 days"), ("30", "30 days")]


class InviteLinkForm(forms.Form):
    role = forms.ChoiceField(label="Join as", choices=INVITE_ROLE_CHOICES, initial=Role.MEMBER.value)
    expires_in_days = forms.TypedChoiceField(label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial="14")
    max_uses = forms.IntegerField(
        label="Maximum uses",
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="Leave empty for no limit.",
    )


class InviteEmailForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        help_text=f"Up to {MAX_EMAIL_INVITES}, separated by commas, spaces or new lines.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "name@example.com, other@example.com"}),
    )
    role = forms.ChoiceField(label="Invite as", choices=INVITE_ROLE_CHOICES, initial=Role.MEMBER.value)

    def clean_emails(self) -> list[str]:
        emails = list(dict.fromkeys(e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e))
        if not emails:
            raise forms.ValidationError("Enter at least one email address.")
        if len(emails) > MAX_EMAIL_INVITES:
            raise forms.ValidationError(f"Invite at most {MAX_EMAIL_INVITES} people at a time.")
        invalid = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                invalid.append(email)
        if invalid:
            raise forms.ValidationError(f"Not an email address: {', '.join(invalid)}.")
        return emails


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
