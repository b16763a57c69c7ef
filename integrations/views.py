"""The incoming-webhook endpoint (POST /hooks/<T…>/<B…>/<secret>) and the workspace admin page for
webhooks and bots (/<slug>/admin/integrations/). All are thin adapters over integrations.services.

The endpoint answers as Slack's does: a plain-text body, "ok" on success, else an error name
with its status (400 invalid_payload / no_text, 403 action_prohibited, 404 channel_not_found
or no_service, 410 channel_is_archived, 429 rate_limited with Retry-After).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from chat.models import NAMED_KINDS, Channel
from chat.selectors import visible_channel_ids
from integrations import selectors, services
from integrations.forms import BotCreateForm, WebhookCreateForm
from integrations.payloads import WebhookRejected, parse_webhook_request
from slackclone.api.ratelimit import retry_after_if_limited
from slackclone.errors import DomainError, ErrorCode
from workspaces.views.common import admin_workspace

WEBHOOK_RATE_GROUP = "integrations.webhook"
# Our error codes as Slack's webhook answers them.
WEBHOOK_ERRORS: dict[str, tuple[str, int]] = {
    ErrorCode.CHANNEL_NOT_FOUND: ("channel_not_found", 404),
    ErrorCode.IS_ARCHIVED: ("channel_is_archived", 410),
    ErrorCode.NOT_IN_CHANNEL: ("action_prohibited", 403),
    ErrorCode.ACCOUNT_INACTIVE: ("action_prohibited", 403),
    ErrorCode.RESTRICTED_ACTION: ("action_prohibited", 403),
    ErrorCode.WORKSPACE_NOT_FOUND: ("action_prohibited", 403),
    ErrorCode.NO_TEXT: ("no_text", 400),
    ErrorCode.MSG_TOO_LONG: ("msg_too_long", 400),
    ErrorCode.THREAD_NOT_FOUND: ("invalid_thread_ts", 400),
    ErrorCode.INVALID_BLOCKS: ("invalid_blocks", 400),
    ErrorCode.INVALID_ATTACHMENTS: ("invalid_attachments", 400),
}


def _plain(body: str, status: int = 200, retry_after: int | None = None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _check_rate(request: HttpRequest, hook_id: str) -> None:
    """Per webhook, like Slack's one message a second with short bursts allowed (settings.WEBHOOK_RATE)."""
    retry_after = retry_after_if_limited(request, group=WEBHOOK_RATE_GROUP, key=hook_id, rate=settings.WEBHOOK_RATE)
    if retry_after is not None:
        raise WebhookRejected("rate_limited", 429, retry_after=retry_after)


@csrf_exempt
@require_POST
def incoming_webhook(request: HttpRequest, team_id: str, hook_id: str, secret: str) -> HttpResponse:
    webhook = selectors.webhook_for_url(team_id=team_id, hook_id=hook_id, secret=secret)
    if webhook is None:
        return _plain("no_service", 404)
    try:
        _check_rate(request, webhook.public_id)
        post = parse_webhook_request(request)
        services.webhook_post(webhook=webhook, post=post)
    except RequestDataTooBig:
        return _plain("request_too_large", 413)
    except WebhookRejected as rejected:
        return _plain(rejected.error, rejected.status, retry_after=rejected.retry_after)
    except DomainError as error:
        name, status = WEBHOOK_ERRORS.get(error.code, ("invalid_payload", 400))
        return _plain(name, status)
    return _plain("ok")


# --- The admin page --------------------------------------------------------------------------


def _channel_choices(request: AuthenticatedHttpRequest, workspace, membership) -> list[tuple[str, str]]:
    """Named, unarchived channels the admin can see (a private one only if they are in it)."""
    ids = visible_channel_ids(user=request.user, workspace=workspace, is_guest=membership.is_guest)
    channels = Channel.objects.filter(id__in=ids, kind__in=NAMED_KINDS, is_archived=False).order_by("name")
    return [(channel.public_id, f"#{channel.name}") for channel in channels]


def _page(request: AuthenticatedHttpRequest, workspace, membership, status: int = 200, **context) -> HttpResponse:
    channels = _channel_choices(request, workspace, membership)
    context.setdefault("form", WebhookCreateForm(channels=channels))
    context.setdefault("bot_form", BotCreateForm())
    context.update(
        workspace=workspace,
        webhooks=selectors.workspace_webhooks(actor=request.user, workspace=workspace),
        bots=selectors.workspace_bots(actor=request.user, workspace=workspace),
        section="integrations",
    )
    return render(request, "integrations/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """List the workspace's webhooks and bots; create a webhook (its URL is shown on this answer only)."""
    workspace, membership = admin_workspace(request, workspace_slug)
    if request.method == "GET":
        return _page(request, workspace, membership)
    form = WebhookCreateForm(request.POST, channels=_channel_choices(request, workspace, membership))
    if form.is_valid():
        try:
            webhook, secret = services.webhook_create(
                actor=request.user, channel=form.chosen_channel(workspace), name=form.cleaned_data["name"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            url = request.build_absolute_uri(webhook.url_path(secret))
            return _page(request, workspace, membership, status=201, created_url=url)
    return _page(request, workspace, membership, status=400, form=form)


@login_required
@require_POST
def bot_create_page(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Create a bot user and its first token (shown on this answer only)."""
    workspace, membership = admin_workspace(request, workspace_slug)
    form = BotCreateForm(request.POST)
    if form.is_valid():
        try:
            bot, token = services.bot_create(actor=request.user, workspace=workspace, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _page(request, workspace, membership, status=201, created_bot=bot, created_token=token)
    return _page(request, workspace, membership, status=400, bot_form=form)


@login_required
@require_POST
def webhook_revoke_page(request: AuthenticatedHttpRequest, workspace_slug: str, hook_id: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    try:
        webhook = selectors.webhook_get(actor=request.user, workspace=workspace, public_id=hook_id)
        services.webhook_revoke(actor=request.user, webhook=webhook)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The webhook “%(name)s” no longer works.") % {"name": webhook.name})
    return redirect("integrations:webhooks", workspace_slug=workspace_slug)
