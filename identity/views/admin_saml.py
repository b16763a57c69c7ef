"""Workspace admin: the SAML providers on the single sign-on page (/<slug>/admin/sso/), for its owners.

Called by identity.views.admin_sso, which finds the workspace and the provider and checks that you own
the workspace; every change goes through identity.saml.services (which checks it again and audits it).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.http import AuthenticatedHttpRequest
from identity.forms import SAMLProviderForm
from identity.models import IdentityProvider
from identity.saml import services
from slackclone.errors import DomainError
from slackclone.web import add_domain_error
from workspaces.models import Workspace

FORM_PREFIX = "saml"


def add_form(data: object = None) -> SAMLProviderForm:
    """The "Add a SAML provider" form of the list page (prefixed: the OpenID Connect form is beside it)."""
    return SAMLProviderForm(data, prefix=FORM_PREFIX, initial={"idp_initiated": True})


def service_provider_urls(provider: IdentityProvider) -> dict[str, str]:
    """What the owner copies into the IdP: our metadata URL (also our entity id) and ACS URL."""
    return {"sp_metadata_url": services.sp_metadata_url(provider), "acs_url": services.sp_acs_url(provider)}


def metadata_url_of(provider: IdentityProvider) -> str:
    """The IdP's metadata URL the provider was configured from; empty for pasted metadata (no refresh)."""
    return (provider.social_app.settings.get("slackclone") or {}).get("metadata_url") or ""


def _metadata_field(form: SAMLProviderForm) -> dict[str, str]:
    """The metadata errors go to the field the metadata came from."""
    return {"metadata": "metadata_xml" if form.cleaned_data.get("metadata_xml") else "metadata_url"}


def create(request: AuthenticatedHttpRequest, workspace: Workspace, form: SAMLProviderForm) -> HttpResponse | None:
    """Add the provider from a valid form; None when the service refused (the reason is on the form)."""
    try:
        provider = services.saml_provider_create(
            actor=request.user, workspace=workspace, request=request, **form.service_arguments()
        )
    except DomainError as error:
        add_domain_error(form, error, _metadata_field(form))
        return None
    messages.success(request, gettext("%(name)s was added.") % {"name": provider.name})
    return redirect("workspaces:admin-sso-provider", workspace_slug=workspace.slug, provider_id=provider.provider_id)


def edit(request: AuthenticatedHttpRequest, workspace: Workspace, provider: IdentityProvider) -> HttpResponse:
    form = SAMLProviderForm.for_saml_provider(provider, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saml_provider_update(
                actor=request.user, provider=provider, request=request, **form.service_arguments()
            )
        except DomainError as error:
            add_domain_error(form, error, _metadata_field(form))
        else:
            messages.success(request, gettext("%(name)s was saved.") % {"name": form.cleaned_data["name"]})
            return redirect(
                "workspaces:admin-sso-provider", workspace_slug=workspace.slug, provider_id=provider.provider_id
            )
    context = {
        "workspace": workspace,
        "provider": provider,
        "idp": provider.social_app.settings.get("idp") or {},
        "metadata_url": metadata_url_of(provider),
        "form": form,
        "section": "sso",
        **service_provider_urls(provider),
    }
    return render(request, "identity/admin/saml_provider.html", context, status=400 if form.errors else 200)


def action(request: AuthenticatedHttpRequest, provider: IdentityProvider, name: str) -> None:
    """enable, disable, refresh (the metadata; "check" is the same) or delete, with a message saying how it went."""
    label = provider.name
    if name in ("enable", "disable"):
        services.saml_provider_update(actor=request.user, provider=provider, enabled=name == "enable", request=request)
        done = gettext("%(name)s is on.") if name == "enable" else gettext("%(name)s is off.")
        messages.success(request, done % {"name": label})
    elif name in ("refresh", "check"):
        provider = services.saml_provider_refresh_metadata(actor=request.user, provider=provider, request=request)
        if provider.last_error:
            messages.error(request, provider.last_error)
        else:
            messages.success(request, gettext("The metadata of %(name)s was fetched again.") % {"name": label})
    elif name == "delete":
        services.saml_provider_delete(actor=request.user, provider=provider, request=request)
        messages.success(request, gettext("%(name)s was removed.") % {"name": label})
    else:
        raise Http404("No such action.")
