"""The admin page's forms for a new incoming webhook or bot; integrations.services makes the rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.models import Channel
from integrations.models import WEBHOOK_NAME_MAX_LENGTH


class WebhookCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=WEBHOOK_NAME_MAX_LENGTH,
        help_text=_("Shown as the author of its messages, unless a post names itself (username)."),
        widget=forms.TextInput(attrs={"placeholder": _("Deploy notices")}),
    )
    channel = forms.ChoiceField(label=_("Posts to"), choices=())

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = channels

    def chosen_channel(self, workspace) -> Channel:
        return Channel.objects.select_related("workspace").get(
            workspace=workspace, public_id=self.cleaned_data["channel"]
        )


class BotCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Bot name"),
        max_length=WEBHOOK_NAME_MAX_LENGTH,
        help_text=_("A bot user with its own xoxb- token, for Slack bots (slack_sdk) pointed at this server."),
        widget=forms.TextInput(attrs={"placeholder": _("Standup bot")}),
    )
