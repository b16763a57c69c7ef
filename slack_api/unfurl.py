"""chat.unfurl: an app's unfurls of the links link_shared told it of (slack_apps.unfurl)."""

from __future__ import annotations

from chat import selectors
from slack_api.core import Context, SlackError, method
from slack_api.lookups import channel_by_reference, message_arg
from slack_apps.selectors import app_of_bot
from slack_apps.unfurl import SOURCE, app_unfurl, parse_unfurl_id


@method("chat.unfurl", write=True, scopes=("links:write",))
def unfurl(ctx: Context) -> dict:
    """`channel` and `ts`, or `unfurl_id` and `source` (conversations_history) from link_shared; `unfurls`: a
    JSON object of link -> attachment (Block Kit `blocks` allowed). Only an app's bot unfurls, and only links
    of its unfurl_domains that the message holds (cant_unfurl_url). user_auth_* arguments are ignored."""
    app = app_of_bot(ctx.user)
    if app is None or app.is_disabled:
        raise SlackError("cant_unfurl_url")
    raw_id = ctx.args.str("unfurl_id")
    if raw_id and not ctx.args.str("channel"):
        if ctx.args.str("source", SOURCE) != SOURCE:
            raise SlackError("invalid_source")
        channel_id, ts = parse_unfurl_id(raw_id)
        channel = channel_by_reference(ctx, channel_id)
        message = selectors.message_get(channel=channel, ts=ts)
    else:
        channel = channel_by_reference(ctx, ctx.args.str("channel"))
        message = message_arg(ctx, channel)
    unfurls = ctx.args.data.get("unfurls")
    if unfurls is None or unfurls == "":
        raise SlackError("invalid_unfurls")
    app.bot_user = ctx.user
    app_unfurl(app=app, channel=channel, message=message, unfurls=unfurls)
    return {}
