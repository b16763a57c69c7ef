"""Forwarding a message: the copy carries its source as Slack's share attachment; only what you can read
can be forwarded, and only where you can post."""

from __future__ import annotations

import pytest

from chat.models import Message
from chat.services import channel_archive, channel_create, message_delete, message_post
from slackclone.testing.api import error_code

pytestmark = pytest.mark.django_db


def forward(client, message, channel, comment: str = ""):
    url = f"/api/v1/channels/{message.channel.public_id}/messages/{message.ts}/forward"
    return client.post(url, {"channel": channel.public_id, "comment": comment}, format="json")


def test_the_copy_shows_its_source_and_the_comment(team, client_for):
    source = message_post(sender=team.owner, channel=team.general, text="launch on *Friday*")
    ops = channel_create(actor=team.member, workspace=team.workspace, name="ops")
    response = forward(client_for(team.member), source, ops, "heads up")
    assert response.status_code == 201
    copy = response.json()["message"]
    assert (copy["channel"], copy["user"], copy["text"]) == (ops.public_id, team.member.public_id, "heads up")
    (share,) = copy["attachments"]
    assert share["is_share"] is True
    assert (share["author_id"], share["channel_id"], share["ts"]) == (
        team.owner.public_id,
        team.general.public_id,
        source.ts,
    )
    assert share["text"] == "launch on *Friday*"
    assert share["from_url"].endswith(f"/archives/{team.general.public_id}/p{source.ts.replace('.', '')}")
    without_comment = forward(client_for(team.member), source, ops).json()["message"]
    assert without_comment["text"] == "launch on *Friday*"


def test_only_what_you_can_read_goes_only_where_you_can_post(team, client_for, outsider):
    private = channel_create(actor=team.other_member, workspace=team.workspace, name="plans", is_private=True)
    secret = message_post(sender=team.other_member, channel=private, text="secret")
    public = message_post(sender=team.owner, channel=team.general, text="public")
    for person in (team.member, team.admin, team.guest, outsider):
        response = forward(client_for(person), secret, team.general)
        assert (response.status_code, error_code(response)) == (404, "channel_not_found"), person
    response = forward(client_for(team.member), public, private)
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")
    response = forward(client_for(team.member), public, team.random)
    assert (response.status_code, error_code(response)) == (403, "not_in_channel")
    archived = channel_create(actor=team.member, workspace=team.workspace, name="old")
    channel_archive(actor=team.member, channel=archived)
    assert error_code(forward(client_for(team.member), public, archived)) == "is_archived"
    message_delete(actor=team.owner, message=public)
    assert error_code(forward(client_for(team.member), public, team.general)) == "message_not_found"
    assert Message.objects.filter(legacy_attachments__0__is_share=True).count() == 0
