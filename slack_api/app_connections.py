"""apps.connections.open: a Socket Mode WebSocket URL for an app, with a one-time ticket.

Slack takes only an app-level token (xapp-…) here, in the Authorization header; a bot or user token
is answered not_allowed_token_type. The URL is good for one socket, for about 30 seconds.
"""

from __future__ import annotations

from redis.exceptions import RedisError

from realtime.tickets import issue_ticket
from slack_api.core import Context, SlackError, method
from slack_apps.selectors import app_for_app_token
from slack_apps.socket_mode import TICKET_PREFIX
from slackclone.errors import DomainError

SOCKET_MODE_PATH = "/apps/socket-mode/"


@method("apps.connections.open", auth=False, write=True)
def connections_open(ctx: Context) -> dict:
    header = ctx.request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not raw.startswith("xapp-"):
        raise SlackError("not_allowed_token_type" if raw or "token" in ctx.args else "not_authed")
    try:
        app = app_for_app_token(raw)
    except DomainError:
        raise SlackError("invalid_auth") from None
    if not app.socket_mode:
        raise SlackError("socket_mode_not_enabled")
    try:
        ticket = issue_ticket(TICKET_PREFIX, app.pk)
    except (RedisError, OSError):
        raise SlackError("internal_error") from None
    scheme = "wss" if ctx.request.is_secure() else "ws"
    return {"url": f"{scheme}://{ctx.request.get_host()}{SOCKET_MODE_PATH}?ticket={ticket}&app_id={app.public_id}"}
