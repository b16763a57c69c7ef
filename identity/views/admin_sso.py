"""Workspace admin: single sign-on providers (/<slug>/admin/sso/), for the workspace's owners only.

Lists each provider with its status and the last configuration check's problem, adds and edits
OpenID Connect providers and shows the redirect URI to register at the provider; SAML providers are
handled by identity.views.admin_saml (the "form" field of a POST names the add form: "saml").
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from identity import services
from identity.forms import OIDCProviderForm
from identity.models import IdentityProvider, ProviderKind
from identity.views import admin_saml
from slackclone.errors import DomainError
from slackclone.web import add_domain_error
from workspaces.models import Workspace
from workspaces.permissions import access_workspace_owner
from workspaces.views.common import raise_as_http


def _owner_workspace(request: AuthenticatedHttpRequest, slug: str) -> Workspace:
    """404 if the workspace does not exist for you, 403 unless you are one of its owners."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404("Workspace not found.")
    try:
        access_workspace_owner(request.user, workspace)
    except DomainError as error:
        raise_as_http(error)
    return workspace


def _provider(request: AuthenticatedHttpRequest, workspace: Workspace, provider_id: str) -> IdentityProvider:
    try:
        return services.identity_provider_get(actor=request.user, workspace=workspace, provider_id=provider_id)
    except DomainError as error:
        raise_as_http(error)


def _rows(workspace: Workspace) -> list[dict[str, object]]:
    providers = IdentityProvider.objects.filter(workspace=workspace).select_related("social_app").order_by("name")
    rows: list[dict[str, object]] = []
    for p in providers:
        if p.kind == ProviderKind.SAML:
            urls = admin_saml.service_provider_urls(p)
            rows.append({"provider": p, "saml": True, "metadata_url": admin_saml.metadata_url_of(p), **urls})
        else:
            rows.append({"provider": p, "redirect_uri": services.redirect_uri(p.provider_id)})
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def providers(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _owner_workspace(request, workspace_slug)
    adding_saml = request.method == "POST" and request.POST.get("form") == "saml"
    saml_form = admin_saml.add_form(request.POST if adding_saml else None)
    if adding_saml and saml_form.is_valid():
        done = admin_saml.create(request, workspace, saml_form)
        if done is not None:
            return done
    form = OIDCProviderForm(None if adding_saml else request.POST or None)
    form.fields["client_secret"].required = True  # optional only when editing: empty keeps it
    if request.method == "POST" and not adding_saml and form.is_valid():
        try:
            provider = services.identity_provider_create_oidc(
                actor=request.user, workspace=workspace, **form.service_arguments()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was added.") % {"name": provider.name})
            return redirect(
                "workspaces:admin-sso-provider", workspace_slug=workspace.slug, provider_id=provider.provider_id
            )
    context = {"workspace": workspace, "rows": _rows(workspace), "form": form, "saml_form": saml_form, "section": "sso"}
    status = 400 if form.errors or saml_form.errors else 200
    return render(request, "identity/admin/sso.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_edit(request: AuthenticatedHttpRequest, workspace_slug: str, provider_id: str) -> HttpResponse:
    workspace = _owner_workspace(request, workspace_slug)
    provider = _provider(request, workspace, provider_id)
    if provider.kind == ProviderKind.SAML:
        return admin_saml.edit(request, workspace, provider)
    form = OIDCProviderForm.for_provider(provider, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_provider_update(actor=request.user, provider=provider, **form.service_arguments())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was saved.") % {"name": provider.name})
            return redirect(
                "workspaces:admin-sso-provider", workspace_slug=workspace.slug, provider_id=provider.provider_id
            )
    context = {
        "workspace": workspace,
        "provider": provider,
        "redirect_uri": services.redirect_uri(provider.provider_id),
        "form": form,
        "section": "sso",
    }
    return render(request, "identity/admin/sso_provider.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def provider_action(
    request: AuthenticatedHttpRequest, workspace_slug: str, provider_id: str, action: str
) -> HttpResponse:
    """enable, disable, check (refresh: a SAML provider's metadata) or delete."""
    workspace = _owner_workspace(request, workspace_slug)
    provider = _provider(request, workspace, provider_id)
    name = provider.name
    if provider.kind == ProviderKind.SAML:
        admin_saml.action(request, provider, action)
    elif action in ("enable", "disable"):
        services.identity_provider_set_enabled(actor=request.user, provider=provider, enabled=action == "enable")
        done = gettext("%(name)s is on.") if action == "enable" else gettext("%(name)s is off.")
        messages.success(request, done % {"name": name})
    elif action == "check":
        provider = services.identity_provider_check(provider=provider)
        if provider.last_error:
            messages.error(request, provider.last_error)
        else:
            messages.success(request, gettext("%(name)s answered correctly.") % {"name": name})
    elif action == "delete":
        services.identity_provider_delete(actor=request.user, provider=provider)
        messages.success(request, gettext("%(name)s was removed.") % {"name": name})
    else:
        raise Http404("No such action.")
    return redirect("workspaces:admin-sso", workspace_slug=workspace.slug)
