"""bots.info: a bot user of this workspace, as Slack describes it (with its app's id when it has one)."""

from __future__ import annotations

from slack_api.core import Context, SlackError, method
from slack_apps.selectors import app_of_bot
from workspaces.models import Membership


@method("bots.info", scopes=("users:read",))
def bots_info(ctx: Context) -> dict:
    bot_id = ctx.args.str("bot")
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=ctx.workspace, user__public_id=bot_id, user__is_bot=True)
        .first()
        if bot_id
        else None
    )
    if membership is None:
        raise SlackError("bot_not_found")
    bot = membership.user
    app = app_of_bot(bot)
    image = bot.avatar.url if bot.avatar else ""
    return {
        "bot": {
            "id": bot.public_id,
            "deleted": not (bot.is_active and membership.is_active),
            "name": bot.name,
            "updated": int(bot.date_joined.timestamp()),
            "app_id": app.public_id if app is not None and app.workspace_id == ctx.workspace.pk else "",
            "user_id": bot.public_id,
            "icons": {"image_36": image, "image_48": image, "image_72": image},
        }
    }
