"""`attributes` and `excludedAttributes` (RFC 7644 section 3.9): which attributes a response carries.
`id` and `schemas` are always returned; names are matched without regard to case, with or without their
schema URN, and `name.givenName` picks one sub-attribute."""

from __future__ import annotations

from typing import Any

ALWAYS = {"id", "schemas"}


def _names(raw: str | None) -> list[tuple[str, str | None]]:
    result = []
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        if item.lower().startswith("urn:"):
            item = item.rsplit(":", 1)[-1]
        attr, _, sub = item.partition(".")
        result.append((attr.lower(), sub.lower() or None))
    return result


def project(resource: dict[str, Any], attributes: str | None, excluded: str | None) -> dict[str, Any]:
    """The resource with only the attributes asked for, or without those excluded."""
    wanted, unwanted = _names(attributes), _names(excluded)
    if wanted:
        kept: dict[str, Any] = {}
        for key, value in resource.items():
            if key.lower() in ALWAYS:
                kept[key] = value
                continue
            subs = [sub for attr, sub in wanted if attr == key.lower()]
            if not subs:
                continue
            if None in subs or not isinstance(value, dict):
                kept[key] = value
            else:
                picked = {k: v for k, v in value.items() if k.lower() in subs}
                if picked:
                    kept[key] = picked
        return kept
    if unwanted:
        result = {}
        for key, value in resource.items():
            subs = [sub for attr, sub in unwanted if attr == key.lower()]
            if key.lower() in ALWAYS or not subs:
                result[key] = value
            elif None not in subs and isinstance(value, dict):
                result[key] = {k: v for k, v in value.items() if k.lower() not in subs}
        return result
    return resource
