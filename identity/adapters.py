"""How django-allauth fits Slackclone's own accounts.

Slackclone keeps its own sign-up, email verification and password pages (accounts/), so allauth's
account signup is closed; allauth runs the parts it does better than our code: the login stages
(a second factor after the password), single sign-on providers, two-factor methods and the list of
sessions. Every account it makes goes through accounts.services.user_create, by identity.provisioning.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from audit.context import SIGN_IN_METHOD_ATTRIBUTE
from audit.models import AuditAction
from audit.services import audit_record
from identity import claims as identity_claims
from identity.models import IdentityProvider
from identity.oidc import OIDCProvider, outgoing_session
from identity.provisioning import PROVISIONED_ATTRIBUTE, method_name, provision_sign_in, refused_page

# allauth's notices that only repeat what the page already shows.
QUIET_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})
# The session remembers how the pending sign-in started, across the login stages (a second factor).
SIGN_IN_METHOD_SESSION_KEY = "identity_sign_in_method"
# Where audit.context (audit helper) reads the method the audit log records for a sign-in.
# How allauth's OAuth2 client words a token endpoint's refusal (an unknown client, a wrong secret, a bad code).
TOKEN_REFUSED = "Error retrieving access token: "


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are made by our own sign-up page (which proves the address first) and invitations."""
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in QUIET_MESSAGES or level < messages.INFO:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse | None:
        """Remember whether this sign-in is a single sign-on (and which), until it completes."""
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        provider = _identity_provider(sociallogin.account.provider) if sociallogin is not None else None
        if provider is not None:
            request.session[SIGN_IN_METHOD_SESSION_KEY] = method_name(provider)
        else:
            request.session.pop(SIGN_IN_METHOD_SESSION_KEY, None)
        response: HttpResponse | None = super().pre_login(request, user, **kwargs)
        return response

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        method = request.session.pop(SIGN_IN_METHOD_SESSION_KEY, None)
        if method:
            setattr(request, SIGN_IN_METHOD_ATTRIBUTE, method)
        super().login(request, user)


def _identity_provider(provider_id: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("workspace", "social_app")
        .filter(social_app__provider_id=provider_id)
        .first()
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Closed: identity.provisioning makes and links accounts before allauth would sign anyone up."""
        return False

    def get_provider(self, request: HttpRequest, provider: str, client_id: str | None = None) -> Any:
        """allauth's provider, but OpenID Connect apps get identity.oidc's (nonce, full ID token checks)."""
        instance = super().get_provider(request, provider, client_id=client_id)
        if instance.id == OIDCProvider.id and not isinstance(instance, OIDCProvider):
            return OIDCProvider(request, app=instance.app)
        return instance

    def list_apps(self, request: HttpRequest, provider: str | None = None, client_id: str | None = None) -> list[Any]:
        """A disabled provider's app does not exist for sign-in (its URLs answer 404)."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        disabled = set(
            IdentityProvider.objects.filter(social_app__in=[a.pk for a in apps if a.pk], enabled=False).values_list(
                "social_app_id", flat=True
            )
        )
        return [app for app in apps if app.pk not in disabled]

    def get_requests_session(self) -> Any:
        """allauth's requests to providers go through slackclone.outgoing (identity.oidc.OutgoingTransport)."""
        return outgoing_session()

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """The provider's protocol is verified; now Slackclone's rules (identity.provisioning) decide which
        account this is. Connecting a provider from the settings only needs the provider to be enabled."""
        provider = _identity_provider(sociallogin.account.provider)
        if provider is None or not provider.enabled:
            raise ImmediateHttpResponse(refused_page(request, provider, gettext("This sign-in provider is off.")))
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # the signed-in person links the provider to their own account: nothing to provision
        if not sociallogin.state.get("next"):
            sociallogin.state["next"] = f"/{provider.workspace.slug}/"
        if getattr(sociallogin, PROVISIONED_ATTRIBUTE, False):
            return  # SAML's provider applied the rules before allauth's lookup found the link
        claims = identity_claims.from_sociallogin(provider, sociallogin)
        user = provision_sign_in(
            request=request,
            provider=provider,
            sociallogin=sociallogin,
            subject=claims.subject,
            email=claims.email,
            email_verified=claims.email_verified,
            name=claims.name,
            groups=claims.groups,
        )
        sociallogin.user = user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A refused token, a replayed or missing state, an error from the provider: recorded, then
        allauth's error page (in our layout). SAML's refusals are recorded by identity.saml, with its reasons."""
        if getattr(provider, "id", "") == "saml":
            from identity.saml.signin import record_failure

            record_failure(request, provider, error, extra_context)
        else:
            record_oidc_failure(request, provider, error, exception)
        super().on_authentication_error(request, provider, error, exception, extra_context)


def record_oidc_failure(request: HttpRequest, provider: Any, error: Any, exception: Any) -> None:
    identity_provider = _identity_provider(getattr(provider, "sub_id", "") or "")
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        workspace=identity_provider.workspace if identity_provider else None,
        request=request,
        data={
            "method": method_name(identity_provider) if identity_provider else "oidc",
            "reason": str(error or "unknown"),
            "detail": str(exception or "")[:200],
        },
    )
    if identity_provider is not None and TOKEN_REFUSED in str(exception or ""):
        record_token_refusal(identity_provider, str(exception))


def record_token_refusal(provider: IdentityProvider, detail: str) -> None:
    """A wrong client secret shows only when a code is exchanged: say so on the owners' admin page."""
    provider.last_error = (
        f"The provider's token endpoint refused the sign-in ({detail.removeprefix(TOKEN_REFUSED)[:200]}): "
        "check the client ID and secret."
    )
    provider.last_checked_at = timezone.now()
    provider.save(update_fields=["last_error", "last_checked_at"])
