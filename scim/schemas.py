"""What django-scim2 publishes about our resources: the models behind them and the schemas (SCHEMAS_GETTER)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_scim.models import SCIMServiceProviderConfig
from django_scim.schemas import ALL as LIBRARY_SCHEMAS

from scim import attributes
from workspaces.models import Membership

# The attributes this server keeps, published at /scim/v2/Schemas (the library's full User schema lists many
# it does not: phone numbers, addresses, x509 certificates…).
USER_ATTRIBUTES = {"userName", "name", "displayName", "title", "active", "emails", "groups"}
NAME_SUB_ATTRIBUTES = {"givenName", "familyName", "formatted"}
EMAIL_SUB_ATTRIBUTES = {"value", "type", "primary"}
REQUIRED_HERE = {"emails", "active"}


def get_member_model() -> type[Membership]:
    return Membership


def _user_schema() -> dict[str, Any]:
    schema = next(s for s in LIBRARY_SCHEMAS if s["id"] == attributes.USER_SCHEMA)
    kept = []
    for attribute in schema["attributes"]:
        if attribute["name"] not in USER_ATTRIBUTES:
            continue
        attribute = dict(attribute)
        if attribute["name"] == "name":
            attribute["subAttributes"] = [a for a in attribute["subAttributes"] if a["name"] in NAME_SUB_ATTRIBUTES]
        if attribute["name"] == "emails":
            attribute["subAttributes"] = [
                {**a, "required": True} if a["name"] == "value" else a
                for a in attribute["subAttributes"]
                if a["name"] in EMAIL_SUB_ATTRIBUTES
            ]
        if attribute["name"] in REQUIRED_HERE:
            # Every person here has an address, and is active in the workspace or not: neither can be unassigned.
            attribute["required"] = True
        kept.append(attribute)
    return {**schema, "attributes": kept}


SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _published(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        **schema,
        "schemas": [SCHEMA_SCHEMA],
        "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{schema['id']}"},
    }


def schemas() -> list[dict[str, Any]]:
    """SCHEMAS_GETTER: the User schema cut to what is kept, and the Group schema, as Schema resources."""
    group = next(s for s in LIBRARY_SCHEMAS if s["id"] == attributes.GROUP_SCHEMA)
    group = {
        **group,
        # A user group needs a name (workspaces.services.usergroups).
        "attributes": [{**a, "required": True} if a["name"] == "displayName" else a for a in group["attributes"]],
    }
    return [_published(_user_schema()), _published(group)]


class ServiceProviderConfig(SCIMServiceProviderConfig):
    """SERVICE_PROVIDER_CONFIG_MODEL: what this server does (PATCH, filters up to a page of 200) and does not
    (bulk, sorting, ETags, password changes: people sign in through the identity provider or their own)."""

    def to_dict(self) -> dict[str, Any]:
        config = super().to_dict()
        config.update(
            {
                "patch": {"supported": True},
                "bulk": {
                    "supported": False,
                    "maxOperations": 0,
                    "maxPayloadSize": settings.SCIM_REQUEST_BODY_MAX_BYTES,
                },
                "filter": {"supported": True, "maxResults": 200},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
            }
        )
        return config


def base_location(request: HttpRequest | None = None, *args: object, **kwargs: object) -> str:
    """BASE_LOCATION_GETTER: resources' absolute URLs on the address the request came to (a host Django
    accepts, ALLOWED_HOSTS), so `meta.location` works behind any name the site answers to."""
    if request is None:
        return settings.SITE_URL
    return f"{request.scheme}://{request.get_host()}"
