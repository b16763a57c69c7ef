"""SCIM PATCH (RFC 7644 section 3.5.2) applied to a resource's representation: the result is then read and
checked like a PUT body, so PATCH and PUT share one write path and a refused PATCH writes nothing.

Paths: `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub`, each optionally after the schema URN;
no path with an object value. Attribute names are matched without regard to case. Values sent as the strings
"True"/"False" for `active` (Entra ID does) are read as booleans.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from scim.errors import INVALID_PATH, INVALID_SYNTAX, MUTABILITY, NO_TARGET, ScimError, invalid_value
from slackclone.errors import ErrorCode

MAX_OPERATIONS = 1000
READ_ONLY = {"id", "meta", "groups"}
_PATH = re.compile(
    r"^(?:(?P<urn>urn:[^\[\]\s]+):)?(?P<attr>[A-Za-z][\w$-]*)"
    r"(?:\[\s*(?P<fattr>[A-Za-z][\w$-]*)\s+eq\s+\"(?P<fval>(?:[^\"\\]|\\.)*)\"\s*\])?"
    r"(?:\.(?P<sub>[A-Za-z][\w$-]*))?$"
)


def _error(message: str, scim_type: str, **params: object) -> ScimError:
    return ScimError(ErrorCode.INVALID_ARGUMENTS, message, scim_type=scim_type, params=params or None)


def _key(container: dict[str, Any], name: str) -> str:
    """The key of `container` that is `name` without regard to case, else `name`."""
    lowered = name.lower()
    return next((key for key in container if key.lower() == lowered), name)


def _parse_path(path: str, core_schema: str) -> tuple[str, tuple[str, str] | None, str | None]:
    match = _PATH.match(path.strip())
    if match is None:
        raise _error("Cannot read the PATCH path %(path)s.", INVALID_PATH, path=path)
    urn = match["urn"]
    if urn and urn.lower() != core_schema.lower():
        raise _error("The PATCH path %(path)s names an unknown schema.", INVALID_PATH, path=path)
    value_filter = (match["fattr"], match["fval"].replace('\\"', '"')) if match["fattr"] else None
    return match["attr"], value_filter, match["sub"]


def _matches(item: object, value_filter: tuple[str, str]) -> bool:
    if not isinstance(item, dict):
        return False
    found = item.get(_key(item, value_filter[0]))
    return (
        str(found).lower() == value_filter[1].lower()
        if value_filter[0].lower() != "value"
        else found == value_filter[1]
    )


def _coerce(attr: str, value: Any) -> Any:
    if attr.lower() == "active" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _apply_filtered(
    resource: dict[str, Any], op: str, key: str, value_filter: tuple[str, str], sub: str | None, value: Any
) -> None:
    items = resource.get(key)
    items = items if isinstance(items, list) else []
    hits = [item for item in items if _matches(item, value_filter)]
    if op == "remove":
        if sub is None:
            resource[key] = [item for item in items if not _matches(item, value_filter)]
        else:
            for item in hits:
                item.pop(_key(item, sub), None)
        return
    if not hits:
        new_item: dict[str, Any] = {value_filter[0]: value_filter[1]}
        items.append(new_item)
        hits = [new_item]
    for item in hits:
        if sub is not None:
            item[_key(item, sub)] = value
        elif isinstance(value, dict):
            item.update(value)
        else:
            raise invalid_value("The value for %(attr)s[…] must be an object.", attr=key)
    resource[key] = items


def _apply_one(resource: dict[str, Any], op: str, path: str, value: Any, core_schema: str) -> None:
    attr, value_filter, sub = _parse_path(path, core_schema)
    if attr.lower() in READ_ONLY:
        if attr.lower() == "groups":
            return
        raise _error("%(attr)s cannot be changed.", MUTABILITY, attr=attr)
    if attr.lower() == "schemas":
        raise _error("schemas cannot be changed by PATCH.", MUTABILITY)
    key = _key(resource, attr)
    value = _coerce(attr, value)
    if value_filter is not None:
        _apply_filtered(resource, op, key, value_filter, sub, value)
    elif sub is not None:
        parent = resource.get(key)
        parent = parent if isinstance(parent, dict) else {}
        if op == "remove":
            parent.pop(_key(parent, sub), None)
        else:
            parent[_key(parent, sub)] = value
        resource[key] = parent
    elif op == "remove":
        _remove(resource, key, value)
    elif op == "add" and isinstance(resource.get(key), list):
        added = value if isinstance(value, list) else [value]
        resource[key] = resource[key] + [item for item in added if item not in resource[key]]
    elif op == "add" and isinstance(resource.get(key), dict) and isinstance(value, dict):
        resource[key] = {**resource[key], **value}
    else:
        resource[key] = value


def _remove(resource: dict[str, Any], key: str, value: Any) -> None:
    """Remove the attribute, or (a list of objects with `value`s, as Entra ID removes members) those items."""
    current = resource.get(key)
    if isinstance(current, list) and isinstance(value, list) and value:
        gone = {item.get("value") for item in value if isinstance(item, dict)}
        resource[key] = [item for item in current if not (isinstance(item, dict) and item.get("value") in gone)]
    else:
        resource.pop(key, None)


def apply_patch(resource: dict[str, Any], body: object, *, core_schema: str) -> dict[str, Any]:
    """The resource with the PatchOp `body`'s operations applied, in order; the input is not changed.
    Raises ScimError 400 (invalidSyntax, invalidPath, noTarget, mutability, invalidValue, tooMany)."""
    from scim.attributes import PATCH_SCHEMA

    if not isinstance(body, dict) or body.get("schemas") != [PATCH_SCHEMA]:
        raise _error("A PATCH body is a PatchOp: schemas must be [%(schema)s].", INVALID_SYNTAX, schema=PATCH_SCHEMA)
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise _error("A PATCH needs a non-empty Operations list.", INVALID_SYNTAX)
    if len(operations) > MAX_OPERATIONS:
        raise _error("At most %(limit)s operations in one PATCH.", "tooMany", limit=MAX_OPERATIONS)
    result = copy.deepcopy(resource)
    for operation in operations:
        if not isinstance(operation, dict):
            raise _error("Each operation must be an object.", INVALID_SYNTAX)
        op = str(operation.get(_key(operation, "op")) or "").lower()
        path = operation.get(_key(operation, "path"))
        value = operation.get(_key(operation, "value"))
        if op not in ("add", "replace", "remove"):
            raise _error("op must be add, replace or remove.", INVALID_SYNTAX)
        if path is None or path == "":
            if op == "remove":
                raise _error("A remove operation needs a path.", NO_TARGET)
            if not isinstance(value, dict):
                raise _error("An operation without a path needs an object value.", INVALID_SYNTAX)
            for name, item in value.items():
                _apply_one(result, op, name, item, core_schema)
        elif not isinstance(path, str):
            raise _error("path must be a string.", INVALID_PATH)
        else:
            _apply_one(result, op, path, value, core_schema)
    return result
