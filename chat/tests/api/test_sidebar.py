"""The sidebar over the API: the layout on boot, sections, placing channels, Unreads; each person's alone."""

from __future__ import annotations

from chat.services import channel_create
from slackclone.testing.api import error_code


def _url(team, tail: str = "") -> str:
    return f"/api/v1/workspaces/{team.workspace.public_id}/sidebar{tail}"


def test_my_channels_come_with_my_sidebar_and_each_channels_latest_ts(team, client_for):
    body = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}/channels").json()
    assert [s["id"] for s in body["sidebar"]["sections"]] == ["channels", "direct_messages"]
    assert body["sidebar"]["show_unreads"] is False
    assert body["sidebar"]["revision"] == 0
    assert all("last_ts" in channel for channel in body["channels"])


def test_create_place_collapse_sort_and_delete_a_section(team, client_for):
    client = client_for(team.member)
    assert client.get(_url(team)).json()["sidebar"]["revision"] == 0
    created = client.post(_url(team, "/sections"), {"name": "Projects"})
    assert created.status_code == 201, created.content
    assert created.json()["sidebar"]["revision"] == 1
    section = created.json()["section"]
    placed = client.put(_url(team, f"/channels/{team.general.public_id}"), {"section": section, "position": 0})
    assert placed.status_code == 200, placed.content
    assert placed.json()["sidebar"]["sections"][0]["channel_ids"] == [team.general.public_id]
    changed = client.patch(_url(team, f"/sections/{section}"), {"collapsed": True, "sort": "name"})
    first = changed.json()["sidebar"]["sections"][0]
    assert (first["name"], first["collapsed"], first["sort"]) == ("Projects", True, "name")
    assert client.patch(_url(team, "/sections/direct_messages"), {"collapsed": True}).status_code == 200
    unreads = client.patch(_url(team), {"show_unreads": True})
    assert unreads.json()["sidebar"]["show_unreads"] is True
    deleted = client.delete(_url(team, f"/sections/{section}"))
    assert [s["id"] for s in deleted.json()["sidebar"]["sections"]] == ["channels", "direct_messages"]
    layout = client.get(_url(team)).json()["sidebar"]
    assert layout["sections"][1]["collapsed"] is True
    # One more with each of the six changes, and the same wherever the layout is read.
    assert (deleted.json()["sidebar"]["revision"], layout["revision"]) == (6, 6)
    channels = client.get(f"/api/v1/workspaces/{team.workspace.public_id}/channels").json()
    assert channels["sidebar"] == layout
    # Nothing changed: the same revision.
    assert client.patch(_url(team), {"show_unreads": True}).json()["sidebar"]["revision"] == 6


def test_errors_keep_the_one_error_shape_and_their_codes(team, client_for):
    client = client_for(team.member)
    client.post(_url(team, "/sections"), {"name": "Projects"})
    duplicate = client.post(_url(team, "/sections"), {"name": "projects"})
    assert (duplicate.status_code, error_code(duplicate)) == (409, "name_taken")
    blank = client.post(_url(team, "/sections"), {"name": "  "})
    assert (blank.status_code, error_code(blank)) == (400, "invalid_name")
    missing = client.patch(_url(team, "/sections/LNOSUCHTHING"), {"collapsed": True})
    assert (missing.status_code, error_code(missing)) == (404, "section_not_found")
    default = client.delete(_url(team, "/sections/channels"))
    assert (default.status_code, error_code(default)) == (400, "cant_change_default_section")


def test_channels_you_are_not_in_cannot_be_placed(team, client_for):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    client = client_for(team.member)
    for channel in (secret, team.random):
        response = client.put(_url(team, f"/channels/{channel.public_id}"), {"section": "channels"})
        assert (response.status_code, error_code(response)) == (404, "channel_not_found")


def test_a_guest_places_nothing_they_are_not_in(team, client_for):
    client = client_for(team.guest)
    assert client.post(_url(team, "/sections"), {"name": "Mine"}).status_code == 201
    response = client.put(_url(team, f"/channels/{team.general.public_id}"), {"section": "channels"})
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")


def test_another_workspace_and_its_channels_are_out_of_reach(team, outsider, client_for):
    client = client_for(outsider)
    response = client.get(_url(team))
    assert (response.status_code, error_code(response)) == (404, "workspace_not_found")
    created = client.post(_url(team, "/sections"), {"name": "Sneaky"})
    assert (created.status_code, error_code(created)) == (404, "workspace_not_found")
    # A channel of another workspace has no place in this one's sidebar.
    other_workspace = outsider.memberships.get().workspace
    elsewhere = channel_create(actor=outsider, workspace=other_workspace, name="elsewhere")
    placed = client_for(team.member).put(_url(team, f"/channels/{elsewhere.public_id}"), {"section": "channels"})
    assert (placed.status_code, error_code(placed)) == (404, "channel_not_found")


def test_someone_elses_section_is_not_found_and_their_layout_is_their_own(team, client_for):
    theirs = client_for(team.other_member).post(_url(team, "/sections"), {"name": "Theirs"}).json()["section"]
    response = client_for(team.member).delete(_url(team, f"/sections/{theirs}"))
    assert (response.status_code, error_code(response)) == (404, "section_not_found")
    mine = client_for(team.member).get(_url(team)).json()["sidebar"]
    assert [s["id"] for s in mine["sections"]] == ["channels", "direct_messages"]
    assert mine["revision"] == 0  # their change is not mine
