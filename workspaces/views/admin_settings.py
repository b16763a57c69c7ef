"""Workspace admin: name, icon, who sees addresses, who manages user groups, link previews, read receipts
(/<slug>/admin/settings/). The address never changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from slackclone.web import submit_form
from workspaces.forms import (
    WorkspaceIconForm,
    WorkspaceLinkPreviewsForm,
    WorkspacePrivacyForm,
    WorkspaceReadReceiptsForm,
    WorkspaceSettingsForm,
    WorkspaceTwoFactorForm,
    WorkspaceUsergroupsForm,
)
from workspaces.models import Role
from workspaces.services import (
    workspace_set_email_display,
    workspace_set_link_previews,
    workspace_set_read_receipts,
    workspace_set_usergroups_by_members,
    workspace_update,
)
from workspaces.services.two_factor import workspace_set_two_factor_policy
from workspaces.views.common import admin_workspace, owner_workspace


def _render(request, workspace, *, form=None, icon_form=None, privacy_form=None, status=200) -> HttpResponse:
    context = {
        "workspace": workspace,
        "form": form or WorkspaceSettingsForm(initial={"name": workspace.name}),
        "icon_form": icon_form or WorkspaceIconForm(),
        "privacy_form": privacy_form or WorkspacePrivacyForm(initial={"email_display": workspace.email_display}),
        "usergroups_form": WorkspaceUsergroupsForm(initial={"usergroups_by_members": workspace.usergroups_by_members}),
        "link_previews_form": WorkspaceLinkPreviewsForm(initial={"link_previews": workspace.link_previews}),
        "read_receipts_form": WorkspaceReadReceiptsForm(initial={"read_receipts": workspace.read_receipts}),
        "two_factor_form": WorkspaceTwoFactorForm(initial={"two_factor_policy": workspace.two_factor_policy}),
        "is_owner": workspace.memberships.filter(user=request.user, role=Role.OWNER, is_active=True).exists(),
        "section": "settings",
    }
    return render(request, "workspaces/admin/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    if request.method == "GET":
        return _render(request, workspace)
    form = WorkspaceSettingsForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: workspace_update(actor=request.user, workspace=workspace, name=data["name"]),
        success=gettext("The workspace name has been saved."),
        redirect_to=reverse("workspaces:admin-settings", args=[workspace.slug]),
    )
    if done:
        return done
    workspace.refresh_from_db()  # the page shows the saved name, not the refused one
    return _render(request, workspace, form=form, status=400)


@login_required
@require_POST
def icon(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Upload a new icon, or remove it (`remove` in the form)."""
    workspace, _ = admin_workspace(request, workspace_slug)
    here = reverse("workspaces:admin-settings", args=[workspace.slug])
    if "remove" in request.POST:
        workspace_update(actor=request.user, workspace=workspace, icon=None)
        messages.success(request, gettext("The workspace icon has been removed."))
        return redirect(here)
    form = WorkspaceIconForm(request.POST, request.FILES)
    done = submit_form(
        request,
        form,
        lambda data: workspace_update(actor=request.user, workspace=workspace, icon=data["icon"]),
        success=gettext("The workspace icon has been updated."),
        redirect_to=here,
    )
    return done or _render(request, workspace, icon_form=form, status=400)


@login_required
@require_POST
def privacy(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Who sees people's email addresses (workspaces.services.workspace_set_email_display)."""
    workspace, _ = admin_workspace(request, workspace_slug)
    form = WorkspacePrivacyForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: workspace_set_email_display(
            actor=request.user, workspace=workspace, email_display=data["email_display"]
        ),
        success=gettext("Who sees email addresses has been saved."),
        redirect_to=reverse("workspaces:admin-settings", args=[workspace.slug]),
    )
    return done or _render(request, workspace, privacy_form=form, status=400)


def _save_switch(request: AuthenticatedHttpRequest, workspace_slug: str, form_class, save, success: str):
    """One on/off setting of the settings page: the form's one field, saved by `save(workspace, value)`."""
    workspace, _ = admin_workspace(request, workspace_slug)
    form = form_class(request.POST)
    (field,) = form.fields
    done = submit_form(
        request,
        form,
        lambda data: save(workspace, data[field]),
        success=success,
        redirect_to=reverse("workspaces:admin-settings", args=[workspace.slug]),
    )
    return done or _render(request, workspace, status=400)


@login_required
@require_POST
def usergroups(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Whether members manage user groups (workspaces.services.workspace_set_usergroups_by_members)."""
    return _save_switch(
        request,
        workspace_slug,
        WorkspaceUsergroupsForm,
        lambda workspace, allowed: workspace_set_usergroups_by_members(
            actor=request.user, workspace=workspace, allowed=allowed
        ),
        gettext("Who manages user groups has been saved."),
    )


@login_required
@require_POST
def link_previews(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Whether the server previews links (workspaces.services.workspace_set_link_previews)."""
    return _save_switch(
        request,
        workspace_slug,
        WorkspaceLinkPreviewsForm,
        lambda workspace, enabled: workspace_set_link_previews(
            actor=request.user, workspace=workspace, enabled=enabled
        ),
        gettext("Link previews have been saved."),
    )


@login_required
@require_POST
def read_receipts(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Whether small DMs show who has seen the last message (workspaces.services.workspace_set_read_receipts)."""
    return _save_switch(
        request,
        workspace_slug,
        WorkspaceReadReceiptsForm,
        lambda workspace, enabled: workspace_set_read_receipts(
            actor=request.user, workspace=workspace, enabled=enabled
        ),
        gettext("Read receipts have been saved."),
    )


@login_required
@require_POST
def two_factor(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Who must use two-factor authentication (workspaces.services.two_factor): owners only, 403 for admins."""
    workspace, _ = owner_workspace(request, workspace_slug)
    form = WorkspaceTwoFactorForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: workspace_set_two_factor_policy(
            actor=request.user, workspace=workspace, policy=data["two_factor_policy"]
        ),
        success=gettext("The two-factor requirement has been saved."),
        redirect_to=reverse("workspaces:admin-settings", args=[workspace.slug]),
    )
    return done or _render(request, workspace, status=400)
