"""Who may call /scim/v2/: a SCIM token of a workspace (Authorization: Bearer scim-…), and nothing else.

django-scim2 checks authentication with a middleware it wraps around every SCIM view (AUTH_CHECK_MIDDLEWARE)
and a predicate on request.user (GET_IS_AUTHENTICATED_PREDICATE). Ours authenticates the bearer token itself
and replaces request.user with the token's principal, so a browser session's user or an API token (xoxp-,
xoxb-) never counts: without a live SCIM token the answer is 401, in SCIM's error shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django_scim.middleware import SCIMAuthCheckMiddleware

from scim.errors import ERROR_SCHEMA
from scim.models import ScimToken
from scim.tokens import scim_token_authenticate
from slackclone.errors import DomainError

SCIM_CONTENT_TYPE = "application/scim+json"


@dataclass(frozen=True)
class ScimPrincipal:
    """request.user on a SCIM request: the token, acting only in its workspace."""

    token: ScimToken
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    pk: None = None


def _unauthorized(detail: str) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": "401", "detail": detail}
    response = HttpResponse(json.dumps(body), status=401, content_type=SCIM_CONTENT_TYPE)
    response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


class ScimAuthMiddleware(SCIMAuthCheckMiddleware):
    """AUTH_CHECK_MIDDLEWARE: the SCIM token, or 401. Request bodies are never logged (they carry people's
    addresses), so the library's request logging is off."""

    def should_log_request(self, request: HttpRequest) -> bool:
        return False

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return _unauthorized("A SCIM token is required: Authorization: Bearer <token>.")
        try:
            token = scim_token_authenticate(raw.strip())
        except DomainError as error:
            return _unauthorized(error.message)
        request.scim_token = token  # type: ignore[attr-defined]
        request.user = ScimPrincipal(token)  # type: ignore[assignment]
        return super().process_request(request)
