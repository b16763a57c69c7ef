"""Who may touch a private channel or a DM, and what everyone else learns: nothing.

Every endpoint that touches a channel or a message, for every kind of requester: the owner
and a member (both in the conversation), a workspace admin, a guest and a member who are not,
someone from another workspace, a deactivated member (who used to be in it) and an anonymous
client; by session and by API token. Whoever may not see the conversation gets the same answer
as for one that does not exist, and no response, count or search result carries its content.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from chat.models import Channel
from chat.services import (
    channel_create,
    channel_invite,
    dm_open,
    file_upload,
    message_post,
    pin_add,
    reaction_add,
)
from slackclone.testing.api import ApiClient, session_client, token_client
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import Role
from workspaces.services import member_deactivate

SECRET_WORDS = ("XYZZY", "vault-plan", "TOPSECRETBYTES")
P, D = "private", "dm"
OWNER_MSG = "XYZZY the owner's plan"


@dataclass
class Team:
    workspace: object
    owner: User
    admin: User
    member: User
    other_member: User
    guest: User


@dataclass
class World:
    team: Team
    kind: str
    channel: Channel
    people: dict[str, User | None]
    tokens: dict[str, ApiClient]
    owner_ts: str
    unpinned_ts: str
    file_id: str
    kick_target: User


def _team() -> Team:
    owner = UserFactory(full_name="Olivia Owner")
    workspace = workspace_with_owner(owner)
    return Team(
        workspace=workspace,
        owner=owner,
        admin=add_member(workspace, role=Role.ADMIN),
        member=add_member(workspace),
        other_member=add_member(workspace),
        guest=add_member(workspace, role=Role.GUEST),
    )


def _build(kind: str) -> World:
    """A workspace with one private channel (or DM) full of secrets, and a client for everyone."""
    team = _team()
    outsider = UserFactory(full_name="Otto Outsider")
    outsider_workspace = workspace_with_owner(outsider)
    deactivated = add_member(team.workspace, UserFactory(full_name="Dee Activated"))
    if kind == P:
        channel = channel_create(actor=team.owner, workspace=team.workspace, name="vault", is_private=True)
        channel_invite(actor=team.owner, channel=channel, users=[team.member, deactivated])
    else:
        channel, _ = dm_open(actor=team.owner, workspace=team.workspace, users=[team.member])
    owner_message = message_post(sender=team.owner, channel=channel, text=OWNER_MSG)
    message_post(
        sender=team.member, channel=channel, text=f"<@{team.member.public_id}> XYZZY reply", thread_ts=owner_message.ts
    )
    message_post(sender=team.owner, channel=channel, text=f"<!channel> <@{team.admin.public_id}> XYZZY mention")
    unpinned = message_post(sender=team.owner, channel=channel, text="XYZZY second")
    reaction_add(actor=team.member, message=owner_message, emoji="eyes")
    pin_add(actor=team.owner, message=owner_message)
    upload = SimpleUploadedFile("vault-plan.txt", b"TOPSECRETBYTES")
    file_message = file_upload(actor=team.owner, channel=channel, upload=upload, text="XYZZY file")
    people = {
        "owner": team.owner,
        "admin": team.admin,
        "member": team.member,
        "guest": team.guest,
        "non_member": team.other_member,
        "deactivated": deactivated,
    }
    # Tokens are made while everyone is active; the deactivated member's stops working after.
    tokens = {name: token_client(user, team.workspace) for name, user in people.items()}
    tokens["outsider"] = token_client(outsider, outsider_workspace)
    member_deactivate(actor=None, workspace=team.workspace, user=deactivated)
    return World(
        team=team,
        kind=kind,
        channel=channel,
        people={**people, "outsider": outsider, "anonymous": None},
        tokens=tokens,
        owner_ts=owner_message.ts,
        unpinned_ts=unpinned.ts,
        file_id=file_message.attachments.get().public_id,
        kick_target=deactivated if kind == P else team.member,
    )


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both worlds, built once for the module inside a transaction that is rolled back at the end;
    each test runs in a savepoint of its own (pytest-django's `db`), so tests cannot affect each other."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = {P: _build(P), D: _build(D)}
        yield built
        transaction.set_rollback(True)


# (name, method, path under /api/v1/, body, {kind: {member role: expected status}}) — "owner" and
# "member" are in the conversation; everyone else's answer is the same for every endpoint.


def both(owner: int, member: int | None = None, *, dm: tuple[int, int] | None = None) -> dict:
    member = owner if member is None else member
    dm_owner, dm_member = dm or (owner, member)
    return {P: {"owner": owner, "member": member}, D: {"owner": dm_owner, "member": dm_member}}


ENDPOINTS = [
    ("detail", "get", "channels/{c}", None, both(200)),
    ("update", "patch", "channels/{c}", {"topic": "new"}, both(200)),
    ("archive", "post", "channels/{c}/archive", None, both(200, dm=(403, 403))),
    ("unarchive", "post", "channels/{c}/unarchive", None, both(409, dm=(403, 403))),
    ("join", "post", "channels/{c}/join", None, both(200)),
    ("leave", "post", "channels/{c}/leave", None, both(200, dm=(403, 403))),
    ("members", "get", "channels/{c}/members", None, both(200)),
    ("invite", "post", "channels/{c}/members", {"users": ["{non_member}"]}, both(200, dm=(403, 403))),
    ("kick", "delete", "channels/{c}/members/{kick}", None, both(200, 403, dm=(403, 403))),
    ("history", "get", "channels/{c}/messages", None, both(200)),
    ("post", "post", "channels/{c}/messages", {"text": "hi"}, both(201)),
    ("message", "get", "channels/{c}/messages/{ts}", None, both(200)),
    ("edit", "patch", "channels/{c}/messages/{ts}", {"text": "edited"}, both(200, 403)),
    ("delete", "delete", "channels/{c}/messages/{ts}", None, both(200, 403)),
    ("replies", "get", "channels/{c}/messages/{ts}/replies", None, both(200)),
    ("reactions", "get", "channels/{c}/messages/{ts}/reactions", None, both(200)),
    ("react", "post", "channels/{c}/messages/{ts}/reactions", {"name": "tada"}, both(201)),
    ("unreact", "delete", "channels/{c}/messages/{ts}/reactions/eyes", None, both(404, 200)),
    ("pins", "get", "channels/{c}/pins", None, both(200)),
    ("pin", "post", "channels/{c}/messages/{ts2}/pin", None, both(201)),
    ("unpin", "delete", "channels/{c}/messages/{ts}/pin", None, both(200)),
    ("read", "post", "channels/{c}/read", {"seq": 1}, both(200)),
    ("prefs", "get", "channels/{c}/prefs", None, both(200)),
    ("set_prefs", "patch", "channels/{c}/prefs", {"muted": True}, both(200)),
    ("upload", "post", "channels/{c}/files", "FILE", both(201)),
    ("file", "get", "files/{file}", None, both(200)),
    ("file_content", "get", "files/{file}/content", None, both(200)),
]
ACTORS = ["owner", "admin", "member", "guest", "non_member", "outsider", "deactivated", "anonymous"]
MODES = [(P, "session"), (P, "token"), (D, "session")]


def _request(world: World, client: ApiClient, method: str, path: str, body):
    values = {
        "c": world.channel.public_id,
        "ts": world.owner_ts,
        "ts2": world.unpinned_ts,
        "file": world.file_id,
        "kick": world.kick_target.public_id,
        "non_member": world.team.other_member.public_id,
    }
    url = "/api/v1/" + path.format(**values)
    if body == "FILE":
        data = {"file": SimpleUploadedFile("n.txt", io.BytesIO(b"new file").read())}
        return client.post(url, data, format="multipart")
    if isinstance(body, dict):
        body = {
            key: [v.format(**values) for v in value] if isinstance(value, list) else value
            for key, value in body.items()
        }
    return getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)


def _client(world: World, actor: str, mode: str) -> ApiClient:
    if mode == "token" and actor != "anonymous":
        return world.tokens[actor]
    return session_client(world.people[actor])


def _expected(world: World, actor: str, mode: str, name: str, expectations: dict) -> tuple[int, set[str] | None]:
    if actor in ("owner", "member"):
        return expectations[world.kind][actor], None
    if actor == "anonymous":
        return 401, {"not_authed"}
    if actor == "deactivated":
        if mode == "token":
            return 401, {"account_inactive"}
        # A file is as private as its channel: no hint that it exists.
        return (404, {"file_not_found"}) if name.startswith("file") else (403, {"account_inactive"})
    return 404, {"channel_not_found", "file_not_found"}


CASES = [
    pytest.param(kind, mode, actor, *endpoint, id=f"{endpoint[0]}-{actor}-{kind}-{mode}")
    for endpoint in ENDPOINTS
    for actor in ACTORS
    for kind, mode in MODES
    if not (mode == "token" and actor == "anonymous")
]


@pytest.mark.parametrize(("kind", "mode", "actor", "name", "method", "path", "body", "expectations"), CASES)
def test_channel_endpoint_answers_by_role_and_leaks_nothing(
    worlds, db, kind, mode, actor, name, method, path, body, expectations
):
    world = worlds[kind]
    response = _request(world, _client(world, actor, mode), method, path, body)
    status, codes = _expected(world, actor, mode, name, expectations)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == status, (actor, name, content[:300])
    if codes is not None:
        assert response.json()["error"]["code"] in codes
        for secret in (*SECRET_WORDS, world.channel.name or "vault"):
            assert secret.encode() not in content, (actor, name, secret)


# Workspace-wide reads: lists, counts, the mentions inbox and search must not betray the conversation.
WORKSPACE_READS = [
    ("channels", "workspaces/{w}/channels", {}),
    ("browse", "workspaces/{w}/channels/browse", {}),
    ("unread", "workspaces/{w}/unread", {}),
    ("mentions", "workspaces/{w}/mentions", {}),
    ("search", "workspaces/{w}/search", {"q": "XYZZY"}),
    ("search_in", "workspaces/{w}/search", {"q": "in:#vault"}),
    ("search_file", "workspaces/{w}/search", {"q": "has:file"}),
]
OUTSIDE = ["admin", "guest", "non_member", "outsider", "deactivated", "anonymous"]
READ_CASES = [
    pytest.param(kind, mode, actor, *read, id=f"{read[0]}-{actor}-{kind}-{mode}")
    for read in WORKSPACE_READS
    for actor in OUTSIDE
    for kind, mode in MODES
    if not (mode == "token" and actor == "anonymous")
]


@pytest.mark.parametrize(("kind", "mode", "actor", "name", "path", "params"), READ_CASES)
def test_workspace_reads_show_nothing_of_a_conversation_you_are_not_in(
    worlds, db, kind, mode, actor, name, path, params
):
    world = worlds[kind]
    client = _client(world, actor, mode)
    response = client.get("/api/v1/" + path.format(w=world.team.workspace.public_id), params)
    assert response.status_code in (200, 401, 403, 404), response.content[:300]
    content = response.content
    if name.startswith("search") and response.status_code == 200:
        assert response.json()["matches"] == []
        content = json.dumps(response.json()["matches"]).encode()  # the query itself is echoed back
    for secret in (*SECRET_WORDS, world.channel.public_id, '"vault"'):
        assert secret.encode() not in content, (actor, name, secret)
    if response.status_code == 200 and name in ("unread", "channels", "mentions"):
        body = response.json()
        assert body.get("total_mentions", 0) == 0 or actor in ("owner", "member")


@pytest.mark.parametrize("actor", ["owner", "member"])
@pytest.mark.parametrize("kind", [P, D])
def test_insiders_see_the_conversation_in_lists_counts_and_search(worlds, db, kind, actor):
    world = worlds[kind]
    client = _client(world, actor, "session")
    base = f"/api/v1/workspaces/{world.team.workspace.public_id}"
    assert world.channel.public_id in {c["id"] for c in client.get(f"{base}/channels").json()["channels"]}
    assert world.channel.public_id in {c["channel"] for c in client.get(f"{base}/unread").json()["channels"]}
    found = client.get(f"{base}/search", {"q": "XYZZY"}).json()["matches"]
    assert {m["channel"]["id"] for m in found} == {world.channel.public_id}
    assert len(found) == 5
