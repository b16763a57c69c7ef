"""The dispatcher for /api/<method>: parse, authenticate, rate-limit, call the method, answer as Slack does."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from chat.services.external_uploads import external_upload_receive
from slack_api import (  # noqa: F401
    app_connections,
    app_views,
    auth,
    bots,
    chat,
    commands,
    conversations,
    emoji,
    files,
    pins,
    reactions,
    scheduled,
    search,
    stars,
    unfurl,
    usergroups,
    users,
)
from slack_api.core import (
    METHODS,
    Args,
    Context,
    SlackError,
    check_scopes,
    parse_json,
    slack_error_body,
    slack_error_name,
)
from slackclone.api.ratelimit import WRITE_GROUP, retry_after_if_limited  # one write budget per user, shared
from slackclone.db_unavailable import OUTAGE_CANDIDATES, database_outage
from slackclone.errors import DomainError, ErrorCode


def _arguments(request) -> dict:
    """Query string, then the body: JSON (Content-Type application/json) or form-encoded; empty is fine."""
    data: dict = {key: request.GET.get(key) for key in request.GET}
    if request.method == "POST":
        content_type = (request.content_type or "").lower()
        if content_type == "application/json":
            if request.body.strip():
                data.update(parse_json(request.body))
        else:
            data.update({key: request.POST.get(key) for key in request.POST})
    return data


def _token(request, args: Args) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return args.str("token")


def _authenticate(raw: str):
    from workspaces.tokens import api_token_authenticate

    if not raw:
        raise SlackError("not_authed")
    try:
        return api_token_authenticate(raw)
    except DomainError as error:
        raise SlackError(slack_error_name(error)) from None


def _check_rate(request, user_pk: int) -> None:
    retry_after = retry_after_if_limited(request, group=WRITE_GROUP, key=str(user_pk), rate=settings.API_WRITE_RATE)
    if retry_after is not None:
        raise SlackError("ratelimited", status=429, retry_after=retry_after)


def _answer(
    body: dict,
    status: int = 200,
    retry_after: int | None = None,
    scopes: tuple[list[str], tuple[str, ...]] | None = None,
) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    if scopes is not None:
        # Slack's headers on every answer to a scoped token: what it has, and what this method accepts.
        response["X-OAuth-Scopes"] = ",".join(scopes[0])
        response["X-Accepted-OAuth-Scopes"] = ",".join(scopes[1])
    return response


@csrf_exempt
def web_api(request, method: str):
    if request.method not in ("GET", "POST"):
        return _answer({"ok": False, "error": "method_not_supported"}, status=405)
    scopes = None
    try:
        found = METHODS.get(method)
        if found is None:
            raise SlackError("method_not_supported")
        args = Args(_arguments(request))
        token = None
        if found.auth:
            token = _authenticate(_token(request, args))
            if token.scopes is not None:
                scopes = (token.scopes, found.scopes)
            if found.user_token_only and token.user.is_bot:
                raise SlackError("not_allowed_token_type")
            check_scopes(found, token.scopes)
            if found.write:
                _check_rate(request, token.user_id)
        body = found.handler(Context(token=token, args=args, request=request))
    except RequestDataTooBig:
        return _answer({"ok": False, "error": "request_too_large"}, status=413)
    except SlackError as error:
        body = {"ok": False, "error": error.error, **error.extra}
        return _answer(body, error.status, error.retry_after, scopes=scopes)
    except OUTAGE_CANDIDATES as error:
        if (outage := database_outage(error)) is None:
            raise
        body = {"ok": False, "error": outage.code.value}
        return _answer(body, outage.http_status, outage.retry_after, scopes=scopes)
    except DomainError as error:
        return _answer(slack_error_body(error), scopes=scopes)
    return _answer({"ok": True, **body}, scopes=scopes)


UPLOAD_CHUNK_BYTES = 64 * 1024


def _uploaded_body(request) -> SimpleUploadedFile:
    """The bytes sent to an upload URL: a multipart `file`, or the raw body (slack_sdk sends it raw).
    Read in chunks, and no further than the size limit allows, whatever Content-Length claims."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(ErrorCode.INVALID_FILE, "Send the file as the body, or as the multipart field file.")
        return upload
    body, limit = bytearray(), settings.FILE_UPLOAD_MAX_BYTES
    while chunk := request.read(UPLOAD_CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            break  # check_upload refuses it as too large
    return SimpleUploadedFile("upload", bytes(body))


@csrf_exempt
def external_upload(request, secret: str):
    """The one-time URL files.getUploadURLExternal hands out: it takes one file's bytes, as Slack's does."""
    if request.method != "POST":
        return HttpResponse("Send the file with POST.", status=405, content_type="text/plain")
    try:
        upload = external_upload_receive(secret=secret, content=_uploaded_body(request))
    except DomainError as error:
        return HttpResponse(f"{error.code.value}: {error.message}", status=error.http_status, content_type="text/plain")
    return HttpResponse(f"OK - {upload.length}", content_type="text/plain")
