"""/api/v1/: every app's REST routes, under the namespace `api`; anything else under it is a JSON 404."""

from django.urls import include, path, re_path, register_converter

from slackclone.api import converters
from slackclone.api.views import NotFoundView

register_converter(converters.PublicIdConverter, "pubid")
register_converter(converters.TsConverter, "ts")
register_converter(converters.TokenConverter, "invite")
register_converter(converters.EmojiConverter, "emoji")
register_converter(converters.EmojiImageKeyConverter, "emojikey")

app_name = "api"

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("workspaces.api.urls")),
    path("", include("chat.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("slack_apps.api.urls")),
    path("", include("audit.api.urls")),
    # Any path at all (a newline in it included), so nothing under /api/v1/ is answered in HTML.
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not-found"),
]
