"""The workspace admin page for apps (/<slug>/admin/apps/): list, create from a manifest or a name (the
credentials shown on that answer only), set the request URL, rotate a secret, disable, enable, delete.
Thin adapters over slack_apps.services."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from slack_apps import selectors, services
from slack_apps.forms import AppCreateForm, AppUrlsForm
from slack_apps.manifest import parse_manifest, spec_from_options
from slack_apps.models import App
from slackclone.errors import DomainError
from workspaces.models import Workspace
from workspaces.views.common import admin_workspace, raise_as_http

ROTATE_ACTIONS: dict[str, tuple[services.AppSecret, Promise]] = {
    "rotate-bot_token": ("bot_token", gettext_lazy("bot token")),
    "rotate-app_token": ("app_token", gettext_lazy("app-level token")),
    "rotate-signing_secret": ("signing_secret", gettext_lazy("signing secret")),
}


def _page(
    request: AuthenticatedHttpRequest, workspace: Workspace, status: int = 200, **context: object
) -> HttpResponse:
    context.setdefault("form", AppCreateForm())
    context.update(
        workspace=workspace,
        apps=selectors.workspace_apps(actor=request.user, workspace=workspace),
        section="apps",
        rotate_actions=[(action, name) for action, (_, name) in ROTATE_ACTIONS.items()],
        api_url=request.build_absolute_uri("/api/"),
    )
    return render(request, "slack_apps/apps.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apps_page(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    if request.method == "GET":
        return _page(request, workspace)
    form = AppCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["manifest"]:
                spec = parse_manifest(data["manifest"], name=data["name"] or None)
            else:
                spec = spec_from_options(name=data["name"], socket_mode=data["socket_mode"])
            app, credentials = services.app_create(actor=request.user, workspace=workspace, spec=spec)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _page(request, workspace, status=201, created=app, credentials=dataclasses.asdict(credentials))
    return _page(request, workspace, status=400, form=form)


def _app(request: AuthenticatedHttpRequest, workspace_slug: str, app_id: str) -> tuple[Workspace, App]:
    workspace, _ = admin_workspace(request, workspace_slug)
    try:
        return workspace, selectors.app_get(actor=request.user, workspace=workspace, public_id=app_id)
    except DomainError as error:
        raise_as_http(error)


@login_required
@require_POST
def app_action(request: AuthenticatedHttpRequest, workspace_slug: str, app_id: str, action: str) -> HttpResponse:
    """disable, enable, delete, rotate-<secret> (the new secret is shown on this answer only), urls."""
    workspace, app = _app(request, workspace_slug, app_id)
    try:
        if action in ROTATE_ACTIONS:
            which, name = ROTATE_ACTIONS[action]
            secret = services.app_rotate(actor=request.user, app=app, secret=which)
            return _page(request, workspace, rotated=app, rotated_name=name, secret=secret)
        if action in ("disable", "enable"):
            services.app_set_enabled(actor=request.user, app=app, enabled=action == "enable")
            done = gettext("%(name)s is enabled.") if action == "enable" else gettext("%(name)s is disabled.")
            messages.success(request, done % {"name": app.name})
        elif action == "delete":
            services.app_delete(actor=request.user, app=app)
            messages.success(
                request,
                gettext("%(name)s is deleted; its bot stays as the author of its messages.") % {"name": app.name},
            )
        elif action == "urls":
            form = AppUrlsForm(request.POST)
            if form.is_valid():
                services.app_set_urls(actor=request.user, app=app, request_url=form.cleaned_data["request_url"])
                messages.success(request, gettext("%(name)s's request URL is saved.") % {"name": app.name})
        else:
            return HttpResponse("Unknown action.", status=404, content_type="text/plain")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("slack_apps:apps", workspace_slug=workspace_slug)
