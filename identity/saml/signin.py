"""What happens to a SAML assertion python3-saml has verified: the replay store, our audience rule,
the claims handed to just-in-time provisioning, and the sign-in audit events.

The audit method is "saml:<provider_id>" (allauth's SocialApp.provider_id, which is also the
<org> of the provider's URLs /auth/saml/<org>/...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from onelogin.saml2.utils import OneLogin_Saml2_XML

from audit.models import AuditAction
from audit.services import audit_record
from identity.models import IdentityProvider, ProviderKind, SAMLAssertionUse
from identity.provisioning import provision_sign_in

# Kept this long when an assertion states no NotOnOrAfter (python3-saml requires one for bearer
# confirmation, so this is a floor, not the rule).
DEFAULT_ASSERTION_LIFETIME = dt.timedelta(hours=1)
AUDIENCE_XPATH = "/samlp:Response/saml:Assertion/saml:Conditions/saml:AudienceRestriction/saml:Audience"
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
NAME_ATTRIBUTES = (
    "displayName",
    "urn:oid:2.16.840.1.113730.3.1.241",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
)
GIVEN_NAME_ATTRIBUTES = ("firstName", "givenName", "urn:oid:2.5.4.42")
FAMILY_NAME_ATTRIBUTES = ("lastName", "sn", "urn:oid:2.5.4.4")
GROUP_ATTRIBUTES = (
    "memberOf",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    "http://schemas.xmlsoap.org/claims/Group",
)
EMAIL_NAMEID_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


class AssertionRefused(Exception):
    """A verified response that our own rules refuse; `code` goes into the audit event."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class SAMLClaims:
    """What the IdP says about the person, in the shape provisioning takes for every kind of provider."""

    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    groups: list[str] = field(default_factory=list)


def identity_provider_for(app: Any) -> IdentityProvider:
    """The workspace provider of an allauth SAML app; an app that belongs to no enabled workspace
    provider signs nobody in."""
    provider = (
        IdentityProvider.objects.select_related("workspace", "social_app")
        .filter(social_app_id=app.pk, kind=ProviderKind.SAML, enabled=True)
        .first()
    )
    if provider is None:
        raise AssertionRefused("provider_disabled", "This sign-in method is not enabled for any workspace.")
    return provider


def check_audience(auth: Any) -> None:
    """The assertion must be meant for us. python3-saml refuses a wrong audience but accepts an
    assertion that names none; we require ours to be named."""
    expected = auth.get_settings().get_sp_data()["entityId"]
    document = OneLogin_Saml2_XML.to_etree(auth.get_last_response_xml())
    audiences = [node.text.strip() for node in OneLogin_Saml2_XML.query(document, AUDIENCE_XPATH) if node.text]
    if expected not in audiences:
        raise AssertionRefused("wrong_audience", f"The assertion does not name {expected} as its audience.")


def remember_assertion(provider: IdentityProvider, auth: Any) -> None:
    """Record the assertion's id until it expires; a second use of the same id is a replay. The insert
    is atomic (a unique constraint), so two concurrent posts of one assertion cannot both pass."""
    assertion_id = auth.get_last_assertion_id() or auth.get_last_message_id()
    if not assertion_id:
        raise AssertionRefused("missing_assertion_id", "The assertion has no ID.")
    now = timezone.now()
    timestamp = auth.get_last_assertion_not_on_or_after()
    expires = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC) if timestamp else now + DEFAULT_ASSERTION_LIFETIME
    SAMLAssertionUse.objects.filter(not_on_or_after__lt=now).delete()
    try:
        with transaction.atomic():
            SAMLAssertionUse.objects.create(
                provider=provider, assertion_id=str(assertion_id)[:256], not_on_or_after=expires
            )
    except IntegrityError:
        raise AssertionRefused("replayed_assertion", "This assertion has already been used.") from None


def _first(attributes: dict[str, list[str]], names: tuple[str, ...]) -> str:
    for name in names:
        values = [v.strip() for v in attributes.get(name) or [] if v and v.strip()]
        if values:
            return values[0]
    return ""


def claims_from(provider: IdentityProvider, auth: Any, subject: str) -> SAMLClaims:
    """Read the provider's configured attribute names first, then the usual ones of Okta, Entra ID,
    Google Workspace, Keycloak and ADFS. A SAML email is vouched for by the IdP's signature, so it
    counts as verified unless the IdP says otherwise; provisioning still uses it only if trust_email."""
    attributes: dict[str, list[str]] = auth.get_attributes() or {}
    email = _first(attributes, (provider.email_claim, *EMAIL_ATTRIBUTES))
    if not email and auth.get_nameid_format() == EMAIL_NAMEID_FORMAT:
        email = (auth.get_nameid() or "").strip()
    verified = _first(attributes, ("email_verified", "http://schemas.auth0.com/email_verified"))
    name = _first(attributes, (provider.name_claim, *NAME_ATTRIBUTES))
    if not name:
        parts = (_first(attributes, GIVEN_NAME_ATTRIBUTES), _first(attributes, FAMILY_NAME_ATTRIBUTES))
        name = " ".join(part for part in parts if part)
    group_names = [n for n in (provider.groups_claim, *GROUP_ATTRIBUTES) if n]
    groups = [g.strip() for n in group_names for v in attributes.get(n) or [] for g in v.split(",") if g.strip()]
    return SAMLClaims(
        subject=subject,
        email=email.lower(),
        email_verified=bool(email) and verified.lower() not in ("false", "0", "no"),
        name=name,
        groups=list(dict.fromkeys(groups)),
    )


def hand_over(request: HttpRequest, provider: IdentityProvider, sociallogin: Any, auth: Any) -> None:
    """Pass what the assertion says to the shared just-in-time provisioning, which creates or links the
    account by the provider's subject (identity.provisioning.provision_sign_in)."""
    claims = claims_from(provider, auth, sociallogin.account.uid)
    provision_sign_in(
        request=request,
        provider=provider,
        sociallogin=sociallogin,
        subject=claims.subject,
        email=claims.email,
        email_verified=claims.email_verified,
        name=claims.name,
        groups=claims.groups,
    )


def method_of(provider_id: str) -> str:
    return f"saml:{provider_id}"


def record_failure(request: HttpRequest, provider: Any, error: Any, extra_context: dict[str, Any] | None) -> None:
    """SIGN_IN_FAILED for a SAML response that was refused (by python3-saml or by our rules). Called from
    the social account adapter's on_authentication_error for SAML providers."""
    app = provider.app
    identity_provider = IdentityProvider.objects.filter(social_app_id=app.pk).select_related("workspace").first()
    context = extra_context or {}
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        workspace=identity_provider.workspace if identity_provider else None,
        request=request,
        target_label=app.name,
        data={
            "method": method_of(app.provider_id or app.client_id),
            "errors": [str(e) for e in context.get("saml_errors") or [str(error or "unknown")]],
            "reason": str(context.get("saml_last_error_reason") or "")[:500],
        },
    )
