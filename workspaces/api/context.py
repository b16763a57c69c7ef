"""The workspace a REST request names, as the requester may see it (its token's only, for a token)."""

from __future__ import annotations

from accounts.api.authentication import AuthenticatedRequest, token_workspace
from workspaces.models import Membership, Workspace
from workspaces.selectors import workspace_get


def request_workspace(request: AuthenticatedRequest, public_id: str) -> tuple[Workspace, Membership]:
    """The workspace named in the URL and the requester's active membership in it."""
    return workspace_get(actor=request.user, public_id=public_id, within=token_workspace(request))
