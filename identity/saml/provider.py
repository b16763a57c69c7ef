"""The SAML provider class allauth instantiates for every SAML SocialApp (settings.SOCIALACCOUNT_PROVIDERS).

allauth's views run the protocol with python3-saml, which in strict mode checks the signature, the
Destination and the Recipient (our ACS URL), the audience when one is given, the time window and the
InResponseTo of service-provider-initiated sign-ins. This class adds what they leave out: the security
settings are forced here, so an app edited in Django admin cannot turn off signed assertions; an
assertion must name our entity id as its audience; and each assertion is accepted once.
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.http import HttpRequest

# Whatever SocialApp.settings["advanced"] says, these hold.
ENFORCED_ADVANCED = {
    "strict": True,
    "want_assertion_signed": True,
    "reject_deprecated_algorithm": True,
    "want_name_id": True,
}


def enforce_security(app_settings: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of a SAML app's settings with the non-negotiable security settings applied."""
    result = dict(app_settings or {})
    result["advanced"] = {**(result.get("advanced") or {}), **ENFORCED_ADVANCED}
    return result


class WorkspaceSAMLProvider(SAMLProvider):
    # allauth finds the URLs (acs, metadata, login...) in the package of the provider class.
    package = "allauth.socialaccount.providers.saml"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app.settings = enforce_security(self.app.settings)

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        """Called by allauth only for a response python3-saml accepted. Refuses a response for no
        workspace provider, one without our audience and a replayed assertion, with allauth's error
        page (and a SIGN_IN_FAILED audit event through the adapter's on_authentication_error)."""
        from identity.saml import signin

        try:
            identity_provider = signin.identity_provider_for(self.app)
            signin.check_audience(response)
            signin.remember_assertion(identity_provider, response)
        except signin.AssertionRefused as refused:
            raise ImmediateHttpResponse(
                render_authentication_error(
                    request,
                    self,
                    extra_context={"saml_errors": [refused.code], "saml_last_error_reason": str(refused)},
                )
            ) from refused
        login = super().sociallogin_from_response(request, response)
        signin.hand_over(request, identity_provider, login, response)
        return login
