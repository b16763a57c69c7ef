"""One error shape for the whole REST API: `{"error": {"code", "message", "fields"}}`.

Service errors (DomainError) keep their code and HTTP status; DRF's own errors (validation,
authentication, parsing, unknown methods) are mapped to codes from the same closed set.
The database being unavailable (slackclone.db_unavailable) is a 503 `service_unavailable` with Retry-After.
Anything unexpected is logged and answered with a 500 in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from slackclone.api.parsers import InvalidJson
from slackclone.db_unavailable import database_outage
from slackclone.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)


class ApiRatelimited(exceptions.APIException):
    """Too many requests in the current window; `retry_after` is in seconds."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = ErrorCode.RATELIMITED.value

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many requests; retry in {self.retry_after} seconds.")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": str(code), "message": message, "fields": fields or {}}}


def _flatten_validation(detail: Any, prefix: str = "") -> tuple[dict[str, str], list[str]]:
    """{'field': 'code'} and readable messages from DRF's nested ValidationError detail."""
    fields: dict[str, str] = {}
    messages: list[str] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            sub_fields, sub_messages = _flatten_validation(value, name)
            fields.update(sub_fields)
            messages.extend(sub_messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                sub_fields, sub_messages = _flatten_validation(value, f"{prefix}[{index}]")
                fields.update(sub_fields)
                messages.extend(sub_messages)
            else:
                name = prefix or "non_field_errors"
                fields.setdefault(name, getattr(value, "code", "invalid") or "invalid")
                messages.append(f"{name}: {value}" if prefix else str(value))
    else:
        name = prefix or "non_field_errors"
        fields[name] = getattr(detail, "code", "invalid") or "invalid"
        messages.append(f"{name}: {detail}" if prefix else str(detail))
    return fields, messages


_DRF_CODES: list[tuple[type[exceptions.APIException], ErrorCode]] = [
    (exceptions.NotAuthenticated, ErrorCode.NOT_AUTHED),
    (exceptions.PermissionDenied, ErrorCode.RESTRICTED_ACTION),
    (exceptions.NotFound, ErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (InvalidJson, ErrorCode.INVALID_JSON),
    (exceptions.ParseError, ErrorCode.INVALID_ARGUMENTS),
    (exceptions.Throttled, ErrorCode.RATELIMITED),
]


def _api_exception_response(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.ValidationError):
        fields, messages = _flatten_validation(exc.detail)
        body = error_body(ErrorCode.INVALID_ARGUMENTS, "; ".join(messages) or "Invalid input.", fields)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.AuthenticationFailed):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else ErrorCode.INVALID_AUTH
        if code not in ErrorCode._value2member_map_:
            code = ErrorCode.INVALID_AUTH
        body = error_body(code, str(exc.detail))
        return Response(body, status=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if isinstance(exc, ApiRatelimited):
        headers["Retry-After"] = str(exc.retry_after)
        code = ErrorCode.RATELIMITED
    elif isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(int(exc.wait or 1))  # type: ignore[attr-defined]  # set in __init__; not in the stubs
        code = ErrorCode.RATELIMITED
    else:
        code = next((code for cls, code in _DRF_CODES if isinstance(exc, cls)), ErrorCode.INVALID_ARGUMENTS)
    if isinstance(exc, exceptions.NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(error_body(code, str(exc.detail)), status=exc.status_code, headers=headers)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every failure of an API view becomes the one error shape, as JSON
    (even from endpoints that otherwise send file bytes)."""
    response = _handle(exc, context)
    if response is not None:
        response.content_type = "application/json"
    return response


def _handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    set_rollback()
    outage = database_outage(exc)
    if outage is not None:  # a failover: the same request will work in a moment
        headers = {"Retry-After": str(outage.retry_after)}
        return Response(error_body(outage.code, outage.message), status=outage.http_status, headers=headers)
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.http_status)
    if isinstance(exc, Http404):
        return Response(error_body(ErrorCode.NOT_FOUND, "Not found."), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body(ErrorCode.REQUEST_TOO_LARGE, "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, MultiPartParserError | UnreadablePostError):  # a body Django itself could not read
        return Response(error_body(ErrorCode.INVALID_ARGUMENTS, f"Malformed request body: {exc}"), status=400)
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, a malformed upload...
        return Response(error_body(ErrorCode.INVALID_ARGUMENTS, str(exc) or "Malformed request."), status=400)
    if isinstance(exc, PermissionDenied):
        return Response(error_body(ErrorCode.RESTRICTED_ACTION, str(exc) or "Forbidden."), status=403)
    if isinstance(exc, exceptions.APIException):
        return _api_exception_response(exc)
    if settings.DEBUG:
        return None  # Django's debug page shows the traceback.
    view = context.get("view")
    logger.exception("Unhandled error in %s", type(view).__name__ if view else "API view", exc_info=exc)
    return Response(
        error_body("internal_error", "Something went wrong on our side; it has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
