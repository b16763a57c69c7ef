"""SCIM's errors (RFC 7644 section 3.12): a DomainError that also carries SCIM's status and scimType, so the
services keep one error model and the SCIM views answer in SCIM's shape."""

from __future__ import annotations

from collections.abc import Mapping

from slackclone.errors import DomainError, ErrorCode

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

# scimType values (RFC 7644, table 9) used here.
INVALID_FILTER = "invalidFilter"
INVALID_SYNTAX = "invalidSyntax"
INVALID_VALUE = "invalidValue"
INVALID_PATH = "invalidPath"
NO_TARGET = "noTarget"
UNIQUENESS = "uniqueness"
MUTABILITY = "mutability"
TOO_MANY = "tooMany"


class ScimError(DomainError):
    """A request SCIM refuses, with its HTTP status and (for 400 and 409) its scimType."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int = 400,
        scim_type: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(code, message, params=params)
        self.status = status
        self.scim_type = scim_type


def invalid_value(message: str, **params: object) -> ScimError:
    return ScimError(ErrorCode.INVALID_ARGUMENTS, message, scim_type=INVALID_VALUE, params=params or None)


def error_shape(error: DomainError) -> tuple[int, dict[str, object]]:
    """The status and body SCIM answers for a refused request: a ScimError as it says, any other DomainError
    by its status (400 invalidValue, 409 uniqueness, 404, else its own)."""
    if isinstance(error, ScimError):
        status, scim_type = error.status, error.scim_type
    else:
        status = error.http_status
        scim_type = {400: INVALID_VALUE, 409: UNIQUENESS}.get(status)
        if error.code in (ErrorCode.EMAIL_TAKEN, ErrorCode.NAME_ALREADY_EXISTS, ErrorCode.HANDLE_ALREADY_EXISTS):
            status, scim_type = 409, UNIQUENESS
        elif error.code == ErrorCode.LAST_OWNER:
            status, scim_type = 400, MUTABILITY
    body: dict[str, object] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": error.message}
    if scim_type:
        body["scimType"] = scim_type
    return status, body
