"""Workspace admin: members, their roles, deactivation and reactivation, signing a member out everywhere
(/<slug>/admin/members/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from identity.sessions import member_sign_out_everywhere
from slackclone.errors import DomainError
from workspaces import services
from workspaces.forms import MemberRoleForm
from workspaces.models import Membership, Role
from workspaces.selectors import workspace_member_get, workspace_members
from workspaces.views.common import admin_workspace

PAGE_SIZE = 100
ROLE_CHANGED = {
    Role.OWNER: gettext_lazy("%(name)s is now an owner."),
    Role.ADMIN: gettext_lazy("%(name)s is now an admin."),
    Role.MEMBER: gettext_lazy("%(name)s is now a member."),
    Role.GUEST: gettext_lazy("%(name)s is now a guest."),
}


def _can_manage(actor: Membership, target: Membership) -> bool:
    """Whether the actor may change this member at all (workspaces.permissions.check_can_change_role)."""
    return actor.role == Role.OWNER or not target.is_admin


def _can_sign_out(actor: Membership, target: Membership) -> bool:
    """Whether the actor may end this member's sessions (identity.sessions.check_can_sign_out)."""
    return actor.role == Role.OWNER or target.role != Role.OWNER


@login_required
@require_safe
def members(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, actor = admin_workspace(request, workspace_slug)
    after = request.GET.get("after") or None
    page = workspace_members(workspace=workspace, after=after, limit=PAGE_SIZE + 1)
    rows = [
        {
            "membership": m,
            "can_manage": _can_manage(actor, m),
            "can_sign_out": _can_sign_out(actor, m) and m.is_active and not m.user.is_bot,
            "is_self": m.user_id == request.user.pk,
        }
        for m in page[:PAGE_SIZE]
    ]
    role_choices = (
        Role.choices if actor.role == Role.OWNER else [(Role.MEMBER, Role.MEMBER.label), (Role.GUEST, Role.GUEST.label)]
    )
    context = {
        "workspace": workspace,
        "actor": actor,
        "rows": rows,
        "role_choices": role_choices,
        "next_after": page[PAGE_SIZE - 1].user.public_id if len(page) > PAGE_SIZE else None,
        "section": "members",
    }
    return render(request, "workspaces/admin/members.html", context)


def _target(workspace, user_id: str) -> Membership:
    try:
        return workspace_member_get(workspace=workspace, user_public_id=user_id)
    except DomainError as error:
        raise Http404(error.message) from None


def _done(
    request: AuthenticatedHttpRequest, workspace_slug: str, error: DomainError | None, success: str
) -> HttpResponse:
    if error is None:
        messages.success(request, success)
    else:
        messages.error(request, error.message)
    return redirect("workspaces:admin-members", workspace_slug=workspace_slug)


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, workspace_slug: str, user_id: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    target = _target(workspace, user_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the roles offered."))
        return redirect("workspaces:admin-members", workspace_slug=workspace_slug)
    error = None
    try:
        services.member_change_role(
            actor=request.user, workspace=workspace, user=target.user, role=form.cleaned_data["role"]
        )
    except DomainError as exc:
        error = exc
    done = str(ROLE_CHANGED[Role(form.cleaned_data["role"])]) % {"name": target.user.name}
    return _done(request, workspace_slug, error, done)


@login_required
@require_POST
def member_active(request: AuthenticatedHttpRequest, workspace_slug: str, user_id: str) -> HttpResponse:
    """Deactivate (`action=deactivate`) or reactivate (`action=reactivate`) a member."""
    workspace, _ = admin_workspace(request, workspace_slug)
    target = _target(workspace, user_id)
    reactivate = request.POST.get("action") == "reactivate"
    service = services.member_reactivate if reactivate else services.member_deactivate
    error = None
    try:
        service(actor=request.user, workspace=workspace, user=target.user)
    except DomainError as exc:
        error = exc
    done = gettext("%(name)s has been reactivated.") if reactivate else gettext("%(name)s has been deactivated.")
    return _done(request, workspace_slug, error, done % {"name": target.user.name})


@login_required
@require_POST
def member_sign_out(request: AuthenticatedHttpRequest, workspace_slug: str, user_id: str) -> HttpResponse:
    """End every session of the member's, in every browser (identity.sessions.member_sign_out_everywhere)."""
    workspace, _ = admin_workspace(request, workspace_slug)
    target = _target(workspace, user_id)
    error = None
    try:
        member_sign_out_everywhere(actor=request.user, workspace=workspace, user=target.user, request=request)
    except DomainError as exc:
        error = exc
    done = gettext("%(name)s has been signed out everywhere.") % {"name": target.user.name}
    return _done(request, workspace_slug, error, done)
