"""How large a request body may be, by route, decided before the body is read (slackclone/asgi_http.py).

Every route takes up to settings.REQUEST_BODY_MAX_BYTES (4 MiB by default). That is well above the largest
request Slack's own limits allow for a message: 40,000 characters of text are at most 160 KB of UTF-8 and
480 KB once form-encoded, and 50 blocks of up to 3,000 characters each stay under 3 MB even escaped as JSON
inside a form. The routes that take a file take its size limit plus room for the multipart framing and the
text fields beside it: the REST upload, Slack's files.upload and the one-time upload URLs of
files.getUploadURLExternal take settings.FILE_UPLOAD_MAX_BYTES; avatars and workspace icons (on their pages
and in the Django admin) take slackclone.images.IMAGE_MAX_BYTES. (Slack exports are imported from the
command line, never uploaded.)

The route is looked up (a URL resolution) only for a body larger than the default, so an ordinary request
pays nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import Resolver404, resolve

from slackclone.images import IMAGE_MAX_BYTES

# The multipart framing and the form fields sent with a file (a message's text, a thread, a title).
UPLOAD_OVERHEAD_BYTES = 1024 * 1024
FILE, IMAGE = "file", "image"
UPLOAD_ROUTES = {
    "api:channel-files": FILE,
    "slack_api:external-upload": FILE,
    "accounts:avatar": IMAGE,
    "workspaces:admin-icon": IMAGE,
    "admin:accounts_user_change": IMAGE,
    "admin:workspaces_workspace_change": IMAGE,
}
SLACK_METHOD_ROUTE = "slack_api:method"
# SCIM provisioning takes smaller bodies (settings.SCIM_REQUEST_BODY_MAX_BYTES) and answers in SCIM's shape.
SCIM_PATH_PREFIX = "/scim/"
SLACK_UPLOAD_METHODS = {"files.upload": FILE}


def _upload_limit(kind: str) -> int:
    content = settings.FILE_UPLOAD_MAX_BYTES if kind == FILE else IMAGE_MAX_BYTES
    return content + UPLOAD_OVERHEAD_BYTES


@dataclass
class BodyLimit:
    """The body limit of one request's route, looked up only once a body is larger than the default."""

    path: str
    _route: tuple[str, dict] | None = field(default=None, init=False)

    @property
    def route(self) -> tuple[str, dict]:
        """(URL name, its arguments), or ("", {}) for a path no route takes."""
        if self._route is None:
            try:
                match = resolve(self.path)
                self._route = (match.view_name, match.kwargs)
            except Resolver404:
                self._route = ("", {})
        return self._route

    @property
    def is_scim(self) -> bool:
        """A SCIM request, told by its path alone (no URL resolution)."""
        return self.path.startswith(SCIM_PATH_PREFIX)

    @property
    def is_slack_web_api(self) -> bool:
        return self.route[0] == SLACK_METHOD_ROUTE

    def _upload_kind(self) -> str | None:
        name, kwargs = self.route
        if name == SLACK_METHOD_ROUTE:
            return SLACK_UPLOAD_METHODS.get(kwargs.get("method", ""))
        return UPLOAD_ROUTES.get(name)

    def largest(self) -> int:
        """The most bytes this route's body may have."""
        if self.is_scim:
            return settings.SCIM_REQUEST_BODY_MAX_BYTES
        kind = self._upload_kind()
        return _upload_limit(kind) if kind else settings.REQUEST_BODY_MAX_BYTES

    def allows(self, size: int) -> bool:
        """Whether a body of `size` bytes may be read (the route is looked up only past the default)."""
        if self.is_scim:
            return size <= settings.SCIM_REQUEST_BODY_MAX_BYTES
        return size <= settings.REQUEST_BODY_MAX_BYTES or size <= self.largest()
