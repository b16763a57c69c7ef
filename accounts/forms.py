"""Forms of the account pages. They check the shape of what was typed; the services decide the rest."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import timezone

from accounts.models import Theme, User

if TYPE_CHECKING:
    from workspaces.models import Workspace


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for email addresses (which are not case-sensitive here)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Sorry, that email address and password don't match. Check them and try again.",
    }

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "placeholder": "name@work-email.com"}
        ),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class NewAccountForm(forms.Form):
    """A new account's name and password: what an invitation's page asks (the address is the invitation's)."""

    display_name = forms.CharField(
        label="Display name",
        max_length=80,
        help_text="What people see next to your messages. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=" ".join(password_validators_help_texts()),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignupForm(NewAccountForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "placeholder": "name@work-email.com"}
        ),
    )
    field_order = ("email", "display_name", "password")


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=120, required=False)
    display_name = forms.CharField(
        label="Display name",
        max_length=80,
        required=False,
        help_text="The name people see next to your messages; your full name when empty.",
    )
    title = forms.CharField(
        label="What I do", max_length=120, required=False, help_text="For example: Head of Product."
    )
    timezone = forms.ChoiceField(
        label="Time zone", help_text="Message times and do-not-disturb hours follow it.", choices=_timezone_choices
    )


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label="Upload a photo",
        help_text="PNG, JPEG, GIF or WebP, up to 10 MB. It is cropped to a square.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )


STATUS_EXPIRY_CHOICES = [
    ("never", "Don't clear"),
    ("30m", "30 minutes"),
    ("1h", "1 hour"),
    ("4h", "4 hours"),
    ("today", "Today"),
    ("week", "This week"),
]
STATUS_PRESETS = ["In a meeting", "Commuting", "Out sick", "Vacationing", "Working remotely", "Focusing"]


def status_expiry(choice: str, tz_name: str, now: datetime | None = None) -> datetime | None:
    """When a status chosen with `choice` clears: "today" and "this week" end at local midnight."""
    now = now or timezone.now()
    if choice in ("30m", "1h", "4h"):
        return now + {"30m": timedelta(minutes=30), "1h": timedelta(hours=1), "4h": timedelta(hours=4)}[choice]
    if choice not in ("today", "week"):
        return None
    local = now.astimezone(zoneinfo.ZoneInfo(tz_name))
    days = 1 if choice == "today" else 7 - local.weekday()  # the week ends on Sunday night
    # Aware arithmetic with zoneinfo is wall-clock arithmetic, so this is local midnight even across DST.
    return (local + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


class StatusForm(forms.Form):
    emoji = forms.CharField(
        label="Emoji",
        max_length=100,
        required=False,
        help_text="A shortcode such as :palm_tree: or :house_with_garden:.",
        widget=forms.TextInput(attrs={"placeholder": ":speech_balloon:", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label="What's your status?",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "status-presets", "autocomplete": "off"}),
    )
    expiry = forms.ChoiceField(label="Clear after", choices=STATUS_EXPIRY_CHOICES, initial="today")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("emoji", "").strip(": ") or data.get("text", "").strip()):
            raise forms.ValidationError("Choose an emoji or write a status, or use Clear status.")
        return data


class PreferencesForm(forms.Form):
    theme = forms.ChoiceField(label="Theme", choices=Theme.choices, widget=forms.RadioSelect, required=False)
    language = forms.ChoiceField(
        label="Language",
        choices=[("", "As my browser asks"), *settings.LANGUAGES],
        required=False,
    )
    email_notifications = forms.BooleanField(
        label="Email me about mentions and direct messages I haven't read",
        required=False,
        help_text="Sent a couple of minutes after they arrive, only while you are away.",
    )
    dnd_enabled = forms.BooleanField(label="Pause notifications every day", required=False)
    send_read_receipts = forms.BooleanField(
        label="Let others see when I have read their direct messages",
        required=False,
        help_text="Only in workspaces that show read receipts, in direct messages and group DMs of up to 10 people.",
    )
    dnd_start = forms.TimeField(
        label="From", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    dnd_end = forms.TimeField(
        label="Until", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> PreferencesForm:
        initial = {
            "theme": user.theme,
            "language": user.language,
            "email_notifications": user.email_notifications,
            "dnd_enabled": user.dnd_start is not None,
            "dnd_start": user.dnd_start,
            "dnd_end": user.dnd_end,
            "send_read_receipts": user.send_read_receipts,
        }
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("dnd_enabled"):
            for name in ("dnd_start", "dnd_end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Choose a time.")
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        required=False,
        help_text="So you can tell your tokens apart, for example: deploy script.",
    )
    workspace = forms.ChoiceField(label="Workspace", help_text="The token acts as you in this workspace only.")

    def __init__(self, *args: Any, workspaces: Iterable[Workspace] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["workspace"]).choices = [(w.public_id, w.name) for w in workspaces]
