"""What the workspace's admins are told about their apps, as a DM from Slackbot."""

from __future__ import annotations

from chat.services import dm_open, message_post
from notifications.services.reminders import slackbot
from slack_apps.models import App
from workspaces.models import ADMIN_ROLES, Membership


def tell_admins_request_url_disabled(app: App) -> None:
    """Every active owner and admin hears that the app's events stopped, and how to start them again."""
    bot = slackbot(app.workspace)
    text = (
        f"Events to the app *{app.name}* ({app.public_id}) are switched off: its request URL "
        f"{app.request_url} failed {app.delivery_failures} deliveries in a row, each after Slack's retries. "
        f"Fix the app, then set its request URL again (`manage.py set_app_urls {app.public_id} --request-url …` "
        "or the workspace's admin pages) to turn them back on."
    )
    admins = Membership.objects.filter(
        workspace=app.workspace, is_active=True, role__in=ADMIN_ROLES, user__is_bot=False
    ).select_related("user")
    for membership in admins:
        channel, _ = dm_open(actor=bot, workspace=app.workspace, users=[membership.user])
        message_post(sender=bot, channel=channel, text=text)
