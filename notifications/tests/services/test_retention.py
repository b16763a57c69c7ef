"""Retention: old messages, their files and what hangs off them go, in batches, with an audit record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment, Mention, Message, Pin, Reaction
from chat.services import file_upload, message_post, pin_add, reaction_add
from notifications.models import Notification, RetentionRun
from notifications.services import notify_message_posted, retention_apply, retention_apply_all
from notifications.tests.conftest import NOON
from realtime.transport import channel_group
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

OLD = NOON - timedelta(days=40)


def post(team, text, *, at, sender=None, **kwargs) -> Message:
    message = message_post(sender=sender or team.member, channel=team.general, text=text, **kwargs)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def keep_for(team, days=30, keeps_pins=True) -> Workspace:
    Workspace.objects.filter(pk=team.workspace.pk).update(retention_days=days, retention_keeps_pins=keeps_pins)
    team.workspace.refresh_from_db()
    return team.workspace


def texts() -> list[str]:
    return sorted(Message.objects.values_list("text", flat=True))


def test_messages_older_than_the_retention_period_are_deleted_with_what_hangs_off_them(team):
    old = post(team, f"old <@{team.owner.public_id}>", at=OLD)
    reaction_add(actor=team.owner, message=old, emoji="eyes")
    notify_message_posted(message_id=old.pk, now=NOON)
    post(team, "recent", at=NOON - timedelta(days=1))

    run = retention_apply(workspace=keep_for(team), now=NOON)

    assert texts() == ["recent"]
    assert not Mention.objects.filter(message_id=old.pk).exists()
    assert not Reaction.objects.exists()
    assert not Notification.objects.exists()
    assert (run.messages_deleted, run.batches, run.cutoff) == (1, 1, NOON - timedelta(days=30))
    assert run.finished_at is not None


def test_deletion_runs_in_batches(team):
    for n in range(7):
        post(team, f"old {n}", at=OLD)

    run = retention_apply(workspace=keep_for(team), now=NOON, batch_size=3)

    assert (run.messages_deleted, run.batches) == (7, 3)
    assert texts() == []


def test_pinned_messages_stay_when_the_workspace_keeps_pins(team):
    pinned = post(team, "pinned", at=OLD)
    pin_add(actor=team.owner, message=pinned)
    post(team, "unpinned", at=OLD)

    run = retention_apply(workspace=keep_for(team, keeps_pins=True), now=NOON)

    assert texts() == ["pinned"]
    assert run.pinned_kept == 1


def test_pinned_messages_go_too_when_the_workspace_says_so(team):
    pin_add(actor=team.owner, message=post(team, "pinned", at=OLD))

    retention_apply(workspace=keep_for(team, keeps_pins=False), now=NOON)

    assert texts() == []
    assert not Pin.objects.exists()


def test_files_of_deleted_messages_are_removed_from_storage(
    team, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    shared = file_upload(actor=team.member, channel=team.general, upload=SimpleUploadedFile("notes.txt", b"old notes"))
    Message.objects.filter(pk=shared.pk).update(created_at=OLD)
    stored = Path(tmp_path) / Attachment.objects.get().file.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply(workspace=keep_for(team), now=NOON)

    assert run.files_deleted == 1
    assert not Attachment.objects.exists()
    assert not stored.exists()


def test_a_thread_with_a_recent_reply_keeps_its_root_and_loses_its_old_replies(team):
    root = post(team, "root", at=OLD)
    post(team, "old reply", at=OLD, sender=team.owner, thread_ts=root.ts)
    post(team, "new reply", at=NOON - timedelta(days=1), sender=team.admin, thread_ts=root.ts)

    run = retention_apply(workspace=keep_for(team), now=NOON)

    assert texts() == ["new reply", "root"]
    root.refresh_from_db()
    assert root.reply_count == 1
    assert run.threads_kept == 1


def test_an_old_thread_goes_whole(team):
    root = post(team, "root", at=OLD)
    post(team, "reply", at=OLD, sender=team.owner, thread_ts=root.ts)

    run = retention_apply(workspace=keep_for(team), now=NOON)

    assert texts() == []
    assert run.messages_deleted == 2


def test_workspaces_without_a_retention_period_keep_everything(team):
    post(team, "ancient", at=NOON - timedelta(days=3650))

    assert retention_apply_all(now=NOON) == []
    assert texts() == ["ancient"]
    assert not RetentionRun.objects.exists()


def test_open_clients_are_told_of_each_message_retention_deletes(
    team, layer_listener, django_capture_on_commit_callbacks
):
    old = post(team, "old", at=OLD)
    post(team, "recent", at=NOON - timedelta(days=1))
    listener = layer_listener(channel_group(team.general))

    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(workspace=keep_for(team), now=NOON)

    event = listener.receive_event()
    assert (event["type"], event["subtype"], event["deleted_ts"]) == ("message", "message_deleted", old.ts)
    assert event["channel"] == team.general.public_id
    assert listener.drain() == []
