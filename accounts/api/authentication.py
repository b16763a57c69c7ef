"""`Authorization: Bearer <token>` for personal and bot API tokens, and what a request may touch.

The token is checked by workspaces.tokens.api_token_authenticate (hash lookup, revocation,
the user's standing in the token's workspace). `request.auth` is then the ApiToken, and the
token's workspace bounds everything the request may touch: everything outside it is answered
as if it did not exist (404), the same answer an outsider gets (workspaces.api.context,
chat.api.context).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import ApiToken, User
from slackclone.errors import DomainError
from workspaces.tokens import api_token_authenticate

if TYPE_CHECKING:
    from workspaces.models import Workspace

KEYWORD = "Bearer"


class AuthenticatedRequest(Request):
    """A DRF request whose user is signed in (every API view requires it; the default permission is
    IsAuthenticated). DRF never builds one: it is a type for annotations, like accounts.http's."""

    user: User


class BearerAuthenticationFailed(exceptions.AuthenticationFailed):
    """Carries the service's error code (invalid_auth, account_inactive) to the error body."""


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise BearerAuthenticationFailed("The Authorization header is `Bearer <token>`.", code="invalid_auth")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise BearerAuthenticationFailed("Invalid token.", code="invalid_auth") from None
        try:
            token = api_token_authenticate(raw)
        except DomainError as error:
            raise BearerAuthenticationFailed(error.message, code=error.code.value) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return f'{KEYWORD} realm="api"'


def request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def token_workspace(request: Request) -> Workspace | None:
    """The one workspace a token-authenticated request may act in; None for a session."""
    token = request_token(request)
    return token.workspace if token is not None else None
