"""Creating and changing a workspace's SAML identity providers.

Who may call: the workspace's owners, or the operator (actor=None: management commands). Everyone
else gets workspaces' usual answers: workspace_not_found for a workspace you are not in, restricted_action
for admins, members and guests. Every change is one transaction and one SSO_CONFIG_CHANGED audit event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from audit.models import AuditAction
from audit.services import audit_record
from identity import validation
from identity.models import IdentityProvider, ProviderKind
from identity.saml import metadata
from identity.saml.provider import ENFORCED_ADVANCED
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_workspace_owner

if TYPE_CHECKING:
    from accounts.models import User

NAME_MAX_CHARS = 40  # allauth's SocialApp.name
MAX_DOMAINS = 50
_DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def sp_metadata_url(provider: IdentityProvider) -> str:
    """Our service-provider metadata, at a URL that stays the same for the provider's life; it is also
    our entity id (the audience every assertion must name)."""
    path = reverse("saml_metadata", kwargs={"organization_slug": provider.social_app.client_id})
    return f"{settings.SITE_URL}{path}"


def sp_acs_url(provider: IdentityProvider) -> str:
    """Our assertion consumer service URL (HTTP-POST), where the IdP sends people back signed in."""
    path = reverse("saml_acs", kwargs={"organization_slug": provider.social_app.client_id})
    return f"{settings.SITE_URL}{path}"


# The attribute names and group rules an owner may set (identity.validation checks them as for OIDC).
MAPPING_CHECKS: dict[str, Any] = {
    "email_claim": lambda v: validation.check_claim(v, "email_claim"),
    "name_claim": lambda v: validation.check_claim(v, "name_claim"),
    "groups_claim": lambda v: validation.check_claim(v, "groups_claim", required=False),
    "group_roles": validation.check_group_roles,
    "group_channels": validation.check_group_channels,
}


def _check_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    unknown = set(mapping) - set(MAPPING_CHECKS)
    if unknown:
        raise TypeError(f"Unknown SAML provider settings: {sorted(unknown)}")
    return {field: MAPPING_CHECKS[field](value) for field, value in mapping.items() if value is not None}


def _check_name_free(workspace: Workspace, name: str, *, exclude: int | None = None) -> None:
    others = IdentityProvider.objects.select_for_update().filter(workspace=workspace, name__iexact=name)
    if (others.exclude(pk=exclude) if exclude is not None else others).exists():
        raise DomainError(
            ErrorCode.NAME_TAKEN, "This workspace already has a provider with that name.", fields={"name": "taken"}
        )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX_CHARS:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "Give the provider a name of 1 to %(max)s characters.",
            fields={"name": "invalid"},
            params={"max": NAME_MAX_CHARS},
        )
    return name


def _check_domains(domains: Iterable[str]) -> list[str]:
    result = list(dict.fromkeys((d or "").strip().lower().rstrip(".") for d in domains if (d or "").strip()))
    for domain in result:
        if not _DOMAIN_RE.match(domain):
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "%(domain)s is not a domain such as example.com.",
                fields={"allowed_domains": "invalid"},
                params={"domain": domain},
            )
    if len(result) > MAX_DOMAINS:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "At most %(max)s domains.", params={"max": MAX_DOMAINS})
    return result


def _load_metadata(metadata_url: str, metadata_xml: bytes | str | None) -> metadata.IdPMetadata:
    if bool(metadata_url) == (metadata_xml is not None):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Give either the metadata URL or the metadata document, not both."
        )
    if metadata_url:
        return metadata.parse(metadata.fetch(metadata_url))
    assert metadata_xml is not None
    return metadata.parse(metadata_xml)


def _org_slug(workspace: Workspace, name: str) -> str:
    """The <org> of the provider's URLs (/auth/saml/<org>/...), unique site-wide and never changed."""
    base = f"{workspace.slug}-{slugify(name) or 'saml'}"[:60]
    candidate, n = base, 1
    while SocialApp.objects.filter(provider="saml", client_id=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _app_settings(
    idp: metadata.IdPMetadata, *, sp_entity_id: str, metadata_url: str, idp_initiated: bool
) -> dict[str, Any]:
    idp_settings = {"entity_id": idp.entity_id, "sso_url": idp.sso_url, "x509cert": idp.x509cert}
    if idp.slo_url:
        idp_settings["slo_url"] = idp.slo_url
    return {
        "idp": idp_settings,
        "sp": {"entity_id": sp_entity_id},
        "advanced": {
            **ENFORCED_ADVANCED,
            "reject_idp_initiated_sso": not idp_initiated,
            "want_attribute_statement": False,
        },
        # Not read by allauth: where the metadata came from, for refreshing it.
        "slackclone": {"metadata_url": metadata_url},
    }


def _record(
    actor: User | None, provider: IdentityProvider, change: str, request: HttpRequest | None, **data: Any
) -> None:
    audit_record(
        action=AuditAction.SSO_CONFIG_CHANGED,
        actor=actor,
        workspace=provider.workspace,
        request=request,
        target=provider,
        target_label=provider.name,
        data={"change": change, "kind": "saml", "provider": f"saml:{provider.provider_id}", **data},
    )


def saml_provider_create(
    *,
    actor: User | None,
    workspace: Workspace,
    name: str,
    metadata_url: str = "",
    metadata_xml: bytes | str | None = None,
    trust_email: bool = False,
    allowed_domains: Iterable[str] = (),
    idp_initiated: bool = True,
    request: HttpRequest | None = None,
    **mapping: Any,
) -> IdentityProvider:
    """Add a SAML provider to `workspace` from the IdP's metadata (URL or document). `mapping`: the
    attribute names and group rules (email_claim, name_claim, groups_claim, group_roles, group_channels;
    the defaults when left out). Raises DomainError:
    workspace_not_found / restricted_action (not an owner), invalid_name, name_taken, invalid_arguments
    (domains, metadata given twice or not at all), invalid_claim_mapping, invalid_saml_metadata (fetch or
    parse, with the reason). Nothing is written when it raises. Records SSO_CONFIG_CHANGED (change "created")."""
    access_workspace_owner(actor, workspace)
    name = _check_name(name)
    domains = _check_domains(allowed_domains)
    rules = _check_mapping(mapping)
    idp = _load_metadata((metadata_url or "").strip(), metadata_xml)
    with transaction.atomic():
        _check_name_free(workspace, name)
        org = _org_slug(workspace, name)
        sp_entity_id = f"{settings.SITE_URL}{reverse('saml_metadata', kwargs={'organization_slug': org})}"
        app = SocialApp.objects.create(
            provider="saml",
            provider_id=org,
            client_id=org,
            name=name,
            settings=_app_settings(
                idp, sp_entity_id=sp_entity_id, metadata_url=metadata_url.strip(), idp_initiated=idp_initiated
            ),
        )
        provider = IdentityProvider.objects.create(
            workspace=workspace,
            kind=ProviderKind.SAML,
            social_app=app,
            name=name,
            trust_email=trust_email,
            allowed_domains=domains,
            last_checked_at=timezone.now(),
            **rules,
        )
        _record(actor, provider, "created", request, idp_entity_id=idp.entity_id, trust_email=trust_email)
    return provider


def access_saml_provider(actor: User | None, workspace: Workspace, provider_id: str) -> IdentityProvider:
    """A SAML provider of `workspace` that the actor (an owner, or the operator) may manage."""
    access_workspace_owner(actor, workspace)
    provider = (
        IdentityProvider.objects.select_related("social_app", "workspace")
        .filter(workspace=workspace, kind=ProviderKind.SAML, social_app__provider_id=provider_id)
        .first()
    )
    if provider is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such single sign-on provider.")
    return provider


def saml_provider_update(
    *,
    actor: User | None,
    provider: IdentityProvider,
    name: str | None = None,
    metadata_url: str | None = None,
    metadata_xml: bytes | str | None = None,
    trust_email: bool | None = None,
    allowed_domains: Iterable[str] | None = None,
    enabled: bool | None = None,
    idp_initiated: bool | None = None,
    request: HttpRequest | None = None,
    **mapping: Any,
) -> IdentityProvider:
    """Change a SAML provider: its name, new metadata (URL or document), email trust, the allowed domains,
    on/off, IdP-initiated sign-in, the attribute names and group rules (`mapping`, as for create). None
    leaves a setting as it is. The <org> of its URLs, so our entity id and metadata URL, never change.
    Raises as saml_provider_create (for the provider's own workspace), nothing written when it does.
    Records SSO_CONFIG_CHANGED (change "updated", with the names of what changed)."""
    access_workspace_owner(actor, provider.workspace)
    values: dict[str, Any] = {"trust_email": trust_email, "enabled": enabled, **_check_mapping(mapping)}
    values["name"] = _check_name(name) if name is not None else None
    values["allowed_domains"] = _check_domains(allowed_domains) if allowed_domains is not None else None
    values = {field: value for field, value in values.items() if value is not None}
    idp = None
    if metadata_url is not None or metadata_xml is not None:
        idp = _load_metadata((metadata_url or "").strip(), metadata_xml)
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().select_related("social_app").get(pk=provider.pk)
        app = provider.social_app
        app_settings = dict(app.settings)
        changed = list(values)
        if idp is not None:
            app_settings.update(
                _app_settings(
                    idp,
                    sp_entity_id=app_settings.get("sp", {}).get("entity_id") or sp_metadata_url(provider),
                    metadata_url=(metadata_url or "").strip(),
                    idp_initiated=not app_settings.get("advanced", {}).get("reject_idp_initiated_sso", False),
                )
            )
            provider.last_error, provider.last_checked_at = "", timezone.now()
            changed.append("metadata")
        if idp_initiated is not None:
            advanced = {**app_settings.get("advanced", {}), "reject_idp_initiated_sso": not idp_initiated}
            app_settings["advanced"] = advanced
            changed.append("idp_initiated")
        if "name" in values:
            _check_name_free(provider.workspace, values["name"], exclude=provider.pk)
            app.name = values["name"]
        for field_name, value in values.items():
            setattr(provider, field_name, value)
        app.settings = app_settings
        app.save(update_fields=["settings", "name"])
        provider.save()
        _record(actor, provider, "updated", request, fields=changed)
    return provider


def saml_provider_refresh_metadata(
    *, actor: User | None, provider: IdentityProvider, request: HttpRequest | None = None
) -> IdentityProvider:
    """Fetch the IdP's metadata again from the URL it was configured with (certificate rotation). A failure
    is not raised: it is kept in provider.last_error for the configuration page, and the working
    configuration stays. Raises only the permission errors."""
    access_workspace_owner(actor, provider.workspace)
    url = (provider.social_app.settings.get("slackclone") or {}).get("metadata_url") or ""
    if not url:
        provider.last_error = gettext("This provider was configured from a metadata file; upload the new one.")
        provider.last_checked_at = timezone.now()
        provider.save(update_fields=["last_error", "last_checked_at"])
        return provider
    try:
        return saml_provider_update(actor=actor, provider=provider, metadata_url=url, request=request)
    except DomainError as error:
        if error.code != ErrorCode.INVALID_SAML_METADATA:
            raise
        provider.last_error = error.message
        provider.last_checked_at = timezone.now()
        provider.save(update_fields=["last_error", "last_checked_at"])
        return provider


def saml_provider_delete(*, actor: User | None, provider: IdentityProvider, request: HttpRequest | None = None) -> None:
    """Remove a SAML provider, its allauth app and the links of people to it (they sign in otherwise:
    password, another provider); their accounts and memberships stay. Callers: the workspace's owners; the
    operator. Raises: workspace_not_found, restricted_action. Records SSO_CONFIG_CHANGED (change "deleted")."""
    access_workspace_owner(actor, provider.workspace)
    with transaction.atomic():
        _record(actor, provider, "deleted", request)
        SocialAccount.objects.filter(provider=provider.provider_id).delete()
        provider.social_app.delete()  # cascades to the IdentityProvider row
