"""api.test, auth.test, team.info, rtm.connect."""

from __future__ import annotations

from django.conf import settings
from redis.exceptions import RedisError

from realtime.tickets import ticket_issue
from slack_api.core import Context, SlackError, method


def team_url(workspace) -> str:
    return f"{settings.SITE_URL}/{workspace.slug}/"


@method("api.test", auth=False)
def api_test(ctx: Context) -> dict:
    """Echoes its arguments; `error` makes it fail with that error, as Slack's does."""
    args = {key: value for key, value in ctx.args.data.items() if key != "token"}
    if ctx.args.str("error"):
        raise SlackError(ctx.args.str("error"), args=args)
    return {"args": args}


@method("auth.test")
def auth_test(ctx: Context) -> dict:
    body = {
        "url": team_url(ctx.workspace),
        "team": ctx.workspace.name,
        "user": ctx.user.email.split("@", 1)[0],
        "team_id": ctx.workspace.public_id,
        "user_id": ctx.user.public_id,
        "is_enterprise_install": False,
    }
    if ctx.user.is_bot:
        body["bot_id"] = ctx.user.public_id
    return body


@method("team.info", scopes=("team:read",))
def team_info(ctx: Context) -> dict:
    workspace = ctx.workspace
    icon = getattr(workspace, "icon", None)
    return {
        "team": {
            "id": workspace.public_id,
            "name": workspace.name,
            "domain": workspace.slug,
            "url": team_url(workspace),
            "icon": {"image_default": not icon, "image_132": icon.url if icon else ""},
        }
    }


@method("rtm.connect", classic_only=True)
def rtm_connect(ctx: Context) -> dict:
    """The socket's URL on this host, with a one-time ticket (about 30 s) standing for the token."""
    request = ctx.request
    scheme = "wss" if request.is_secure() else "ws"
    workspace = ctx.workspace
    try:
        ticket = ticket_issue(ctx.api_token)
    except (RedisError, OSError):
        # The ticket store is down: Slack's answer for "try again later", never a 500.
        raise SlackError("internal_error") from None
    return {
        "url": f"{scheme}://{request.get_host()}/ws/?ticket={ticket}",
        "self": {"id": ctx.user.public_id, "name": ctx.user.email.split("@", 1)[0]},
        "team": {"id": workspace.public_id, "name": workspace.name, "domain": workspace.slug},
    }
