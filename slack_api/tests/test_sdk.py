"""slack_sdk's WebClient, unchanged, against the live test server."""

from __future__ import annotations

import io

import pytest
from slack_sdk.errors import SlackApiError

from chat.models import ChannelMember, Message
from chat.services import channel_create, channel_invite
from realtime import transport


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return raised.value.response["error"]


def test_auth_test_and_team_info(web, team, bot):
    client = web(team.member)
    me = client.auth_test()
    assert me["user_id"] == team.member.public_id
    assert me["team_id"] == team.workspace.public_id
    assert "bot_id" not in me.data
    assert web(bot).auth_test()["bot_id"] == bot.public_id
    assert client.team_info()["team"]["id"] == team.workspace.public_id
    assert client.api_test(foo="bar")["args"] == {"foo": "bar"}
    assert error_of(web(token="xoxp-bogus").auth_test) == "invalid_auth"
    assert error_of(client.api_call, "nothing.here") == "method_not_supported"


def test_post_thread_update_delete(web, team):
    client = web(team.member)
    posted = client.chat_postMessage(channel=team.general.public_id, text=f"hello <@{team.owner.public_id}>")
    ts = posted["ts"]
    assert posted["message"]["user"] == team.member.public_id
    assert posted["message"]["ts"] == ts
    assert client.chat_postMessage(channel="#general", text="by name")["channel"] == team.general.public_id
    reply = client.chat_postMessage(channel=team.general.public_id, text="a reply", thread_ts=ts, reply_broadcast=True)
    assert reply["message"]["thread_ts"] == ts
    assert reply["message"]["subtype"] == "thread_broadcast"

    first = client.chat_postMessage(channel=team.general.public_id, text="once", client_msg_id="abc-123")
    again = client.chat_postMessage(channel=team.general.public_id, text="once", client_msg_id="abc-123")
    assert first["ts"] == again["ts"]
    assert Message.objects.filter(text="once").count() == 1

    updated = client.chat_update(channel=team.general.public_id, ts=ts, text="edited")
    assert updated["text"] == "edited"
    assert "edited" in updated["message"]
    link = client.chat_getPermalink(channel=team.general.public_id, message_ts=ts)["permalink"]
    assert link.endswith(f"/{team.workspace.slug}/archives/{team.general.public_id}/p{ts.replace('.', '')}")

    other = web(team.other_member)
    assert error_of(other.chat_update, channel=team.general.public_id, ts=ts, text="x") == "cant_update_message"
    assert error_of(other.chat_delete, channel=team.general.public_id, ts=ts) == "cant_delete_message"
    assert client.chat_delete(channel=team.general.public_id, ts=ts)["ts"] == ts
    assert error_of(client.chat_delete, channel=team.general.public_id, ts=ts) == "message_not_found"

    assert error_of(client.chat_postMessage, channel=team.general.public_id, text="") == "no_text"
    assert error_of(client.chat_postMessage, channel="C00000000", text="x") == "channel_not_found"
    assert error_of(client.chat_postMessage, channel=team.general.public_id, text="x" * 50000) == "msg_too_long"
    assert error_of(client.chat_postMessage, channel=team.general.public_id, text="x", thread_ts="1.1") == (
        "thread_not_found"
    )


def test_post_to_a_user_id_opens_the_dm(web, team):
    posted = web(team.member).chat_postMessage(channel=team.other_member.public_id, text="psst")
    assert posted["channel"].startswith("D")
    opened = web(team.other_member).conversations_open(users=team.member.public_id, return_im=True)
    assert opened["channel"]["id"] == posted["channel"]
    assert opened["channel"]["is_im"] is True
    assert opened["channel"]["user"] == team.member.public_id


def test_history_pages_with_cursor_and_bounds(web, team):
    client = web(team.member)
    channel = client.conversations_create(name="paging")["channel"]["id"]
    stamps = [client.chat_postMessage(channel=channel, text=f"m{i}")["ts"] for i in range(7)]
    client.chat_postMessage(channel=channel, text="hidden reply", thread_ts=stamps[0])

    seen, cursor = [], None
    while True:
        page = client.conversations_history(channel=channel, limit=3, cursor=cursor)
        seen += [message["ts"] for message in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert seen == stamps[::-1]

    window = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[4])["messages"]
    assert [m["ts"] for m in window] == [stamps[3], stamps[2]]
    window = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[4], inclusive=True)
    assert [m["ts"] for m in window["messages"]] == stamps[4:0:-1]
    root = client.conversations_history(channel=channel, latest=stamps[0], inclusive=True, limit=1)["messages"][0]
    assert root["reply_count"] == 1

    thread = client.conversations_replies(channel=channel, ts=stamps[0])
    assert [m["text"] for m in thread["messages"]] == ["m0", "hidden reply"]
    assert error_of(client.conversations_replies, channel=channel, ts="1.000001") == "thread_not_found"
    assert error_of(client.conversations_history, channel=channel, cursor="!!!") == "invalid_cursor"
    assert error_of(client.conversations_history, channel=channel, limit=0) == "invalid_limit"
    assert error_of(client.conversations_history, channel=channel, latest="soon") == "invalid_ts_latest"
    short = f"{float(stamps[2]):.1f}"  # fewer decimals than ours still bounds by value
    assert [m["ts"] for m in client.conversations_history(channel=channel, oldest=short)["messages"]][-1] > short

    client.conversations_mark(channel=channel, ts=stamps[-1])


def test_channel_lifecycle(web, team):
    owner, member = web(team.owner), web(team.member)
    created = owner.conversations_create(name="launch")["channel"]
    cid = created["id"]
    assert created["name"] == "launch"
    assert created["is_member"] is True
    assert error_of(owner.conversations_create, name="launch") == "name_taken"
    assert error_of(owner.conversations_create, name="Bad Name!") == "invalid_name_specials"
    assert error_of(owner.conversations_create, name="x" * 81) == "invalid_name_maxlength"

    assert member.conversations_info(channel=cid)["channel"]["is_member"] is False
    assert member.conversations_join(channel=cid)["channel"]["is_member"] is True
    assert member.conversations_leave(channel=cid)["ok"]
    assert error_of(member.conversations_leave, channel=cid) == "not_in_channel"
    assert error_of(member.chat_postMessage, channel=cid, text="x") == "not_in_channel"
    owner.conversations_invite(channel=cid, users=[team.member.public_id, team.other_member.public_id])
    assert error_of(owner.conversations_invite, channel=cid, users=team.member.public_id) == "already_in_channel"
    owner.conversations_kick(channel=cid, user=team.other_member.public_id)
    assert set(owner.conversations_members(channel=cid)["members"]) == {team.owner.public_id, team.member.public_id}

    assert owner.conversations_setTopic(channel=cid, topic="Ship it")["channel"]["topic"]["value"] == "Ship it"
    assert owner.conversations_setPurpose(channel=cid, purpose="Launches")["purpose"] == "Launches"
    assert owner.conversations_rename(channel=cid, name="launch-2")["channel"]["name"] == "launch-2"
    owner.conversations_archive(channel=cid)
    assert member.conversations_info(channel=cid)["channel"]["is_archived"] is True
    assert error_of(member.chat_postMessage, channel=cid, text="x") == "is_archived"
    owner.conversations_unarchive(channel=cid)
    assert error_of(owner.conversations_archive, channel=team.general.public_id) == "cant_archive_general"

    private = owner.conversations_create(name="hush", is_private=True)["channel"]["id"]
    assert error_of(member.conversations_info, channel=private) == "channel_not_found"


def test_conversations_list_types_and_pagination(web, team):
    owner = web(team.owner)
    for i in range(5):
        owner.conversations_create(name=f"list-{i}")
    owner.conversations_create(name="list-private", is_private=True)
    archived = owner.conversations_create(name="list-old")["channel"]["id"]
    owner.conversations_archive(channel=archived)

    ids, cursor = [], None
    while True:
        page = owner.conversations_list(limit=2, cursor=cursor, exclude_archived=True)
        ids += [channel["id"] for channel in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert len(ids) == len(set(ids)) == 7  # general, random, list-0..4
    assert archived not in ids

    both = owner.conversations_list(types="public_channel,private_channel", limit=100)["channels"]
    assert {"list-private", "list-old"} <= {channel["name"] for channel in both}
    public_only = web(team.member).conversations_list(types="private_channel")["channels"]
    assert public_only == []
    mine = web(team.member).users_conversations()["channels"]
    expected = set(ChannelMember.objects.filter(user=team.member).values_list("channel__name", flat=True))
    assert {channel["name"] for channel in mine} == expected
    assert "general" in expected


def test_users(web, team, bot):
    client = web(team.member)
    names, cursor = [], None
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        names += [user["id"] for user in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    expected = {team.owner, team.admin, team.member, team.other_member, team.guest, bot}
    assert set(names) == {user.public_id for user in expected}
    info = client.users_info(user=team.owner.public_id)["user"]
    assert info["id"] == team.owner.public_id
    assert info["is_owner"] is True
    assert client.users_info(user=bot.public_id)["user"]["is_bot"] is True
    assert error_of(client.users_info, user="U000NOPE") == "user_not_found"
    assert client.users_lookupByEmail(email=team.admin.email.upper())["user"]["id"] == team.admin.public_id
    assert error_of(client.users_lookupByEmail, email="nobody@example.test") == "users_not_found"
    assert client.users_profile_get()["profile"]["email"] == team.member.email


def test_reactions_and_pins(web, team):
    client = web(team.member)
    ts = client.chat_postMessage(channel=team.general.public_id, text="react to me")["ts"]
    client.reactions_add(channel=team.general.public_id, timestamp=ts, name="tada")
    assert error_of(client.reactions_add, channel=team.general.public_id, timestamp=ts, name="tada") == (
        "already_reacted"
    )
    got = client.reactions_get(channel=team.general.public_id, timestamp=ts)
    assert got["message"]["reactions"] == [{"name": "tada", "users": [team.member.public_id], "count": 1}]
    client.reactions_remove(channel=team.general.public_id, timestamp=ts, name="tada")
    assert error_of(client.reactions_remove, channel=team.general.public_id, timestamp=ts, name="tada") == (
        "no_reaction"
    )
    assert error_of(client.reactions_add, channel=team.general.public_id, timestamp="1.2", name="x") == (
        "message_not_found"
    )

    client.pins_add(channel=team.general.public_id, timestamp=ts)
    assert error_of(client.pins_add, channel=team.general.public_id, timestamp=ts) == "already_pinned"
    items = client.pins_list(channel=team.general.public_id)["items"]
    assert [item["message"]["ts"] for item in items] == [ts]
    client.pins_remove(channel=team.general.public_id, timestamp=ts)
    assert error_of(client.pins_remove, channel=team.general.public_id, timestamp=ts) == "no_pin"


def test_search_messages_user_tokens_only(web, team, bot):
    client = web(team.member)
    for i in range(3):
        client.chat_postMessage(channel=team.general.public_id, text=f"deploy number {i}")
    first = client.search_messages(query="deploy", count=2)
    assert len(first["messages"]["matches"]) == 2
    assert first["messages"]["matches"][0]["channel"]["id"] == team.general.public_id
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.search_messages(query="deploy", count=2, cursor=cursor)
    texts = [m["text"] for m in first["messages"]["matches"] + rest["messages"]["matches"]]
    assert sorted(texts) == ["deploy number 0", "deploy number 1", "deploy number 2"]
    assert error_of(web(bot).search_messages, query="deploy") == "not_allowed_token_type"


def test_search_messages_by_score_pages_with_its_cursor_and_refuses_a_forged_one(web, team):
    client = web(team.member)
    for i in range(3):
        client.chat_postMessage(channel=team.general.public_id, text=f"release train {i}")
    first = client.search_messages(query="release", sort="score", count=2, cursor="*")
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    rest = client.search_messages(query="release", sort="score", count=2, cursor=cursor)
    texts = [m["text"] for m in first["messages"]["matches"] + rest["messages"]["matches"]]
    assert sorted(texts) == ["release train 0", "release train 1", "release train 2"]
    assert rest["response_metadata"]["next_cursor"] == ""
    assert error_of(client.search_messages, query="release", cursor="bm90LWEtY3Vyc29y") == "invalid_cursor"


def test_rate_limit_through_the_sdk(web, team, settings):
    from django.core.cache import cache

    settings.API_WRITE_RATE = "1/m"
    cache.clear()
    client = web(team.member)
    client.chat_postMessage(channel=team.general.public_id, text="one")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=team.general.public_id, text="two")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert int(raised.value.response.headers["Retry-After"]) >= 1


def test_profile_set_and_presence(web, team):
    client = web(team.member)
    profile = client.users_profile_set(profile={"real_name": "Mia M.", "title": "Chef", "status_text": "cooking"})
    assert profile["profile"]["real_name"] == "Mia M."
    assert profile["profile"]["status_text"] == "cooking"
    assert client.users_profile_set(name="status_emoji", value=":fire:")["profile"]["status_emoji"] == ":fire:"
    assert client.users_profile_get()["profile"]["title"] == "Chef"
    assert error_of(client.users_profile_set, profile={"bogus": "x"}) == "invalid_profile"
    assert error_of(client.users_profile_set, user=team.owner.public_id, name="title", value="x") != ""

    presence = client.users_getPresence(user=team.member.public_id)
    assert presence["presence"] == "away"
    assert presence["online"] is False
    assert client.users_getPresence(user=team.owner.public_id)["presence"] == "away"
    assert client.users_setPresence(presence="auto")["ok"] is True
    assert error_of(client.users_setPresence, presence="busy") == "invalid_presence"


def test_blocks_and_attachments_are_kept_and_text_is_their_fallback(web, team):
    client = web(team.member)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Deploy done"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*api* is live"},
            "fields": [{"type": "mrkdwn", "text": "v2"}],
        },
        {"type": "divider"},
    ]
    posted = client.chat_postMessage(channel=team.general.public_id, text="fallback", blocks=blocks)
    assert posted["message"]["text"] == "fallback"
    assert [block["type"] for block in posted["message"]["blocks"]] == ["header", "section", "divider"]
    assert all(block["block_id"] for block in posted["message"]["blocks"])
    without_text = client.chat_postMessage(channel=team.general.public_id, blocks=blocks)
    assert without_text["message"]["text"] == "Deploy done\n*api* is live\nv2"
    attachments = [{"fallback": "fb", "pretext": "Build", "fields": [{"title": "Status", "value": "green"}]}]
    posted = client.chat_postMessage(channel=team.general.public_id, attachments=attachments)
    assert posted["message"]["text"] == "Build\nStatus: green"
    assert posted["message"]["attachments"] == attachments
    assert error_of(client.chat_postMessage, channel=team.general.public_id, blocks=[{"type": "divider"}]) == "no_text"


def test_dm_types_in_lists(web, team):
    member = web(team.member)
    dm = member.conversations_open(users=team.other_member.public_id)["channel"]["id"]
    group = member.conversations_open(users=[team.other_member.public_id, team.owner.public_id])["channel"]["id"]
    ims = member.conversations_list(types="im")["channels"]
    assert [channel["id"] for channel in ims] == [dm]
    assert ims[0]["user"] == team.other_member.public_id
    mpims = web(team.owner).users_conversations(types="mpim")["channels"]
    assert [channel["id"] for channel in mpims] == [group]
    assert web(team.admin).conversations_list(types="im,mpim")["channels"] == []


def test_bot_posts_show_as_bot_and_guest_sees_only_its_channels(web, team, bot):
    posted = web(bot).chat_postMessage(channel=team.general.public_id, text="plain")
    assert posted["message"]["bot_id"] == bot.public_id
    assert posted["message"]["bot_profile"]["id"] == bot.public_id
    assert "subtype" not in posted["message"]
    assert "username" not in posted["message"]
    guest = web(team.guest)
    visible = {channel["id"] for channel in guest.conversations_list()["channels"]}
    assert team.random.public_id not in visible or team.guest.channel_memberships.filter(channel=team.random).exists()
    assert error_of(guest.conversations_create, name="guest-room") == "restricted_action"


def test_a_bot_names_and_icons_its_message_and_a_person_cannot(web, team, bot):
    posted = web(bot).chat_postMessage(
        channel=team.general.public_id, text="beep", username="deploybot", icon_emoji=":robot_face:"
    )["message"]
    assert (posted["subtype"], posted["username"], posted["icons"]) == (
        "bot_message",
        "deploybot",
        {"emoji": ":robot_face:"},
    )
    history = web(team.member).conversations_history(channel=team.general.public_id, limit=1)["messages"][0]
    assert (history["username"], history["bot_id"]) == ("deploybot", bot.public_id)
    by_url = web(bot).chat_postMessage(channel="#general", text="pic", icon_url="https://example.test/i.png")
    assert by_url["message"]["icons"]["image_48"] == "https://example.test/i.png"
    assert by_url["message"]["username"] == bot.name
    bad = web(bot).chat_postMessage
    assert error_of(bad, channel="#general", text="x", icon_url="ftp://example.test/i.png") == "invalid_arguments"
    assert error_of(bad, channel="#general", text="x", icon_emoji="not an emoji!") == "invalid_name"
    person = web(team.member).chat_postMessage(channel="#general", text="me", username="ceo", icon_emoji=":crown:")
    assert "username" not in person["message"]
    assert "bot_id" not in person["message"]


def collect(call, key: str, **kwargs) -> list:
    """Every item of a cursor-paged method, following response_metadata.next_cursor to the end."""
    items, cursor = [], None
    while True:
        page = call(cursor=cursor, **kwargs)
        items += page[key]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            return items


def test_members_replies_and_my_conversations_page_with_cursors(web, team):
    client = web(team.member)
    members = collect(client.conversations_members, "members", channel=team.general.public_id, limit=1)
    assert sorted(members) == sorted(
        user.public_id for user in (team.owner, team.admin, team.member, team.other_member)
    )
    root = client.chat_postMessage(channel=team.general.public_id, text="root")["ts"]
    replies = [
        client.chat_postMessage(channel=team.general.public_id, text=f"r{i}", thread_ts=root)["ts"] for i in range(4)
    ]
    thread = collect(client.conversations_replies, "messages", channel=team.general.public_id, ts=root, limit=2)
    assert [m["ts"] for m in thread if m["ts"] != root] == replies
    by_a_reply = client.conversations_replies(channel=team.general.public_id, ts=replies[2])["messages"]
    assert [m["ts"] for m in by_a_reply] == [root, *replies]  # a reply's ts names its whole thread, as on Slack
    assert by_a_reply[0]["reply_count"] == 4
    for i in range(3):
        client.conversations_create(name=f"mine-{i}")
    mine = collect(client.users_conversations, "channels", limit=2)
    assert {"general", "mine-0", "mine-1", "mine-2"} <= {channel["name"] for channel in mine}
    assert len(mine) == len({channel["id"] for channel in mine})


def test_mark_moves_the_read_marker(web, team):
    client = web(team.member)
    stamps = [client.chat_postMessage(channel=team.general.public_id, text=f"m{i}")["ts"] for i in range(3)]
    web(team.other_member).conversations_mark(channel=team.general.public_id, ts=stamps[1])
    marker = ChannelMember.objects.get(channel=team.general, user=team.other_member).last_read_seq
    assert marker == Message.objects.get(channel=team.general, ts=stamps[1]).seq


def test_scheduled_messages_are_made_listed_paged_and_deleted(web, team):
    import time as clock

    client = web(team.member)
    soon = int(clock.time()) + 3600
    made = [
        client.chat_scheduleMessage(channel=team.general.public_id, post_at=soon + n * 60, text=f"later {n}")
        for n in range(3)
    ]
    assert made[0]["message"]["type"] == "delayed_message"
    assert made[0]["post_at"] == soon
    first = client.chat_scheduledMessages_list(limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.chat_scheduledMessages_list(limit=2, cursor=cursor)
    listed = first["scheduled_messages"] + rest["scheduled_messages"]
    assert [row["text"] for row in listed] == ["later 0", "later 1", "later 2"]
    assert rest["response_metadata"]["next_cursor"] == ""
    assert [row["text"] for row in client.chat_scheduledMessages_list(oldest=soon + 60)["scheduled_messages"]] == [
        "later 1",
        "later 2",
    ]

    doomed = made[1]["scheduled_message_id"]
    client.chat_deleteScheduledMessage(channel=team.general.public_id, scheduled_message_id=doomed)
    remaining = client.chat_scheduledMessages_list(channel=team.general.public_id)["scheduled_messages"]
    assert [row["id"] for row in remaining] == [made[0]["scheduled_message_id"], made[2]["scheduled_message_id"]]
    delete = client.chat_deleteScheduledMessage
    assert (
        error_of(delete, channel=team.general.public_id, scheduled_message_id=doomed) == "invalid_scheduled_message_id"
    )


def test_scheduling_refuses_bad_times_and_other_peoples_messages(web, team):
    import time as clock

    client = web(team.member)
    general = team.general.public_id
    schedule = client.chat_scheduleMessage
    assert error_of(schedule, channel=general, post_at=int(clock.time()) - 60, text="too late") == "time_in_past"
    assert error_of(schedule, channel=general, post_at=int(clock.time()) + 200 * 86400, text="x") == "time_too_far"
    assert error_of(schedule, channel=general, post_at="soon", text="x") == "invalid_time"
    assert error_of(schedule, channel=general, post_at=10**20, text="x") == "invalid_time"
    mine = schedule(channel=general, post_at=int(clock.time()) + 600, text="mine")["scheduled_message_id"]
    owner = web(team.owner)
    assert owner.chat_scheduledMessages_list()["scheduled_messages"] == []
    assert error_of(owner.chat_deleteScheduledMessage, channel=general, scheduled_message_id=mine) == (
        "invalid_scheduled_message_id"
    )
    assert error_of(client.chat_scheduledMessages_list, cursor="bm9wZQ") == "invalid_cursor"


def test_files_upload_shares_a_file_with_its_comment(web, team, settings, tmp_path):
    import warnings

    from chat.models import Attachment, Message

    settings.MEDIA_ROOT = tmp_path
    client = web(team.member)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # slack_sdk warns that files.upload is its old way
        sent = client.files_upload(
            channels=team.general.public_id, content="line one\n", filename="notes.txt", initial_comment="the notes"
        )
        error = error_of(client.files_upload, channels=team.random.public_id, content="x", filename="x.txt")
        binary = client.files_upload(
            channels=f"#{team.general.name}", file=io.BytesIO(b"\x89PNG-ish"), filename="a.bin"
        )
    empty = error_of(client.api_call, "files.upload", data={"channels": team.general.public_id, "filename": "x.txt"})
    assert binary["file"]["name"] == "a.bin"
    assert binary["file"]["size"] == len(b"\x89PNG-ish")
    assert sent["file"]["name"] == "notes.txt"
    assert sent["file"]["channels"] == [team.general.public_id]
    message = Message.objects.get(channel=team.general, text="the notes")
    attachment = Attachment.objects.get(message=message)
    assert attachment.public_id == sent["file"]["id"]
    assert error == "not_in_channel"
    assert empty == "no_file_data"


def test_files_upload_v2_shares_several_files_in_one_message(web, team, settings, tmp_path):
    from chat.models import Attachment, ExternalUpload, Message

    settings.MEDIA_ROOT = tmp_path
    client = web(team.member)
    sent = client.files_upload_v2(
        channel=team.general.public_id,
        initial_comment="two reports",
        file_uploads=[
            {"content": "first report\n", "filename": "one.txt", "title": "One"},
            {"file": io.BytesIO(b"second report\n"), "filename": "two.txt", "title": "Two"},
        ],
    )
    message = Message.objects.get(channel=team.general, text="two reports")
    shared = list(Attachment.objects.filter(message=message).order_by("pk"))
    assert [a.original_name for a in shared] == ["one.txt", "two.txt"]
    assert [f["id"] for f in sent["files"]] == [a.public_id for a in shared]
    assert [a.file.read() for a in shared] == [b"first report\n", b"second report\n"]
    assert not ExternalUpload.objects.exists()


def test_upload_urls_take_one_file_of_the_announced_size_and_only_its_owner_shares_it(web, team, client):
    owner = web(team.owner)
    member = web(team.member)
    ticket = member.files_getUploadURLExternal(filename="plan.txt", length=5)
    path = ticket["upload_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path, b"toolong!", content_type="application/octet-stream").status_code == 400
    assert client.post("/" + path, b"plan!", content_type="application/octet-stream").status_code == 200
    assert client.post("/" + path, b"plan!", content_type="application/octet-stream").status_code == 404  # used
    files = [{"id": ticket["file_id"]}]
    stolen = error_of(owner.files_completeUploadExternal, files=files, channel_id=team.general.public_id)
    assert stolen == "file_not_found"
    assert error_of(member.files_completeUploadExternal, files=files) == "invalid_channel"
    garbled = {"files": "not json", "channel_id": team.general.public_id}
    assert error_of(member.api_call, "files.completeUploadExternal", data=garbled) == "invalid_arguments"
    shared = member.files_completeUploadExternal(files=files, channel_id=team.general.public_id)
    assert shared["files"][0]["id"] == ticket["file_id"]
    assert error_of(member.files_getUploadURLExternal, filename="huge.bin", length=10**12) == "file_too_large"


def test_an_upload_url_refuses_a_get_a_multipart_body_without_a_file_and_a_body_over_the_limit(
    web, team, client, settings
):
    member = web(team.member)
    path = "/" + member.files_getUploadURLExternal(filename="plan.txt", length=5)["upload_url"].split("/", 3)[3]
    assert client.get(path).status_code == 405
    assert client.post(path, {"note": "no file here"}).status_code == 400  # multipart, no `file` field
    settings.FILE_UPLOAD_MAX_BYTES = 8
    too_big = client.post(path, b"x" * 20, content_type="application/octet-stream")
    assert too_big.status_code == 413
    assert too_big.content.startswith(b"file_too_large")
    assert client.post(path, b"plan!", content_type="application/octet-stream").status_code == 200  # still unused


def test_post_ephemeral_reaches_the_one_person_and_stores_nothing(web, team, bot, layer_listener):
    listener = layer_listener(transport.user_group(team.member))
    client = web(bot)
    stored_before = Message.objects.count()

    answer = client.chat_postEphemeral(channel=team.general.public_id, user=team.member.public_id, text="only you")

    event = listener.receive_event(timeout=10)
    assert event["type"] == "ephemeral_message"
    assert event["message"]["ts"] == answer["message_ts"]
    assert event["message"]["text"] == "only you"
    assert Message.objects.count() == stored_before
    plans = channel_create(actor=team.owner, workspace=team.workspace, name="plans", is_private=True)
    channel_invite(actor=team.owner, channel=plans, users=[bot])
    assert error_of(client.chat_postEphemeral, channel=plans.public_id, user=team.member.public_id, text="x") == (
        "user_not_in_channel"
    )
    assert error_of(client.chat_postEphemeral, channel=team.general.public_id, user="U0NOBODY", text="x") == (
        "user_not_found"
    )
    assert error_of(client.chat_postEphemeral, channel=team.general.public_id, user=team.member.public_id) == "no_text"
