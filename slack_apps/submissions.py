"""What a person does in an app's modal or Home tab: submit it (view_submission, whose ack may answer with
errors, update, push or clear), close it (view_closed), act on its elements (block_actions), and open
the app's Home (app_home_opened)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from chat.models import Channel, ChannelKind
from chat.services import dm_open
from outbox.services import job_enqueue
from slack_apps import surfaces
from slack_apps.action_values import action_payload, state_values
from slack_apps.interactions import interaction_send
from slack_apps.interactivity import app_did_not_respond, person_wire, team_wire
from slack_apps.models import App, View, ViewKind
from slack_apps.outbox import write_app_home_opened
from slack_apps.triggers import trigger_issue
from slack_apps.view_wire import view_spec, view_to_wire
from slackclone.errors import DomainError, ErrorCode
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User

ERROR_TEXT_CHARS = 1000


@dataclass(frozen=True)
class SubmissionResult:
    """What the person's client does next: close the stack (None, clear), show `errors`, show `view`."""

    response_action: str | None
    errors: dict[str, str] = field(default_factory=dict)
    view: dict[str, Any] | None = None


def _view_payload(view: View, kind: str, actor: User) -> dict[str, Any]:
    workspace = view.app.workspace
    return {
        "type": kind,
        "team": team_wire(workspace),
        "user": person_wire(actor, workspace),
        "api_app_id": view.app.public_id,
        "token": "",
        "view": view_to_wire(view),
        "is_enterprise_install": False,
        "enterprise": None,
    }


def _checked_errors(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise DomainError(ErrorCode.APP_DID_NOT_RESPOND, "The app answered with errors Slackclone cannot show.")
    return {str(key)[:255]: str(value)[:ERROR_TEXT_CHARS] for key, value in raw.items()}


def view_submit(*, actor: User, view_id: str, state: Any) -> SubmissionResult:
    """Submit a modal: its inputs go to the app as view_submission, and its ack says what happens next.

    Callers: the person the modal is shown to. Raises: view_not_found (closed, another person's, a
    disabled app's), invalid_arguments (state), app_did_not_respond (no ack within 3 seconds, or an
    answer that cannot be shown; nothing changes).
    Events: views_cleared, view_updated or view_pushed, to the person's sockets, as the app answered.
    """
    view = surfaces.open_view_of(actor=actor, view_id=view_id)
    view.state = state_values(state)
    View.objects.filter(pk=view.pk).update(state=view.state)
    payload = _view_payload(view, "view_submission", actor)
    payload["trigger_id"] = trigger_issue(app_pk=view.app.pk, user_pk=actor.pk, view_pk=view.pk)
    payload["response_urls"] = []
    answer = interaction_send(view.app, payload)
    if not answer.acked:
        raise app_did_not_respond(view.app)
    body = answer.body or {}
    action = body.get("response_action")
    with transaction.atomic():
        if action == "errors":
            return SubmissionResult("errors", errors=_checked_errors(body.get("errors")))
        if action in ("update", "push"):
            try:
                spec = view_spec(body.get("view"))
            except DomainError as error:
                raise DomainError(
                    ErrorCode.APP_DID_NOT_RESPOND,
                    "The app's view is not valid: %(message)s",
                    params={"message": error.message},
                ) from None
            changed = surfaces.apply_update(view, spec) if action == "update" else surfaces.view_push_on(view, spec)
            return SubmissionResult(action, view=view_to_wire(changed))
        surfaces.close_stack(view)
        return SubmissionResult("clear" if action == "clear" else None)


def view_close(*, actor: User, view_id: str, clear: bool = False) -> None:
    """Close a modal (its close button, Escape): the one view, or its whole stack (`clear`, the X, or the
    view's clear_on_close).
    The app hears view_closed only if it asked (notify_on_close), after the commit, off the request.

    Callers: the person the modal is shown to. Raises: view_not_found.
    Events: views_cleared for the whole stack; none when only a pushed view goes (the client pops it).
    """
    with transaction.atomic():
        view = surfaces.open_view_of(actor=actor, view_id=view_id)
        cleared = clear or view.clear_on_close or view.previous_id is None
        if cleared:
            surfaces.close_stack(view)
        else:
            View.objects.filter(pk=view.pk).update(closed_at=timezone.now())
        if view.notify_on_close:
            payload = {**_view_payload(view, "view_closed", actor), "is_cleared": cleared}
            job_enqueue("slack_apps.send_interaction", view.app.pk, payload)


def view_action_send(*, actor: User, view_id: str, action: Any, state: Any) -> None:
    """Tell the app that `actor` clicked or chose something in its modal or Home tab (block_actions).

    Callers: the person the view is shown to. Raises: view_not_found, invalid_arguments (no such
    element, a choice not offered), app_did_not_respond.
    """
    view = surfaces.open_view_of(actor=actor, view_id=view_id, kinds=(ViewKind.MODAL, ViewKind.HOME))
    view.state = state_values(state)
    View.objects.filter(pk=view.pk).update(state=view.state)
    payload = _view_payload(view, "block_actions", actor)
    payload |= {
        "container": {"type": "view", "view_id": view.public_id},
        "trigger_id": trigger_issue(app_pk=view.app.pk, user_pk=actor.pk, view_pk=view.pk),
        "state": {"values": view.state},
        "actions": [action_payload(action, view.blocks, action_ts=f"{time.time():.6f}")],
    }
    if not interaction_send(view.app, payload).acked:
        raise app_did_not_respond(view.app)


def _enabled_app(actor: User, app_id: Any) -> App:
    app = (
        App.objects.select_related("workspace", "bot_user").filter(public_id=app_id, disabled_at__isnull=True).first()
        if isinstance(app_id, str)
        else None
    )
    if app is None:
        raise DomainError(ErrorCode.APP_NOT_FOUND, "App not found.")
    try:
        access_membership(actor, app.workspace)
    except DomainError as error:
        if error.code == ErrorCode.WORKSPACE_NOT_FOUND:
            raise DomainError(ErrorCode.APP_NOT_FOUND, "App not found.") from None
        raise
    return app


@dataclass(frozen=True)
class AppHome:
    app: App
    dm_channel: Channel | None
    view: View | None


def app_home(*, actor: User, app_id: str) -> AppHome:
    """The app's Home for `actor`: their Home tab if the app published one, and their DM with its bot.

    Callers: members of the app's workspace. Raises: app_not_found (no enabled app of a workspace of theirs).
    """
    app = _enabled_app(actor, app_id)
    dm_key = ",".join(sorted({actor.public_id, app.bot_user.public_id}))
    dm = Channel.objects.filter(workspace=app.workspace, kind=ChannelKind.DM, dm_key=dm_key).first()
    home = View.objects.filter(app=app, user=actor, kind=ViewKind.HOME).select_related("app__workspace").first()
    return AppHome(app=app, dm_channel=dm, view=home)


def app_home_opened(*, actor: User, app_id: str, tab: str) -> AppHome:
    """`actor` opened the app's Home or Messages tab: the app hears app_home_opened (if it subscribes).

    Callers: members of the app's workspace. Raises: app_not_found, invalid_arguments (tab), and what
    opening the DM with the bot raises (user_not_found for a guest who shares nothing with it).
    Events: im_created when the DM is new; app_home_opened to the app, through the outbox.
    """
    if tab not in ("home", "messages"):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "tab is home or messages.", fields={"tab": "invalid"})
    app = _enabled_app(actor, app_id)
    with transaction.atomic():
        dm, _created = dm_open(actor=actor, workspace=app.workspace, users=[app.bot_user])
        home = View.objects.filter(app=app, user=actor, kind=ViewKind.HOME).first()
        if "app_home_opened" in app.bot_events:
            event: dict[str, Any] = {
                "type": "app_home_opened",
                "user": actor.public_id,
                "channel": dm.public_id,
                "tab": tab,
            }
            if home is not None:
                event["view"] = view_to_wire(home)
            write_app_home_opened(dm, app, event)
    return AppHome(app=app, dm_channel=dm, view=home)
