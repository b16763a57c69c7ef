"""Read receipts over the REST API: on the newest history page and their own endpoint, and nowhere they
do not belong (channels, another workspace, a DM one is not in, a guest outside their own DMs)."""

from __future__ import annotations

import pytest

from chat.services import channel_mark_read, dm_open, message_post
from slackclone.testing.api import error_code
from slackclone.testing.factories import workspace_with_owner
from workspaces.services import workspace_set_read_receipts

pytestmark = pytest.mark.django_db


@pytest.fixture
def on(team):
    workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled=True)
    return team


def _seen_dm(team, author, reader, *others):
    dm, _ = dm_open(actor=author, workspace=team.workspace, users=[reader, *others])
    message_post(sender=author, channel=dm, text="hi")
    channel_mark_read(actor=reader, channel=dm, seq=1)
    return dm


def test_the_newest_history_page_and_the_endpoint_say_who_has_seen_it(on, client_for):
    team = on
    dm = _seen_dm(team, team.owner, team.member)
    client = client_for(team.owner)
    expected = {"seq": 1, "seen_by": [team.member.public_id]}
    assert client.get(f"/api/v1/channels/{dm.public_id}/messages").json()["read_receipts"] == expected
    body = client.get(f"/api/v1/channels/{dm.public_id}/read-receipts").json()
    assert body == {"channel": dm.public_id, "read_receipts": expected}
    older = client.get(f"/api/v1/channels/{dm.public_id}/messages", {"before": 1}).json()
    assert "read_receipts" not in older


def test_channels_have_none(on, client_for):
    team = on
    message_post(sender=team.owner, channel=team.general, text="hi")
    channel_mark_read(actor=team.member, channel=team.general, seq=1)
    client = client_for(team.owner)
    assert client.get(f"/api/v1/channels/{team.general.public_id}/messages").json()["read_receipts"] is None
    body = client.get(f"/api/v1/channels/{team.general.public_id}/read-receipts").json()
    assert body["read_receipts"] is None


def test_with_the_setting_off_a_dm_has_none(team, client_for):
    dm = _seen_dm(team, team.owner, team.member)
    body = client_for(team.owner).get(f"/api/v1/channels/{dm.public_id}/read-receipts").json()
    assert body["read_receipts"] is None


def test_someone_not_in_the_dm_gets_channel_not_found(on, client_for, outsider):
    team = on
    dm = _seen_dm(team, team.owner, team.member)
    for person in (team.other_member, team.admin, team.guest, outsider):
        response = client_for(person).get(f"/api/v1/channels/{dm.public_id}/read-receipts")
        assert (response.status_code, error_code(response)) == (404, "channel_not_found")


def test_a_token_of_another_workspace_gets_channel_not_found(on, client_for):
    team = on
    dm = _seen_dm(team, team.owner, team.member)
    elsewhere = workspace_with_owner(team.owner)
    response = client_for(team.owner, elsewhere).get(f"/api/v1/channels/{dm.public_id}/read-receipts")
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")


def test_a_guest_sees_receipts_in_their_own_dm(on, client_for):
    team = on
    dm = _seen_dm(team, team.member, team.guest)  # members may write to a guest
    channel_mark_read(actor=team.guest, channel=dm, seq=0)
    message_post(sender=team.guest, channel=dm, text="thanks")
    channel_mark_read(actor=team.member, channel=dm, seq=2)
    body = client_for(team.guest).get(f"/api/v1/channels/{dm.public_id}/read-receipts").json()
    assert body["read_receipts"] == {"seq": 2, "seen_by": [team.member.public_id]}


def test_the_workspace_says_whether_it_shows_receipts(on, client_for):
    team = on
    body = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}").json()
    assert body["workspace"]["read_receipts"] is True


def test_me_preferences_turn_sending_off_and_refuse_what_is_not_a_boolean(team, client_for):
    client = client_for(team.member)
    assert client.get("/api/v1/me").json()["preferences"]["send_read_receipts"] is True
    body = client.patch("/api/v1/me/preferences", {"send_read_receipts": False}).json()
    assert body["preferences"]["send_read_receipts"] is False
    team.member.refresh_from_db()
    assert team.member.send_read_receipts is False
    response = client.patch("/api/v1/me/preferences", {"send_read_receipts": "perhaps"})
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")
    assert "send_read_receipts" in response.json()["error"]["fields"]
