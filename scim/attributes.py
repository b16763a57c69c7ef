"""Reading SCIM resources (RFC 7643) into what the services take: each attribute's type and size checked,
every refusal naming the attribute, with SCIM's scimType. Read-only attributes (id, meta, groups) are ignored
as the RFC says; attributes this server does not keep are refused by name only when their type is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from scim.errors import INVALID_SYNTAX, INVALID_VALUE, ScimError, invalid_value
from slackclone.errors import ErrorCode

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_NAME_MAX = 254
EXTERNAL_ID_MAX = 254
NAME_PART_MAX = 120
DISPLAY_NAME_MAX = 80
TITLE_MAX = 120
EMAIL_TYPE_MAX = 40
GROUP_MEMBERS_MAX = 1000


@dataclass(frozen=True)
class UserInput:
    """A SCIM User as the services take it."""

    user_name: str
    email: str
    email_type: str = "work"
    email_primary: bool = True
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    formatted: str = ""
    display_name: str = ""
    title: str = ""
    active: bool = True

    @property
    def full_name(self) -> str:
        return self.formatted or " ".join(part for part in (self.given_name, self.family_name) if part)


@dataclass(frozen=True)
class GroupInput:
    """A SCIM Group as the services take it: its name and its members' ids (U…)."""

    display_name: str
    external_id: str = ""
    members: tuple[str, ...] = ()


def check_schemas(body: object, *, core: str, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object whose `schemas` lists `core` and nothing unknown; else 400 invalidSyntax
    (not an object, no schemas) or invalidValue (a schema this resource does not take)."""
    if not isinstance(body, dict):
        raise ScimError(ErrorCode.INVALID_ARGUMENTS, "The body must be a JSON object.", scim_type=INVALID_SYNTAX)
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas) or core not in schemas:
        raise ScimError(
            ErrorCode.INVALID_ARGUMENTS,
            "schemas must be a list that includes %(core)s.",
            scim_type=INVALID_SYNTAX,
            params={"core": core},
        )
    unknown = sorted(set(schemas) - allowed)
    if unknown:
        raise invalid_value("Unknown schema: %(schemas)s.", schemas=", ".join(unknown))
    return body


def _text(body: dict[str, Any], key: str, *, limit: int, label: str | None = None, required: bool = False) -> str:
    value = body.get(key)
    label = label or key
    if value is None:
        if required:
            raise invalid_value("%(attribute)s is required.", attribute=label)
        return ""
    if not isinstance(value, str):
        raise invalid_value("%(attribute)s must be a string.", attribute=label)
    value = value.strip()
    if required and not value:
        raise invalid_value("%(attribute)s is required.", attribute=label)
    if len(value) > limit:
        raise invalid_value("%(attribute)s can be at most %(limit)s characters.", attribute=label, limit=limit)
    return value


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _email(body: dict[str, Any], user_name: str) -> tuple[str, str, bool]:
    """The primary address (else the first) and its type; with none, the userName if it is an address."""
    emails = body.get("emails")
    if emails in (None, []):
        if _is_email(user_name):
            return user_name.lower(), "work", True
        raise invalid_value("A person needs an email address: send emails, or a userName that is one.")
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise invalid_value("emails must be a list of objects.")
    chosen = next((e for e in emails if e.get("primary") is True), emails[0])
    value = chosen.get("value")
    if not isinstance(value, str) or not _is_email(value.strip()):
        raise invalid_value("emails.value must be an email address.")
    kind = chosen.get("type") or "work"
    if not isinstance(kind, str) or len(kind) > EMAIL_TYPE_MAX:
        raise invalid_value("emails.type must be a short string such as work.")
    return value.strip().lower(), kind, chosen.get("primary") is not False


def user_from_scim(body: object) -> UserInput:
    """A SCIM User resource (POST or PUT body) read and checked. Raises ScimError (400)."""
    body = check_schemas(body, core=USER_SCHEMA, allowed=frozenset({USER_SCHEMA, ENTERPRISE_USER_SCHEMA}))
    user_name = _text(body, "userName", limit=USER_NAME_MAX, required=True)
    name = body.get("name") or {}
    if not isinstance(name, dict):
        raise invalid_value("name must be an object.")
    active = body.get("active", True)
    if not isinstance(active, bool):
        raise ScimError(ErrorCode.INVALID_ARGUMENTS, "active must be true or false.", scim_type=INVALID_VALUE)
    email, email_type, email_primary = _email(body, user_name)
    return UserInput(
        user_name=user_name,
        email=email,
        email_type=email_type,
        email_primary=email_primary,
        external_id=_text(body, "externalId", limit=EXTERNAL_ID_MAX),
        given_name=_text(name, "givenName", limit=NAME_PART_MAX, label="name.givenName"),
        family_name=_text(name, "familyName", limit=NAME_PART_MAX, label="name.familyName"),
        formatted=_text(name, "formatted", limit=NAME_PART_MAX, label="name.formatted"),
        display_name=_text(body, "displayName", limit=DISPLAY_NAME_MAX),
        title=_text(body, "title", limit=TITLE_MAX),
        active=active,
    )


def group_from_scim(body: object) -> GroupInput:
    """A SCIM Group resource read and checked: its members by `value` (a person's id). Raises ScimError (400)."""
    body = check_schemas(body, core=GROUP_SCHEMA, allowed=frozenset({GROUP_SCHEMA}))
    display_name = _text(body, "displayName", limit=DISPLAY_NAME_MAX, required=True)
    return GroupInput(
        display_name=display_name,
        external_id=_text(body, "externalId", limit=EXTERNAL_ID_MAX),
        members=member_ids(body.get("members")),
    )


def member_ids(members: object) -> tuple[str, ...]:
    """The `value` of each member object, in order, once each. Raises ScimError (400)."""
    if members is None:
        return ()
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise invalid_value("members must be a list of objects.")
    if len(members) > GROUP_MEMBERS_MAX:
        raise ScimError(
            ErrorCode.INVALID_USERS,
            "A group can have at most %(limit)s members.",
            scim_type=INVALID_VALUE,
            params={"limit": GROUP_MEMBERS_MAX},
        )
    values = [m.get("value") for m in members]
    if not all(isinstance(v, str) and v for v in values):
        raise invalid_value("members.value must be a person's id.")
    return tuple(dict.fromkeys(str(v) for v in values))
