"""The base class of every REST endpoint, and the answer for URLs under /api/v1/ that do not exist."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from slackclone.api import schema  # noqa: F401  (registers the bearer scheme with drf-spectacular)
from slackclone.api.exceptions import error_body
from slackclone.api.ratelimit import check_auth_rate, check_write_rate
from slackclone.errors import ErrorCode


class ApiView(APIView):
    # The base of every endpoint: its writes count against the user's rate limit. Set
    # `auth_rate_limited` on login and sign-up to count every request per client address instead.
    # (A comment, not a docstring: drf-spectacular would show a docstring on every operation.)

    auth_rate_limited = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.auth_rate_limited:
            check_auth_rate(request)
        elif request.method not in SAFE_METHODS and request.user.is_authenticated:
            check_write_rate(request)


def validated(serializer_class: type[Serializer], data: Any, **context: Any) -> dict[str, Any]:
    """Input checked by a serializer; a failure becomes a 400 with the offending fields."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def page_link(request: Request, **params: Any) -> str:
    """This URL with its query replaced by `params` (None values dropped): the next or previous page."""
    query = {key: value for key, value in params.items() if value is not None}
    return request.build_absolute_uri(request.path + ("?" + urlencode(query) if query else ""))


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any path under /api/v1/ that names no endpoint: a 404 in the error shape, for every method."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(error_body(ErrorCode.NOT_FOUND, f"No API endpoint at {request.path}."), status=404)

    get = post = put = patch = delete = head = options = _not_found
