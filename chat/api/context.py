"""The channel a REST request names, as the requester may see it (in its token's workspace only, for a token)."""

from __future__ import annotations

from accounts.api.authentication import AuthenticatedRequest, token_workspace
from chat.models import Channel
from chat.selectors import channel_get


def request_channel(request: AuthenticatedRequest, public_id: str) -> Channel:
    """A channel the requester may see (channel_not_found otherwise, including outside the token's workspace)."""
    return channel_get(actor=request.user, public_id=public_id, workspace=token_workspace(request))
