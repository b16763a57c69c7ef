"""Workspace admin: custom emoji (/<slug>/admin/emoji/): who may add them, and removing any of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from chat.selectors import custom_emoji
from chat.services import emoji_remove
from chat.wire import emoji_value
from slackclone.errors import DomainError
from slackclone.web import submit_form
from workspaces.forms import EmojiPolicyForm
from workspaces.services import workspace_set_emoji_policy
from workspaces.views.common import admin_workspace


def _render(request, workspace, *, form=None, status=200) -> HttpResponse:
    rows = [
        {"emoji": item, "url": None if item.is_alias else emoji_value(item, workspace_id=workspace.public_id)}
        for item in custom_emoji(workspace=workspace)
    ]
    context = {
        "workspace": workspace,
        "rows": rows,
        "form": form or EmojiPolicyForm(initial={"emoji_add_policy": workspace.emoji_add_policy}),
        "section": "emoji",
    }
    return render(request, "workspaces/admin/emoji.html", context, status=status)


@login_required
@require_GET
def emoji(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    return _render(request, workspace)


@login_required
@require_POST
def emoji_policy(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Who may add custom emoji (workspaces.services.workspace_set_emoji_policy)."""
    workspace, _ = admin_workspace(request, workspace_slug)
    form = EmojiPolicyForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: workspace_set_emoji_policy(
            actor=request.user, workspace=workspace, emoji_add_policy=data["emoji_add_policy"]
        ),
        success=gettext("Who can add custom emoji has been saved."),
        redirect_to=reverse("workspaces:admin-emoji", args=[workspace.slug]),
    )
    return done or _render(request, workspace, form=form, status=400)


@login_required
@require_POST
def emoji_delete(request: AuthenticatedHttpRequest, workspace_slug: str, name: str) -> HttpResponse:
    """Remove a custom emoji and its aliases (chat.services.emoji_remove); every open client hears of it."""
    workspace, _ = admin_workspace(request, workspace_slug)
    try:
        names = emoji_remove(actor=request.user, workspace=workspace, name=name)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        removed = ", ".join(f":{name}:" for name in names)
        messages.success(request, gettext("Removed %(emoji)s.") % {"emoji": removed})
    return redirect("workspaces:admin-emoji", workspace.slug)
