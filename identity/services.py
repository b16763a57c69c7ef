"""Configuring a workspace's OpenID Connect providers: the one write path for the admin page, the Django
admin and `add_oidc_provider`.

Callers: the workspace's owners (workspaces.permissions.access_workspace_owner), or the operator
(actor=None: commands, the Django admin). Every change is audited as SSO_CONFIG_CHANGED, secrets never
recorded. The protocol settings live in allauth's SocialApp (provider "openid_connect"); the
IdentityProvider row holds Slackclone's rules around it (identity.models).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from audit.models import AuditAction
from audit.services import audit_record
from identity import validation
from identity.discovery import DiscoveryError, fetch_discovery
from identity.models import IdentityProvider, ProviderKind
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_workspace_owner

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_SCOPES = ("openid", "email", "profile")
OIDC_PROVIDER = "openid_connect"
PROVIDER_ID_MAX_CHARS = 200
# Fields an update may change, besides the SocialApp's (issuer, client, scopes).
RULE_FIELDS = (
    "name",
    "trust_email",
    "allowed_domains",
    "email_claim",
    "name_claim",
    "groups_claim",
    "group_roles",
    "group_channels",
)


def redirect_uri(provider_id: str) -> str:
    """The address to register at the provider as the redirect (callback) URI."""
    return settings.SITE_URL + reverse("openid_connect_callback", kwargs={"provider_id": provider_id})


def _unique_provider_id(workspace: Workspace, name: str) -> str:
    base = f"{workspace.slug}-{slugify(name) or 'sso'}"[:PROVIDER_ID_MAX_CHARS]
    candidate, n = base, 1
    while SocialApp.objects.filter(provider_id=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_name_free(workspace: Workspace, name: str, *, exclude: int | None = None) -> None:
    others = IdentityProvider.objects.filter(workspace=workspace, name__iexact=name)
    taken = (others.exclude(pk=exclude) if exclude is not None else others).exists()
    if taken:
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            "This workspace already has a provider named %(name)s.",
            fields={"name": "taken"},
            params={"name": name},
        )


def _clean_rules(values: Mapping[str, Any]) -> dict[str, Any]:
    """The IdentityProvider fields in `values`, checked."""
    checks: dict[str, Callable[[Any], Any]] = {
        "name": validation.check_provider_name,
        "trust_email": bool,
        "allowed_domains": validation.check_domains,
        "email_claim": lambda v: validation.check_claim(v, "email_claim"),
        "name_claim": lambda v: validation.check_claim(v, "name_claim"),
        "groups_claim": lambda v: validation.check_claim(v, "groups_claim", required=False),
        "group_roles": validation.check_group_roles,
        "group_channels": validation.check_group_channels,
    }
    return {field: checks[field](value) for field, value in values.items() if field in checks}


def _audit(actor: User | None, provider: IdentityProvider, change: str, fields: Iterable[str] = ()) -> None:
    audit_record(
        action=AuditAction.SSO_CONFIG_CHANGED,
        actor=actor,
        workspace=provider.workspace,
        target=provider,
        target_label=provider.name,
        data={"change": change, "kind": provider.kind, "provider_id": provider.provider_id, "fields": sorted(fields)},
    )


def identity_provider_create_oidc(
    *,
    actor: User | None,
    workspace: Workspace,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    scopes: str | Iterable[str] = DEFAULT_SCOPES,
    trust_email: bool = False,
    allowed_domains: Iterable[str] = (),
    check: bool = True,
    **rules: Any,
) -> IdentityProvider:
    """Add an OpenID Connect provider to the workspace, enabled. `rules` are the other IdentityProvider
    fields (email_claim, name_claim, groups_claim, group_roles, group_channels).
    Callers: the workspace's owners; the operator. Raises: workspace_not_found, restricted_action,
    invalid_name, name_taken, invalid_issuer, invalid_arguments (client), invalid_scopes, invalid_domain,
    invalid_claim_mapping. Then checks the discovery document (check=True), recording any problem in
    last_error: a provider that cannot be reached is still saved, and reported on the admin page."""
    access_workspace_owner(actor, workspace)
    cleaned = _clean_rules({**rules, "name": name, "trust_email": trust_email, "allowed_domains": allowed_domains})
    issuer = validation.check_issuer(issuer)
    client_id, client_secret = validation.check_client(client_id, client_secret)
    scope_list = validation.check_scopes(scopes)
    with transaction.atomic():
        _check_name_free(workspace, cleaned["name"])
        app = SocialApp.objects.create(
            provider=OIDC_PROVIDER,
            provider_id=_unique_provider_id(workspace, cleaned["name"]),
            name=cleaned["name"],
            client_id=client_id,
            secret=client_secret,
            settings={"server_url": issuer, "oauth_pkce_enabled": True, "scope": scope_list},
        )
        provider = IdentityProvider.objects.create(
            workspace=workspace, kind=ProviderKind.OIDC, social_app=app, **cleaned
        )
        _audit(actor, provider, "created", ["issuer", "client_id", "client_secret", "scopes", *cleaned])
    return identity_provider_check(provider=provider) if check else provider


def identity_provider_update(
    *,
    actor: User | None,
    provider: IdentityProvider,
    issuer: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: str | Iterable[str] | None = None,
    check: bool = True,
    **rules: Any,
) -> IdentityProvider:
    """Change a provider. None (or an empty secret) keeps a value as it is: the secret is never shown
    back, so leaving it blank keeps it. Callers, raises: as identity_provider_create_oidc."""
    access_workspace_owner(actor, provider.workspace)
    cleaned = _clean_rules({k: v for k, v in rules.items() if v is not None})
    app = provider.social_app
    app_settings = dict(app.settings)
    changed = list(cleaned)
    if issuer is not None:
        app_settings["server_url"] = validation.check_issuer(issuer)
        changed.append("issuer")
    if scopes is not None:
        app_settings["scope"] = validation.check_scopes(scopes)
        changed.append("scopes")
    if client_id is not None:
        app.client_id, _ = validation.check_client(client_id, client_secret or "", secret_required=False)
        changed.append("client_id")
    if client_secret:
        _, app.secret = validation.check_client(app.client_id, client_secret)
        changed.append("client_secret")
    with transaction.atomic():
        if "name" in cleaned:
            _check_name_free(provider.workspace, cleaned["name"], exclude=provider.pk)
            app.name = cleaned["name"]
        app.settings = app_settings
        app.save()
        for field, value in cleaned.items():
            setattr(provider, field, value)
        provider.save()
        _audit(actor, provider, "updated", changed)
    return identity_provider_check(provider=provider) if check else provider


def identity_provider_set_enabled(*, actor: User | None, provider: IdentityProvider, enabled: bool) -> IdentityProvider:
    """Show or hide the provider's button and accept or refuse its sign-ins. Disabling links nobody
    out for good: accounts stay linked and sign in again once it is enabled.
    Callers: the workspace's owners; the operator. Raises: workspace_not_found, restricted_action."""
    access_workspace_owner(actor, provider.workspace)
    if provider.enabled != enabled:
        with transaction.atomic():
            provider.enabled = enabled
            provider.save(update_fields=["enabled"])
            _audit(actor, provider, "enabled" if enabled else "disabled", ["enabled"])
    return provider


def identity_provider_delete(*, actor: User | None, provider: IdentityProvider) -> None:
    """Remove the provider, its allauth app and the links of people to it (they sign in otherwise:
    password, another provider). Callers: the workspace's owners; the operator.
    Raises: workspace_not_found, restricted_action."""
    access_workspace_owner(actor, provider.workspace)
    from allauth.socialaccount.models import SocialAccount

    with transaction.atomic():
        _audit(actor, provider, "deleted")
        SocialAccount.objects.filter(provider=provider.provider_id).delete()
        provider.social_app.delete()  # cascades to the IdentityProvider row


def identity_provider_check(*, provider: IdentityProvider) -> IdentityProvider:
    """Fetch the provider's discovery document and record the outcome (last_error empty when it
    works). Network I/O: never inside a transaction. Callers: the services above, the admin page's
    "Check" button, anyone who may see the provider. Raises nothing: a failure is the result."""
    if provider.kind != ProviderKind.OIDC:
        return provider
    app = provider.social_app
    try:
        document = fetch_discovery(app.settings.get("server_url", ""))
        provider.last_error = ""
    except DiscoveryError as exc:
        provider.last_error = str(exc)
    else:
        # Where the sign-in page is, for the Content-Security-Policy of ours (identity.form_targets).
        if app.settings.get("authorization_endpoint") != document["authorization_endpoint"]:
            app.settings = {**app.settings, "authorization_endpoint": document["authorization_endpoint"]}
            app.save(update_fields=["settings"])
    provider.last_checked_at = timezone.now()
    provider.save(update_fields=["last_error", "last_checked_at"])
    return provider


def identity_provider_get(*, actor: User | None, workspace: Workspace, provider_id: str) -> IdentityProvider:
    """One of the workspace's providers, for its owners (provider_not_found otherwise, as for a provider
    of another workspace). Raises: workspace_not_found, restricted_action, provider_not_found."""
    access_workspace_owner(actor, workspace)
    provider = (
        IdentityProvider.objects.select_related("social_app", "workspace")
        .filter(workspace=workspace, social_app__provider_id=provider_id)
        .first()
    )
    if provider is None:
        raise DomainError(ErrorCode.PROVIDER_NOT_FOUND, "No such sign-in provider.")
    return provider
