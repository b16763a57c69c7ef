"""The client page: the server renders the shell and a bootstrap document; the page's modules load
everything else over the REST API and the WebSocket (static/js/client/).

Reads only: who you are, the workspace, your other workspaces (for the switcher) and the links to
the account pages. A workspace you are not an active member of, or a deep link to a channel you
may not see, does not exist for you (404), as everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext

from accounts.http import AuthenticatedHttpRequest
from accounts.wire import user_to_wire
from chat.selectors import channel_get
from chat.selectors.people import people_view
from identity.mfa import must_enrol
from realtime.store import online_user_ids
from slackclone.errors import DomainError
from slackclone.i18n import client_catalog
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_membership
from workspaces.selectors import active_member_ids, user_workspaces
from workspaces.services import user_set_last_workspace

# The account and admin pages the client's menus link to: (key, URL name, takes the slug).
ACCOUNT_LINKS = (
    ("profile", "accounts:profile", False),
    ("preferences", "accounts:preferences", False),
    ("tokens", "accounts:tokens", False),
    ("workspaces", "accounts:workspaces", False),
    ("create_workspace", "workspaces:create", False),
    ("logout", "accounts:logout", False),
    ("admin", "workspaces:admin", True),
)


def _links(workspace: Workspace) -> dict[str, str]:
    return {key: reverse(name, args=[workspace.slug] if slug else []) for key, name, slug in ACCOUNT_LINKS}


def _deep_link(
    request: AuthenticatedHttpRequest, workspace: Workspace, channel_id: str | None, ts_digits: str | None
) -> dict[str, Any]:
    """The channel, message and thread a URL points at; 404 when the channel does not exist for the reader."""
    if channel_id is None:
        return {}
    try:
        channel = channel_get(actor=request.user, public_id=channel_id, workspace=workspace)
    except DomainError:
        raise Http404("Channel not found.") from None
    target: dict[str, Any] = {"channel": channel.public_id}
    if ts_digits:
        target["ts"] = f"{ts_digits[:-6]}.{ts_digits[-6:]}"
    thread_ts = request.GET.get("thread_ts", "")
    if thread_ts.replace(".", "", 1).isdigit():
        target["thread_ts"] = thread_ts
    return target


def _bootstrap(request: AuthenticatedHttpRequest, membership: Membership, target: dict[str, Any]) -> dict[str, Any]:
    workspace = membership.workspace
    workspaces = [
        {
            "id": m.workspace.public_id,
            "name": m.workspace.name,
            "slug": m.workspace.slug,
            "url": f"/{m.workspace.slug}/",
        }
        for m in user_workspaces(user=request.user)
    ]
    return {
        "self": user_to_wire(request.user, email=True),
        "workspace": {
            "id": workspace.public_id,
            "name": workspace.name,
            "slug": workspace.slug,
            "role": membership.role,
            "icon": workspace.icon.url if workspace.icon else "",
            "read_receipts": workspace.read_receipts,
        },
        "workspaces": workspaces,
        "api": "/api/v1/",
        "ws": "/ws/",
        "links": _links(workspace),
        "target": target,
        # Who is online now; afterwards presence_change events keep it current. None when this process
        # cannot know (the embedded default keeps presence in the server's memory).
        "online": _online(workspace, membership),
    }


def _online(workspace: Workspace, membership: Membership) -> list[str] | None:
    """Who of the people this member may see (workspaces.selectors.people_view) is online now."""
    view = people_view(workspace=workspace, viewer=membership)
    if view.sees_everyone:
        candidates = active_member_ids(workspace=workspace)
    else:
        candidates = list(view.members().filter(is_active=True).values_list("user__public_id", flat=True))
    online = online_user_ids(candidates)
    return None if online is None else sorted(online)


@login_required
def client(
    request: AuthenticatedHttpRequest, workspace_slug: str, channel_id: str | None = None, ts_digits: str | None = None
) -> HttpResponse:
    """The client for one workspace (any active member); remembers it as the member's last workspace."""
    workspace = Workspace.objects.filter(slug=workspace_slug).first()
    if workspace is None:
        raise Http404("Workspace not found.")
    try:
        membership = access_membership(request.user, workspace)
    except DomainError:
        raise Http404("Workspace not found.") from None
    if must_enrol(membership):
        # The workspace requires a second factor of this person: set it up first (tokens are not affected).
        messages.warning(
            request,
            gettext("%(workspace)s requires two-factor authentication: set up an authenticator app or a passkey.")
            % {"workspace": workspace.name},
        )
        return redirect("mfa_index")
    target = _deep_link(request, workspace, channel_id, ts_digits)
    user_set_last_workspace(actor=request.user, workspace=workspace)
    context = {
        "workspace": workspace,
        "bootstrap": _bootstrap(request, membership, target),
        "i18n_catalog": client_catalog(get_language()),
    }
    response = render(request, "chat/client.html", context)
    response["X-Client-Shell"] = "1"  # the service worker keeps this page to open the client offline (static/sw.js)
    return response
