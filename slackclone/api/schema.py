"""OpenAPI pieces shared by every endpoint: the error body, which errors an operation can
answer, and the bearer-token security scheme."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from slackclone.errors import ErrorCode


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=f"A stable code, one of: {', '.join(code.value for code in ErrorCode)}.")
    message = serializers.CharField(help_text="A readable explanation; match on `code`, never on this.")
    # The error body's key is `fields`. DRF's metaclass moves declared fields off the class, so this does not
    # replace Serializer.fields at run time; the stubs cannot know that.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text="The offending inputs, each with a short reason code."
    )


class ErrorResponseSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input (`invalid_arguments`, or a service code such as `invalid_name`, `no_text`).",
    401: "Not authenticated (`not_authed`), or an unknown, revoked or deactivated token (`invalid_auth`, "
    "`account_inactive`).",
    403: "Not allowed on something you may see (`restricted_action`, `not_in_channel`, `account_inactive`, ...).",
    404: "Not found, or not visible to you (`channel_not_found`, `message_not_found`, `user_not_found`, ...).",
    405: "Method not allowed here (`method_not_allowed`).",
    409: "Conflict with the current state (`name_taken`, `already_reacted`, `already_pinned`, ...).",
    410: "The invitation has expired or been used up.",
    413: "Too large (`file_too_large`, `request_too_large`).",
    415: "Unsupported content type (`unsupported_media_type`).",
    429: "Rate limited (`ratelimited`); the Retry-After header says when to try again.",
    504: "A Slack app did not answer within 3 seconds (`app_did_not_respond`); nothing changed.",
}

AUTHENTICATED = (400, 401, 403, 404, 429)


def errors(*statuses: int, authenticated: bool = True) -> dict[int, OpenApiResponse]:
    """The error responses of an operation; authenticated ones can always answer 401, 403, 404 and 429."""
    codes = set(statuses) | (set(AUTHENTICATED) if authenticated else {400, 429})
    return {
        code: OpenApiResponse(response=ErrorResponseSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in sorted(codes)
    }


class OkSerializer(serializers.Serializer):
    ok = serializers.BooleanField()


def document_unsupported_media_type(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: an operation that reads a body answers 415 to a body it cannot parse.

    The parsers refuse such a body before the view runs, whichever operation it is, so the answer is
    documented once here instead of in every operation's `errors(...)`; it has the error shape of the
    operation's 400.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            if "415" not in responses and "400" in responses:
                responses["415"] = {**responses["400"], "description": ERROR_DESCRIPTIONS[415]}
    return result


def ok_response(description: str = "Done.") -> OpenApiResponse:
    return OpenApiResponse(response=OkSerializer, description=description)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
