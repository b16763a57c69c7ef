"""Search over the API: full-text matching, modifiers, visibility, paging, snippets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Message
from chat.services import channel_create, channel_invite, dm_open, message_post, pin_add, reaction_add
from slackclone.testing.api import error_code


def search(client, team, q, **params):
    return client.get(f"/api/v1/workspaces/{team.workspace.public_id}/search", {"q": q, **params})


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [match["message"]["text"] for match in response.json()["matches"]]


def test_words_are_stemmed_and_results_newest_first(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="we deploy on fridays")
    message_post(sender=team.owner, channel=team.general, text="nothing to see")
    message_post(sender=team.owner, channel=team.general, text="the deploys went fine")
    assert texts(search(client_for(team.member), team, "deploying")) == [
        "the deploys went fine",
        "we deploy on fridays",
    ]


def test_snippets_mark_the_hits(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="the quarterly budget review is tomorrow")
    match = search(client_for(team.member), team, "budget").json()["matches"][0]
    assert "\ue000budget\ue001" in match["snippet"]
    assert match["score"] > 0
    assert match["channel"]["id"] == team.general.public_id


def test_quoted_phrases_and_exclusions(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="release notes for the mobile app")
    message_post(sender=team.owner, channel=team.general, text="notes about the release")
    client = client_for(team.member)
    assert texts(search(client, team, '"release notes"')) == ["release notes for the mobile app"]
    assert texts(search(client, team, "release -mobile")) == ["notes about the release"]


def test_in_and_from_modifiers(team, client_for):
    project = channel_create(actor=team.owner, workspace=team.workspace, name="project")
    channel_invite(actor=team.owner, channel=project, users=[team.member])
    message_post(sender=team.owner, channel=project, text="pizza in project")
    message_post(sender=team.member, channel=team.general, text="pizza in general")
    client = client_for(team.member)
    assert texts(search(client, team, "pizza in:#project")) == ["pizza in project"]
    assert texts(search(client, team, f"pizza in:{team.general.public_id}")) == ["pizza in general"]
    assert texts(search(client, team, "pizza from:me")) == ["pizza in general"]
    owner_name = team.owner.email.split("@")[0]
    assert texts(search(client, team, f"pizza from:@{owner_name}")) == ["pizza in project"]
    assert texts(search(client, team, f"from:<@{team.owner.public_id}>")) == ["pizza in project"]


def test_in_a_dm_with_someone(team, client_for):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message_post(sender=team.owner, channel=dm, text="lunch tomorrow?")
    message_post(sender=team.owner, channel=team.general, text="lunch for everyone")
    owner_name = team.owner.email.split("@")[0]
    assert texts(search(client_for(team.member), team, f"lunch in:@{owner_name}")) == ["lunch tomorrow?"]


def test_has_and_is_modifiers(team, client_for):
    linked = message_post(sender=team.owner, channel=team.general, text="docs at <https://example.com|example>")
    reacted = message_post(sender=team.owner, channel=team.general, text="react here")
    pinned = message_post(sender=team.owner, channel=team.general, text="pinned one")
    root = message_post(sender=team.owner, channel=team.general, text="thread start")
    message_post(sender=team.owner, channel=team.general, text="thread reply", thread_ts=root.ts)
    reaction_add(actor=team.member, message=reacted, emoji="wave")
    pin_add(actor=team.owner, message=pinned)
    client = client_for(team.member)
    assert texts(search(client, team, "has:link")) == [linked.text]
    assert texts(search(client, team, "has:reaction")) == ["react here"]
    assert texts(search(client, team, "has:pin")) == ["pinned one"]
    assert texts(search(client, team, "is:thread")) == ["thread reply", "thread start"]


def test_date_modifiers(team, client_for):
    old = message_post(sender=team.owner, channel=team.general, text="standup old")
    message_post(sender=team.owner, channel=team.general, text="standup today")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = client_for(team.member)
    today = timezone.now().date()
    assert texts(search(client, team, f"standup before:{today - timedelta(days=5)}")) == ["standup old"]
    assert texts(search(client, team, f"standup after:{today - timedelta(days=5)}")) == ["standup today"]
    assert texts(search(client, team, "standup on:today")) == ["standup today"]


@pytest.mark.parametrize("q", ["has:magic", "before:someday", "is:weird", "from:", ""])
def test_meaningless_searches_are_400(team, client_for, q):
    response = search(client_for(team.member), team, q)
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")


def test_words_with_colons_are_plain_words(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="meet at 3:30 sharp")
    assert texts(search(client_for(team.member), team, "3:30")) == ["meet at 3:30 sharp"]


def test_paging_is_keyset_and_complete(team, client_for):
    for i in range(7):
        message_post(sender=team.owner, channel=team.general, text=f"ticket {i}")
    client = client_for(team.member)
    seen, page = [], search(client, team, "ticket", limit=3).json()
    while True:
        seen += [m["message"]["text"] for m in page["matches"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == [f"ticket {i}" for i in reversed(range(7))]


def test_sort_by_score(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="kiwi kiwi kiwi kiwi")
    message_post(sender=team.owner, channel=team.general, text="one kiwi among many other words here")
    client = client_for(team.member)
    ranked = texts(search(client, team, "kiwi", sort="score"))
    assert ranked[0] == "kiwi kiwi kiwi kiwi"
    first = search(client, team, "kiwi", sort="score", limit=1).json()
    second = client.get(first["next"]).json()
    assert [m["message"]["text"] for m in first["matches"] + second["matches"]] == ranked


def test_forged_cursor_is_400(team, client_for):
    response = search(client_for(team.member), team, "x", cursor="Zm9v")
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")


def test_private_channels_dms_and_guests_only_see_their_own(team, client_for):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    message_post(sender=team.owner, channel=secret, text="falcon private")
    dm, _ = dm_open(actor=team.owner, workspace=team.workspace, users=[team.other_member])
    message_post(sender=team.owner, channel=dm, text="falcon dm")
    message_post(sender=team.owner, channel=team.random, text="falcon public")
    guest_room = channel_create(actor=team.owner, workspace=team.workspace, name="guests")
    channel_invite(actor=team.owner, channel=guest_room, users=[team.guest])
    message_post(sender=team.owner, channel=guest_room, text="falcon for guests")
    assert texts(search(client_for(team.owner), team, "falcon")) == [
        "falcon for guests",
        "falcon public",
        "falcon dm",
        "falcon private",
    ]
    assert texts(search(client_for(team.member), team, "falcon")) == ["falcon for guests", "falcon public"]
    assert texts(search(client_for(team.member), team, "falcon in:#secret")) == []
    assert texts(search(client_for(team.other_member), team, "falcon")) == [
        "falcon for guests",
        "falcon public",
        "falcon dm",
    ]
    assert texts(search(client_for(team.guest), team, "falcon")) == ["falcon for guests"]
    assert texts(search(client_for(team.admin), team, "falcon in:#secret")) == []


def test_deleted_messages_are_not_found(team, client_for):
    message = message_post(sender=team.owner, channel=team.general, text="vanishing words")
    client = client_for(team.owner)
    client.delete(f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}")
    assert texts(search(client, team, "vanishing")) == []


def test_edits_are_searchable_at_once(team, client_for):
    message = message_post(sender=team.owner, channel=team.general, text="before edit")
    client = client_for(team.owner)
    client.patch(f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}", {"text": "zebra"})
    assert texts(search(client, team, "zebra")) == ["zebra"]


def test_from_a_full_email_address_matches_only_where_the_searcher_may_see_addresses(team, client_for):
    from workspaces.models import EmailDisplay

    message_post(sender=team.owner, channel=team.general, text="quarterly numbers")
    query = f"numbers from:{team.owner.email}"
    assert texts(search(client_for(team.member), team, query)) == ["quarterly numbers"]
    team.workspace.email_display = EmailDisplay.ADMINS
    team.workspace.save()
    assert texts(search(client_for(team.member), team, query)) == []
    assert texts(search(client_for(team.admin), team, query)) == ["quarterly numbers"]
