"""What SCIM reads: the token's workspace's people and user groups, every query scoped to the token."""

from __future__ import annotations

from django.db.models import CharField, Exists, F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from scim.errors import ScimError
from scim.models import ScimToken, ScimUser
from slackclone.errors import ErrorCode
from workspaces.models import Membership, UserGroup


def request_token(request: HttpRequest) -> ScimToken:
    """The SCIM token scim.auth put on the request (every SCIM view runs behind it)."""
    token = getattr(request, "scim_token", None)
    if not isinstance(token, ScimToken):
        raise ScimError(ErrorCode.INVALID_AUTH, "Authentication required.", status=401)
    return token


def members(request: HttpRequest) -> QuerySet[Membership]:
    """The token's workspace's people, with their SCIM userName (the link's, else their address)."""
    token = request_token(request)
    link = ScimUser.objects.filter(workspace_id=OuterRef("workspace_id"), user_id=OuterRef("user_id"))
    return (
        Membership.objects.filter(workspace_id=token.workspace_id, user__is_bot=False)
        .exclude(Exists(link.exclude(deleted_at=None)))
        .select_related("user")
        .annotate(
            scim_user_name=Coalesce(Subquery(link.values("user_name")[:1]), F("user__email"), output_field=CharField()),
            scim_external_id=Coalesce(Subquery(link.values("external_id")[:1]), Value(""), output_field=CharField()),
        )
        .prefetch_related(
            Prefetch(
                "user__scim_links", queryset=ScimUser.objects.filter(workspace_id=token.workspace_id, deleted_at=None)
            )
        )
        .order_by("user__public_id")
    )


def groups(request: HttpRequest) -> QuerySet[UserGroup]:
    """The token's workspace's user groups, but those SCIM deleted."""
    token = request_token(request)
    return (
        UserGroup.objects.filter(workspace_id=token.workspace_id)
        .exclude(scim_link__deleted_at__isnull=False)
        .select_related("scim_link")
        .order_by("public_id")
    )
