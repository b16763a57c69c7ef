"""allauth's SAML sign-in page, with a Content-Security-Policy that lets its form lead to the IdP.

The page is a form that POSTs to us (no sign-in starts on a GET) and is answered with a redirect to
the IdP's sign-on URL. Our policy's form-action 'self' also governs where that redirect may go, so
the page names the IdP's origin beside 'self', and nothing else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.providers.saml.views import LoginView
from django.http import HttpRequest, HttpResponse

from slackclone.security import build_policy


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class SAMLLoginView(LoginView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("text/html"):
            app = self.get_app(kwargs["organization_slug"])
            origin = _origin((app.settings.get("idp") or {}).get("sso_url", ""))
            policy = build_policy(request)
            if origin:
                policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
            response["Content-Security-Policy"] = policy
        return response


login = SAMLLoginView.as_view()
