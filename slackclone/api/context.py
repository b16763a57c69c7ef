"""What a request may touch: its token's workspace, or any workspace a session user is active in.

A token acts in one workspace; everything outside it is answered as if it did not exist
(404), the same answer an outsider gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import ApiToken
from chat.models import Channel
from chat.selectors import channel_get
from workspaces.selectors import workspace_get

if TYPE_CHECKING:
    from rest_framework.request import Request

    from workspaces.models import Membership, Workspace


def request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def token_workspace(request: Request) -> Workspace | None:
    """The one workspace a token-authenticated request may act in; None for a session."""
    token = request_token(request)
    return token.workspace if token is not None else None


def request_workspace(request: Request, public_id: str) -> tuple[Workspace, Membership]:
    """The workspace named in the URL and the requester's active membership in it."""
    return workspace_get(actor=request.user, public_id=public_id, within=token_workspace(request))


def request_channel(request: Request, public_id: str) -> Channel:
    """A channel the requester may see (channel_not_found otherwise, including outside the token's workspace)."""
    return channel_get(actor=request.user, public_id=public_id, workspace=token_workspace(request))
