"""The workspace admin page's forms for apps; slack_apps.manifest and services make the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from slack_apps.manifest import MANIFEST_MAX_BYTES
from slack_apps.models import APP_NAME_MAX_LENGTH, URL_MAX_LENGTH


class AppCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=APP_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Without a manifest, the app's name (the usual events and scopes); with one, its new name."),
    )
    manifest = forms.CharField(
        label=_("App manifest"),
        required=False,
        max_length=MANIFEST_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_("Paste the app's Slack manifest (JSON or YAML) as it is."),
    )
    socket_mode = forms.BooleanField(label=_("Socket Mode"), required=False, help_text=_("Without a manifest."))


class AppUrlsForm(forms.Form):
    request_url = forms.CharField(
        label=_("Request URL"),
        max_length=URL_MAX_LENGTH,
        required=False,
        help_text=_("Events and slash commands go here; the app must answer Slack's url_verification first."),
    )
