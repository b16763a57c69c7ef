"""django-scim2's adapters, models and filter parsers for our resources (settings.SCIM_SERVICE_PROVIDER).

A SCIM User is a workspaces.Membership of the token's workspace (not a bot), its id the person's public id
(U…); a SCIM Group is a workspaces.UserGroup, its id the group's (S…). The adapters translate between SCIM's
representation and the scim services; every query is scoped to the request's token's workspace here, so no
path through django-scim2 reaches another workspace.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.http import HttpRequest
from django.urls import reverse
from django_scim.adapters import SCIMGroup, SCIMUser

from scim import attributes
from scim.models import ScimGroup, ScimUser
from scim.patch import apply_patch
from scim.schemas import base_location
from scim.selectors import groups, members, request_token
from scim.services.groups import scim_group_create, scim_group_delete, scim_group_replace
from scim.services.users import scim_link_for, scim_user_create, scim_user_delete, scim_user_replace
from workspaces.models import Membership, UserGroup, UserGroupMember


def _resource_type(cls: Any, request: HttpRequest | None, endpoint: str) -> dict[str, Any]:
    """The library's ResourceType, its endpoint relative to /scim/v2/ as RFC 7643 section 6 has it."""
    resource_type = super(cls, cls).resource_type_dict(request)
    resource_type["endpoint"] = endpoint
    resource_type.pop("schemaExtensions", None)
    return resource_type


def _link(membership: Membership) -> ScimUser | None:
    links = list(membership.user.scim_links.all())  # prefetched for this workspace by `members`
    return next((x for x in links if x.workspace_id == membership.workspace_id and x.deleted_at is None), None)


class UserAdapter(SCIMUser):
    """A member of the token's workspace as a SCIM User."""

    id_field = "user__public_id"
    obj: Membership

    def __init__(self, obj: Membership, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self.data: attributes.UserInput | None = None

    @property
    def id(self) -> str:
        return self.obj.user.public_id

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict[str, Any]:
        return _resource_type(cls, request, "/Users")

    @property
    def display_name(self) -> str:
        return self.obj.user.display_name or self.obj.user.full_name or self.obj.user.email

    def to_dict(self) -> dict[str, Any]:
        user, link = self.obj.user, _link(self.obj)
        name = {"formatted": user.full_name}
        if link is not None:
            name.update({"givenName": link.given_name, "familyName": link.family_name})
        name = {key: value for key, value in name.items() if value}
        result: dict[str, Any] = {
            "schemas": [attributes.USER_SCHEMA],
            "id": user.public_id,
            "userName": link.user_name if link else user.email,
            "name": name,
            "displayName": user.display_name,
            "title": user.title,
            "emails": [
                {
                    "value": user.email,
                    "type": link.email_type if link else "work",
                    "primary": link.email_primary if link else True,
                }
            ],
            "active": self.obj.is_active,
            "groups": self._groups(),
            "meta": {
                "resourceType": "User",
                "created": self.obj.joined_at.isoformat(),
                "lastModified": (link.updated_at if link else self.obj.joined_at).isoformat(),
                "location": self.location,
            },
        }
        if link is not None and link.external_id:
            result["externalId"] = link.external_id
        return {key: value for key, value in result.items() if value not in ("", None, {}, [])}

    def _groups(self) -> list[dict[str, str]]:
        rows = (
            UserGroupMember.objects.filter(user_id=self.obj.user_id, group__workspace_id=self.obj.workspace_id)
            .exclude(group__scim_link__deleted_at__isnull=False)
            .values_list("group__public_id", "group__name")
        )
        return [{"value": public_id, "display": name, "type": "direct"} for public_id, name in rows]

    def validate_dict(self, d: dict[str, Any]) -> None:
        self.data = attributes.user_from_scim(d)

    def from_dict(self, d: dict[str, Any]) -> None:
        if self.data is None:
            self.data = attributes.user_from_scim(d)

    def save(self) -> None:
        assert self.data is not None
        token = request_token(self.request)
        if self.obj.pk is None:
            link = scim_user_create(token=token, data=self.data)
        else:
            link = scim_user_replace(token=token, link=scim_link_for(token=token, membership=self.obj), data=self.data)
        self.obj = members(self.request).get(user_id=link.user_id)

    def delete(self) -> None:
        token = request_token(self.request)
        scim_user_delete(token=token, link=scim_link_for(token=token, membership=self.obj))

    def patch(self, body: object) -> None:
        self.data = attributes.user_from_scim(apply_patch(self.to_dict(), body, core_schema=attributes.USER_SCHEMA))
        self.save()


class GroupAdapter(SCIMGroup):
    """A user group of the token's workspace as a SCIM Group."""

    id_field = "public_id"
    obj: UserGroup

    def __init__(self, obj: UserGroup, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self.data: attributes.GroupInput | None = None

    @property
    def id(self) -> str:
        return self.obj.public_id

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict[str, Any]:
        return _resource_type(cls, request, "/Groups")

    def to_dict(self) -> dict[str, Any]:
        rows = UserGroupMember.objects.filter(group=self.obj).order_by("added_at", "id")
        people = rows.values_list("user__public_id", flat=True)
        users_url = urljoin(base_location(self.request), reverse("scim:users"))
        link: ScimGroup | None = getattr(self.obj, "scim_link", None)
        result: dict[str, Any] = {
            "schemas": [attributes.GROUP_SCHEMA],
            "id": self.obj.public_id,
            "displayName": self.obj.name,
            "members": [
                {"value": public_id, "$ref": f"{users_url}/{public_id}", "type": "User"} for public_id in people
            ],
            "meta": {
                "resourceType": "Group",
                "created": self.obj.created_at.isoformat(),
                "lastModified": self.obj.updated_at.isoformat(),
                "location": self.location,
            },
        }
        if link is not None and link.external_id:
            result["externalId"] = link.external_id
        return result

    def validate_dict(self, d: dict[str, Any]) -> None:
        self.data = attributes.group_from_scim(d)

    def from_dict(self, d: dict[str, Any]) -> None:
        if self.data is None:
            self.data = attributes.group_from_scim(d)

    def save(self) -> None:
        assert self.data is not None
        token = request_token(self.request)
        if self.obj.pk is None:
            group = scim_group_create(token=token, data=self.data)
        else:
            group = scim_group_replace(token=token, group=self.obj, data=self.data)
        self.obj = groups(self.request).get(pk=group.pk)

    def delete(self) -> None:
        scim_group_delete(token=request_token(self.request), group=self.obj)

    def patch(self, body: object) -> None:
        self.data = attributes.group_from_scim(apply_patch(self.to_dict(), body, core_schema=attributes.GROUP_SCHEMA))
        self.save()


def extra_filter_kwargs_getter(model: object) -> Any:
    """GET_EXTRA_MODEL_FILTER_KWARGS_GETTER: every lookup by id stays in the token's workspace."""

    def get_extra_filter_kwargs(request: HttpRequest, *args: object, **kwargs: object) -> dict[str, Any]:
        token = request_token(request)
        if model is Membership:
            return {"workspace_id": token.workspace_id, "user__is_bot": False}
        return {"workspace_id": token.workspace_id}

    return get_extra_filter_kwargs


def is_authenticated(user: object) -> bool:
    """GET_IS_AUTHENTICATED_PREDICATE: only a SCIM token's principal (scim.auth) is let in, never a session's user."""
    from scim.auth import ScimPrincipal

    return isinstance(user, ScimPrincipal)
