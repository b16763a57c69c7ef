"""Driving the admin like a person: posting actions and forms, and reading the messages shown."""

from __future__ import annotations

from django.apps import apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse


def admin_url(label: str, view: str, *args) -> str:
    model = apps.get_model(label)
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client: Client, label: str, action: str, rows) -> list[str]:
    """Run an admin action on `rows` from the changelist; returns the messages it showed."""
    response = client.post(
        admin_url(label, "changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert response.status_code == 200
    return shown_messages(response)


def form_data(response) -> dict[str, object]:
    """What the browser would post back for an admin form page: the main form and every inline formset."""
    forms = [response.context["adminform"].form]
    data: dict[str, object] = {}
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data
