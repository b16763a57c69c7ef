"""The SCIM 2.0 API at /scim/v2/: django-scim2's views, with what this server needs around them.

Each request: the SCIM token checked (scim.auth), the body bounded before it is read and read as a JSON object
(else 413, or 400 invalidSyntax), every lookup scoped to the token's workspace (scim.adapters), the whole
request in one transaction (a refused request writes nothing), and every refusal in SCIM's error shape
(RFC 7644 section 3.12) with its scimType. Pagination counts in the database rather than loading every row.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_scim import views as library
from django_scim.exceptions import SCIMException
from django_scim.settings import scim_settings

from scim import adapters, filters, schemas, selectors
from scim.auth import SCIM_CONTENT_TYPE
from scim.errors import ERROR_SCHEMA, INVALID_SYNTAX, INVALID_VALUE, UNIQUENESS, ScimError, error_shape
from scim.projection import project
from slackclone.errors import DomainError, ErrorCode

MAX_PAGE = 200


def scim_response(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=SCIM_CONTENT_TYPE)


def list_response(
    request: HttpRequest, page: list[dict[str, Any]], total: int, start: int, params: dict[str, Any] | None = None
) -> HttpResponse:
    """A ListResponse of one page, each resource cut to the attributes asked for (query or SearchRequest)."""
    params = params if params is not None else request.GET
    attributes, excluded = _joined(params.get("attributes")), _joined(params.get("excludedAttributes"))
    resources = [project(resource, attributes, excluded) for resource in page]
    return scim_response(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
    )


def _joined(value: Any) -> str | None:
    """A SearchRequest sends attribute lists as JSON arrays, a query string as comma-separated names."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value if isinstance(value, str) else None


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return scim_response(body, status)


class ScimViewMixin:
    """What every SCIM view of ours adds to django-scim2's (see the module's docstring)."""

    request: HttpRequest
    kwargs: dict[str, Any]

    @method_decorator(csrf_exempt)
    @method_decorator(scim_settings.AUTH_CHECK_MIDDLEWARE)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not getattr(self, "implemented", True):
            return error_response(501, "Not implemented.")
        try:
            with transaction.atomic():
                return View.dispatch(self, request, *args, **kwargs)  # type: ignore[arg-type]
        except DomainError as error:
            status, body = error_shape(error)
            return scim_response(body, status)
        except SCIMException as error:
            return scim_response(error.to_dict() | {"status": str(error.status)}, error.status)
        except IntegrityError:
            return error_response(409, "That conflicts with an existing resource.", UNIQUENESS)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(405, f"{request.method} is not allowed here.")

    def load_body(self, body: bytes) -> Any:
        """The body as JSON; its size was checked before it was read (see read_body)."""
        try:
            return json.loads(body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ScimError(
                ErrorCode.INVALID_JSON,
                "The body is not JSON: %(error)s",
                scim_type=INVALID_SYNTAX,
                params={"error": error},
            ) from None

    def read_body(self) -> Any:
        declared = self.request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.SCIM_REQUEST_BODY_MAX_BYTES
        if not declared.isdigit() or int(declared) > limit:
            raise ScimError(
                ErrorCode.REQUEST_TOO_LARGE,
                "The request body is too large: at most %(limit)s bytes.",
                status=413,
                params={"limit": limit},
            )
        return self.load_body(self.request.body)


class ResourceViewMixin(ScimViewMixin):
    """Users and Groups: lookups through the workspace-scoped querysets, bounded pages, PATCH as one write."""

    scoped: Any  # selectors.members or selectors.groups
    list_params: dict[str, Any] | None = None  # a SearchRequest's, instead of the query string
    scim_adapter: Any
    parser_getter: Any

    def get_object(self) -> Any:
        found = self.__class__.scoped(self.request).filter(**{self.scim_adapter.id_field: self.kwargs.get("uuid")})
        obj = found.first()
        if obj is None:
            raise ScimError(
                ErrorCode.NOT_FOUND, "Resource %(id)s not found.", status=404, params={"id": self.kwargs.get("uuid")}
            )
        return obj

    def _page(self, request: HttpRequest) -> tuple[int, int]:
        try:
            start = int(request.GET.get("startIndex", 1))
            count = int(request.GET.get("count", 100))
        except ValueError:
            raise ScimError(
                ErrorCode.INVALID_ARGUMENTS, "startIndex and count must be integers.", scim_type=INVALID_VALUE
            ) from None
        return max(start, 1), min(max(count, 0), MAX_PAGE)

    def _search(self, request: HttpRequest, query: str, start: int, count: int) -> HttpResponse:
        return self._build_response(request, self.__class__.parser_getter().search(query, request), start, count)

    def _build_response(self, request: HttpRequest, qs: Any, start: int, count: int) -> HttpResponse:
        total = qs.count()
        page = [self.scim_adapter(o, request=request).to_dict() for o in qs[start - 1 : start - 1 + count]]
        return list_response(request, page, total, start, self.list_params)

    def get_single(self, request: HttpRequest) -> HttpResponse:
        scim_obj = self.scim_adapter(self.get_object(), request=request)
        response = scim_response(
            project(scim_obj.to_dict(), request.GET.get("attributes"), request.GET.get("excludedAttributes"))
        )
        response["Location"] = scim_obj.location
        return response

    def get_many(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("filter")
        if query:
            return self._search(request, query, *self._page(request))
        return self._build_response(request, self.__class__.scoped(request), *self._page(request))

    def _written(self, scim_obj: Any, status: int = 200) -> HttpResponse:
        response = scim_response(scim_obj.to_dict(), status)
        response["Location"] = scim_obj.location
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scim_obj = self.scim_adapter(self.model_cls(), request=request)  # type: ignore[attr-defined]
        scim_obj.validate_dict(self.read_body())
        scim_obj.save()
        return self._written(scim_obj, 201)

    def put(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scim_obj = self.scim_adapter(self.get_object(), request=request)
        scim_obj.validate_dict(self.read_body())
        scim_obj.save()
        return self._written(scim_obj)

    def patch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scim_obj = self.scim_adapter(self.get_object(), request=request)
        scim_obj.patch(self.read_body())
        return self._written(scim_obj)


class UsersView(ResourceViewMixin, library.UsersView):
    scoped = staticmethod(selectors.members)


class GroupsView(ResourceViewMixin, library.GroupsView):
    scoped = staticmethod(selectors.groups)


SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def search_request(view: ScimViewMixin) -> tuple[dict[str, Any], int, int, str | None]:
    """A SearchRequest body: itself, its page (startIndex, count) and its filter. Raises ScimError 400."""
    body = view.read_body()
    if not isinstance(body, dict) or body.get("schemas") != [SEARCH_REQUEST]:
        raise ScimError(ErrorCode.INVALID_ARGUMENTS, "The body must be a SearchRequest.", scim_type=INVALID_SYNTAX)
    try:
        start, count = max(int(body.get("startIndex", 1)), 1), min(max(int(body.get("count", 100)), 0), MAX_PAGE)
    except (TypeError, ValueError):
        raise ScimError(
            ErrorCode.INVALID_ARGUMENTS, "startIndex and count must be integers.", scim_type=INVALID_VALUE
        ) from None
    query = body.get("filter")
    if query is not None and not isinstance(query, str):
        raise ScimError(ErrorCode.INVALID_ARGUMENTS, "filter must be a string.", scim_type="invalidFilter")
    return body, start, count, query


class SearchMixin(ResourceViewMixin):
    """POST …/.search (RFC 7644 section 3.4.3): a SearchRequest's filter and page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body, start, count, query = search_request(self)
        self.list_params = body
        if query is None:
            return self._build_response(request, self.__class__.scoped(request), start, count)
        return self._search(request, query, start, count)


class RootSearchView(ScimViewMixin, library.SearchView):
    """POST /scim/v2/.search: one search over Users and Groups, Users first. A filter on an attribute only one
    of them has finds nothing of the other."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body, start, count, query = search_request(self)
        kinds: list[tuple[Any, Any]] = []
        for adapter, scoped, parser in (
            (adapters.UserAdapter, selectors.members, filters.UserFilter),
            (adapters.GroupAdapter, selectors.groups, filters.GroupFilter),
        ):
            try:
                kinds.append((adapter, parser.search(query, request) if query else scoped(request)))
            except ScimError:
                continue
        if query and not kinds:
            raise ScimError(ErrorCode.INVALID_ARGUMENTS, "The filter fits no resource type.", scim_type="invalidFilter")
        page: list[dict[str, Any]] = []
        offset, total = start - 1, 0
        for resource_adapter, qs in kinds:
            size = qs.count()
            total += size
            if len(page) < count and offset < size:
                page += [
                    resource_adapter(o, request=request).to_dict() for o in qs[offset : offset + count - len(page)]
                ]
            offset = max(offset - size, 0)
        return list_response(request, page, total, start, body)


class UserSearchView(SearchMixin, library.UserSearchView):
    scoped = staticmethod(selectors.members)


class GroupSearchView(SearchMixin, library.GroupSearchView):
    scoped = staticmethod(selectors.groups)


class ServiceProviderConfigView(ScimViewMixin, library.ServiceProviderConfigView):
    pass


def _listed(resources: list[dict[str, Any]]) -> HttpResponse:
    return scim_response(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(resources),
            "itemsPerPage": len(resources),
            "startIndex": 1,
            "Resources": resources,
        }
    )


class ResourceTypesView(ScimViewMixin, library.ResourceTypesView):
    """The library's resource types, listed as a full ListResponse (totalResults is required)."""

    def get(self, request: HttpRequest, uuid: str | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
        types = self.type_dict_by_type_id(request)
        if uuid:
            if uuid not in types:
                return error_response(404, f"No resource type {uuid}.")
            return scim_response(types[uuid])
        return _listed([types[key] for key in sorted(types)])


class SchemasView(ScimViewMixin, library.SchemasView):
    """The schemas of scim.schemas (what this server keeps), listed as a full ListResponse."""

    schemas_by_uri = {s["id"]: s for s in schemas.schemas()}

    def get(self, request: HttpRequest, uuid: str | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
        if uuid:
            if uuid not in self.schemas_by_uri:
                return error_response(404, f"No schema {uuid}.")
            return scim_response(self.schemas_by_uri[uuid])
        return _listed([self.schemas_by_uri[key] for key in sorted(self.schemas_by_uri)])


class NotImplementedView(ScimViewMixin, library.SCIMView):
    implemented = False


class NotFoundView(ScimViewMixin, library.SCIMView):
    """Any other path under /scim/v2/: 404 in SCIM's shape (after the token check, so nothing is told to
    strangers)."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def dispatch_any(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(404, "No such SCIM endpoint.")

    get = post = put = patch = delete = dispatch_any
