"""chat.command (a person running a slash command, as Slack's own clients do) and the response_url that
an app's command answers are posted to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from slack_api.core import Context, method
from slack_api.lookups import channel_arg
from slack_apps.commands import command_run, respond
from slackclone.errors import DomainError, ErrorCode


@method("chat.command", write=True, user_token_only=True)
def chat_command(ctx: Context) -> dict:
    result = command_run(
        actor=ctx.user,
        channel=channel_arg(ctx),
        command=ctx.args.str("command", required=True),
        text=ctx.args.str("text"),
        thread_ts=ctx.args.str("thread_ts"),
    )
    body: dict = {"response": result.text}
    if result.posted is not None:
        body["ts"] = result.posted.ts
    return body


# Slack's plain-text answers to a response_url.
RESPONSE_URL_ERRORS = {
    ErrorCode.NOT_FOUND: ("no_service", 404),
    ErrorCode.USED_URL: ("used_url", 410),
    ErrorCode.EXPIRED_URL: ("expired_url", 410),
}


@csrf_exempt
@require_POST
def response_url(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        respond(secret=secret, body=request.body)
    except DomainError as error:
        name, status = RESPONSE_URL_ERRORS.get(error.code, (error.code.value, 400))
        return HttpResponse(name, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
