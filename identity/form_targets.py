"""Lets the sign-in pages' single sign-on forms reach the providers under the Content-Security-Policy.

A "Sign in with <provider>" button posts to us and we redirect to the provider's authorization endpoint;
browsers hold that redirect to the page's form-action, which is 'self' everywhere. On the pages that carry
such forms, the enabled providers' origins are added (slackclone.security reads them from the request).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse

from identity.models import IdentityProvider, ProviderKind
from slackclone.security import FORM_ACTION_ORIGINS_ATTRIBUTE

# Our sign-in page, allauth's connected accounts page and its "continue to the provider" page.
SSO_FORM_PATHS = ("/accounts/login/", "/auth/3rdparty/", "/auth/oidc/")


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def provider_origins() -> list[str]:
    """Where the enabled OpenID Connect providers' sign-in pages are: the issuer's origin, and the
    authorization endpoint's when the configuration check found it elsewhere."""
    origins: set[str] = set()
    apps = IdentityProvider.objects.filter(enabled=True, kind=ProviderKind.OIDC).values_list(
        "social_app__settings", flat=True
    )
    for settings in apps:
        for url in (settings.get("server_url"), settings.get("authorization_endpoint")):
            origin = _origin(url or "")
            if origin:
                origins.add(origin)
    return sorted(origins)


class SignInFormTargetsMiddleware:
    """Sync and async capable, so it never costs an ASGI request a thread hop (only the sign-in pages query)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        if request.path.startswith(SSO_FORM_PATHS):
            setattr(request, FORM_ACTION_ORIGINS_ATTRIBUTE, provider_origins())
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SSO_FORM_PATHS):
            setattr(request, FORM_ACTION_ORIGINS_ATTRIBUTE, await sync_to_async(provider_origins)())
        response: HttpResponse = await self.get_response(request)
        return response
