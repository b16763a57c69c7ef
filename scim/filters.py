"""SCIM filters (RFC 7644 section 3.4.2.2) on our resources: USER_FILTER_PARSER and GROUP_FILTER_PARSER.

scim2-filter-parser (django-scim2's parser) reads the filter and turns it into an ORM query over the
workspace-scoped querysets of scim.selectors; an attribute that cannot be filtered on is invalidFilter.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from scim import attributes
from scim.errors import INVALID_FILTER, ScimError
from scim.selectors import groups, members
from slackclone.errors import ErrorCode
from workspaces.models import Membership, UserGroup


def _filtered(
    queryset: QuerySet[Any], filter_query: str, attr_map: dict[tuple[str, str | None, str | None], str]
) -> QuerySet[Any]:
    try:
        query = Transpiler(attr_map).transpile(SCIMParser().parse(SCIMLexer().tokenize(filter_query)))
    except Exception as error:  # the parser raises its own errors, and ValueError for what it cannot do
        raise ScimError(
            ErrorCode.INVALID_ARGUMENTS,
            "Cannot read the filter: %(error)s",
            scim_type=INVALID_FILTER,
            params={"error": error},
        ) from None
    if not isinstance(query, Q):
        raise ScimError(
            ErrorCode.INVALID_ARGUMENTS,
            "The filter uses an attribute that cannot be filtered on.",
            scim_type=INVALID_FILTER,
        )
    return queryset.filter(query).distinct()


def _map(*entries: tuple[str, str | None, str]) -> dict[tuple[str, str | None, str | None], str]:
    """Filterable attributes, with and without their schema URN (the transpiler lower-cases the names)."""
    result: dict[tuple[str, str | None, str | None], str] = {}
    for attr, sub, field in entries:
        for uri in (None, attributes.USER_SCHEMA.lower(), attributes.GROUP_SCHEMA.lower()):
            result[(attr.lower(), sub.lower() if sub else None, uri)] = field
    return result


class UserFilter:
    """USER_FILTER_PARSER: a SCIM filter on the workspace's people, as an ORM query."""

    attr_map = _map(
        ("userName", None, "scim_user_name"),
        ("externalId", None, "scim_external_id"),
        ("id", None, "user__public_id"),
        ("emails", None, "user__email"),
        ("emails", "value", "user__email"),
        ("displayName", None, "user__display_name"),
        ("active", None, "is_active"),
    )

    @classmethod
    def search(cls, filter_query: str, request: HttpRequest) -> QuerySet[Membership]:
        return _filtered(members(request), filter_query, cls.attr_map)


class GroupFilter:
    """GROUP_FILTER_PARSER: a SCIM filter on the workspace's user groups, as an ORM query."""

    attr_map = _map(
        ("displayName", None, "name"),
        ("externalId", None, "scim_link__external_id"),
        ("id", None, "public_id"),
        ("members", None, "members__user__public_id"),
        ("members", "value", "members__user__public_id"),
    )

    @classmethod
    def search(cls, filter_query: str, request: HttpRequest) -> QuerySet[UserGroup]:
        return _filtered(groups(request), filter_query, cls.attr_map)
