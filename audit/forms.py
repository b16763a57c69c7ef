"""The audit page's forms: its filters (read from the query string) and the retention setting."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.selectors import AuditFilters
from workspaces.models import AUDIT_RETENTION_MAX_DAYS, AUDIT_RETENTION_MIN_DAYS


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("All events")), *AuditAction.choices])
    actor = forms.CharField(
        label=_("Person (email)"),
        required=False,
        max_length=254,
        help_text=_("Who acted, or the address a failed sign-in tried."),
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filters(self) -> AuditFilters:
        """The filters, dates as whole days in the current time zone (`To` included). Call after is_valid()."""
        data = self.cleaned_data

        def start_of(day) -> datetime:
            return timezone.make_aware(datetime.combine(day, time.min))

        return AuditFilters(
            action=data.get("action") or "",
            actor_email=data.get("actor") or "",
            since=start_of(data["since"]) if data.get("since") else None,
            until=start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
        )


class AuditRetentionForm(forms.Form):
    audit_retention_days = forms.IntegerField(
        label=_("Keep events for (days)"),
        required=False,
        min_value=AUDIT_RETENTION_MIN_DAYS,
        max_value=AUDIT_RETENTION_MAX_DAYS,
        help_text=_("From 30 to 3650 days. Leave it empty to keep every event."),
    )
