"""Modals and Home tabs: what an app shows one person (views.open, views.push, views.update, views.publish).

A modal opens only in front of someone who just did something with the app (a trigger_id, 3 seconds,
once: slack_apps.triggers) and reaches only their sockets. Modals stack up to MAX_STACK; the person
submits one (slack_apps.submissions) or closes it. A Home tab is one view per app and person, replaced
by each views.publish.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from realtime.event_types import AppHomeUpdatedEvent, ViewEvent, ViewsClearedEvent, ViewWire
from realtime.transport import publish, user_group
from slack_apps.models import App, View, ViewKind
from slack_apps.triggers import trigger_exchange
from slack_apps.view_wire import ViewSpec, new_hash, view_spec, view_to_wire
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership

if TYPE_CHECKING:
    from datetime import datetime

MAX_STACK = 3


def view_not_found() -> DomainError:
    return DomainError(ErrorCode.VIEW_NOT_FOUND, "No such view.")


def _send_view_event(view: View, kind: str) -> None:
    workspace = view.app.workspace.public_id
    wire = cast(ViewWire, view_to_wire(view))
    if view.kind == ViewKind.HOME:
        event: Any = AppHomeUpdatedEvent(
            type="app_home_updated", workspace=workspace, app_id=view.app.public_id, view=wire
        )
    else:
        event = ViewEvent(type=kind, workspace=workspace, view=wire)  # type: ignore[typeddict-item]
    transaction.on_commit(lambda: publish([user_group(view.user)], event, workspace=workspace))


def send_views_cleared(view: View) -> None:
    workspace = view.app.workspace.public_id
    event = ViewsClearedEvent(type="views_cleared", workspace=workspace, root_view_id=(view.root or view).public_id)
    transaction.on_commit(lambda: publish([user_group(view.user)], event, workspace=workspace))


def _check_external_id(app: App, spec: ViewSpec, keep: View | None = None) -> None:
    if not spec.external_id:
        return
    taken = View.objects.filter(app=app, external_id=spec.external_id, closed_at__isnull=True)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if taken.exists():
        raise DomainError(ErrorCode.DUPLICATE_EXTERNAL_ID, "Another open view of this app has that external_id.")


def _person_of(app: App, user_pk: int) -> User:
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None or not Membership.objects.filter(workspace=app.workspace, user=user, is_active=True).exists():
        raise DomainError(ErrorCode.INVALID_TRIGGER_ID, "That person is no longer here.")
    return user


def _new_view(app: App, user: User, spec: ViewSpec, *, root: View | None, previous: View | None) -> View:
    view = View.objects.create(
        app=app,
        user=user,
        kind=spec.kind,
        root=root,
        previous=previous,
        external_id=spec.external_id,
        hash=new_hash(),
        **spec.fields(),
    )
    if root is None:
        view.root = view
        View.objects.filter(pk=view.pk).update(root=view)
    return view


@transaction.atomic
def view_open(*, app: App, trigger_id: str, view: Any, now: datetime | None = None) -> View:
    """Open a modal in front of the person whose trigger_id it is, in place of any the app had open for them.

    Callers: the app (views.open), with a trigger_id it was given in the last 3 seconds.
    Raises: invalid_trigger_id, expired_trigger_id, exchanged_trigger_id, invalid_arguments,
    invalid_blocks, view_too_large, duplicate_external_id.
    Events: view_opened, to that person's sockets.
    """
    spec = view_spec(view)
    trigger = trigger_exchange(trigger_id=trigger_id, app_pk=app.pk, now=now)
    user = _person_of(app, trigger.user_pk)
    _check_external_id(app, spec)
    View.objects.filter(app=app, user=user, kind=ViewKind.MODAL, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    opened = _new_view(app, user, spec, root=None, previous=None)
    _send_view_event(opened, "view_opened")
    return opened


def _open_stack(root_pk: int) -> list[View]:
    return list(View.objects.filter(root_id=root_pk, closed_at__isnull=True).order_by("pk"))


def view_push_on(top: View, spec: ViewSpec) -> View:
    """Push a view on the stack whose top is `top` (views.push, or a submission's response_action push).

    Raises: push_limit_reached, duplicate_external_id. Events: view_pushed.
    """
    if len(_open_stack(top.root_id or top.pk)) >= MAX_STACK:
        raise DomainError(
            ErrorCode.PUSH_LIMIT_REACHED,
            "A modal stack holds at most %(max_stack)s views.",
            params={"max_stack": MAX_STACK},
        )
    _check_external_id(top.app, spec)
    pushed = _new_view(top.app, top.user, spec, root=top.root or top, previous=top)
    _send_view_event(pushed, "view_pushed")
    return pushed


@transaction.atomic
def view_push(*, app: App, trigger_id: str, view: Any, now: datetime | None = None) -> View:
    """Push a modal on the stack where the person just acted (a trigger_id from an interaction in a modal).

    Callers: the app (views.push). Raises: invalid_trigger_id (not from a modal, or that modal is closed),
    expired_trigger_id, exchanged_trigger_id, push_limit_reached, invalid_arguments, invalid_blocks,
    view_too_large, duplicate_external_id.
    Events: view_pushed.
    """
    spec = view_spec(view)
    trigger = trigger_exchange(trigger_id=trigger_id, app_pk=app.pk, now=now)
    top = (
        View.objects.select_for_update().filter(pk=trigger.view_pk, app=app, closed_at__isnull=True).first()
        if trigger.view_pk
        else None
    )
    if top is None:
        raise DomainError(ErrorCode.INVALID_TRIGGER_ID, "views.push needs a trigger_id from an open modal.")
    return view_push_on(top, spec)


def apply_update(target: View, spec: ViewSpec) -> View:
    """Replace a view's content in place (views.update, or a submission's response_action update)."""
    _check_external_id(target.app, spec, keep=target)
    for name, value in spec.fields().items():
        setattr(target, name, value)
    if spec.external_id:
        target.external_id = spec.external_id
    target.hash, target.updated_at = new_hash(), timezone.now()
    target.save()
    _send_view_event(target, "view_updated")
    return target


@transaction.atomic
def view_update(*, app: App, view: Any, view_id: str = "", external_id: str = "", hash: str = "") -> View:
    """Change an open modal or a Home tab of the app's, found by view_id or external_id.

    Callers: the app (views.update). Raises: view_not_found (unknown, closed or another app's),
    hash_conflict (`hash` given and the view changed since), invalid_arguments, invalid_blocks,
    view_too_large, duplicate_external_id.
    Events: view_updated (app_home_updated for a Home tab).
    """
    if bool(view_id) == bool(external_id):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Give view_id or external_id.", fields={"view_id": "required"})
    found = View.objects.select_for_update().select_related("app__workspace", "app__bot_user", "user")
    found = found.filter(app=app, closed_at__isnull=True)
    target = (found.filter(public_id=view_id) if view_id else found.filter(external_id=external_id)).first()
    if target is None:
        raise view_not_found()
    spec = view_spec(view, kinds=(target.kind,))
    if hash and hash != target.hash:
        raise DomainError(ErrorCode.HASH_CONFLICT, "The view has changed since that hash.")
    return apply_update(target, spec)


@transaction.atomic
def view_publish(*, app: App, user: User, view: Any, hash: str = "") -> View:
    """Set a person's Home tab of the app.

    Callers: the app (views.publish). Raises: user_not_found (not an active member of the app's
    workspace), hash_conflict, invalid_arguments, invalid_blocks, view_too_large.
    Events: app_home_updated, to that person's sockets.
    """
    if not Membership.objects.filter(workspace=app.workspace, user=user, is_active=True).exists() or user.is_bot:
        raise DomainError(ErrorCode.USER_NOT_FOUND, "No such person in this workspace.")
    spec = view_spec(view, kinds=("home",))
    home = View.objects.select_for_update().filter(app=app, user=user, kind=ViewKind.HOME).first()
    if home is None:
        home = _new_view(app, user, spec, root=None, previous=None)
        _send_view_event(home, "app_home_updated")
        return home
    if hash and hash != home.hash:
        raise DomainError(ErrorCode.HASH_CONFLICT, "The Home tab has changed since that hash.")
    return apply_update(home, spec)


def open_view_of(*, actor: User, view_id: Any, kinds: tuple[str, ...] = (ViewKind.MODAL,)) -> View:
    """A view shown to `actor`, still open, of an enabled app. Raises view_not_found for any other."""
    view = (
        View.objects.select_related("app__workspace", "app__bot_user", "user", "root", "previous")
        .filter(public_id=view_id, user=actor, kind__in=kinds, closed_at__isnull=True, app__disabled_at__isnull=True)
        .first()
        if isinstance(view_id, str)
        else None
    )
    if view is None or not actor.is_active:
        raise view_not_found()
    return view


def close_stack(view: View) -> None:
    """Close every open view of the stack `view` is in (a submission without an answer, `clear`)."""
    View.objects.filter(root_id=view.root_id or view.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    send_views_cleared(view)


def views_forget_closed(*, now: datetime | None = None) -> int:
    """Delete the modals closed a day or more ago. Callers: beat's sweep (slack_apps.tasks). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = View.objects.filter(closed_at__lt=cutoff).delete()
    return deleted
