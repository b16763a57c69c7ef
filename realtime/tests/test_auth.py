"""Who may open a socket: a session cookie from an allowed Origin, or a Bearer token; nobody else."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client, override_settings
from django.utils import timezone

from chat.models import Message
from realtime.tests.conftest import run, session_cookie
from workspaces.services import member_deactivate

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def _refused(sockets, headers) -> bool:
    connected, _ = await sockets.raw(headers).communicator.connect(timeout=5)
    return not connected


async def _author_of_a_post(socket, channel):
    """Who a message posted through the socket is stored as: the person the socket acts as."""
    reply = await socket.request({"id": 1, "type": "message", "channel": channel.public_id, "text": "who am I?"})
    assert reply["ok"] is True, reply
    return await run(lambda: Message.objects.select_related("author").get(channel=channel, ts=reply["ts"]).author)


async def test_session_cookie_from_the_sites_origin_gets_hello(team, sockets):
    socket = await sockets.session(team.member)
    assert (await socket.request({"id": 1, "type": "ping"}))["type"] == "pong"


@override_settings(CSRF_TRUSTED_ORIGINS=["https://*.chat.example.com"])
async def test_session_cookie_from_a_trusted_origin_is_accepted(team, sockets):
    socket = await sockets.session(team.member, origin="https://eu.chat.example.com")
    assert await _author_of_a_post(socket, team.general) == team.member


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1.evil.example"])
async def test_session_cookie_from_a_foreign_origin_is_refused(team, sockets, origin):
    cookie = await run(session_cookie, team.member)
    assert await _refused(sockets, [(b"cookie", cookie.encode()), (b"origin", origin.encode())])


@pytest.mark.parametrize("origin", ["http://localhost:31337", "https://127.0.0.1", "http://127.0.0.1:8001"])
async def test_session_cookie_from_our_host_on_another_scheme_or_port_is_refused(team, sockets, origin):
    cookie = await run(session_cookie, team.member)
    assert await _refused(sockets, [(b"cookie", cookie.encode()), (b"origin", origin.encode())])


async def test_session_cookie_from_the_origin_the_socket_was_opened_on_is_accepted(team, sockets):
    cookie = await run(session_cookie, team.member)
    headers = [(b"cookie", cookie.encode()), (b"host", b"localhost:9000"), (b"origin", b"http://localhost:9000")]
    socket = await sockets.raw(headers).connect()
    assert await _author_of_a_post(socket, team.general) == team.member


async def test_session_cookie_without_origin_is_refused(team, sockets):
    cookie = await run(session_cookie, team.member)
    assert await _refused(sockets, [(b"cookie", cookie.encode())])


async def test_api_token_needs_no_origin(team, sockets):
    socket = await sockets.token(team.member, team.workspace)
    assert (await socket.request({"id": 1, "type": "ping"}))["type"] == "pong"


async def test_no_credentials_are_closed_with_4401_and_sent_nothing(sockets):
    socket = sockets.raw([(b"origin", b"http://127.0.0.1:8000")])
    await socket.connect(expect_hello=False)
    output = await socket.recv_raw()
    assert output == {"type": "websocket.close", "code": 4401, "reason": "not_authed"}


@pytest.mark.parametrize("header", [b"Bearer xoxp-not-a-token", b"Basic dXNlcjpwYXNz", b"Bearer "])
async def test_bad_authorization_is_closed_with_4401(sockets, header):
    socket = sockets.raw([(b"authorization", header)])
    await socket.connect(expect_hello=False)
    assert await socket.expect_close() == 4401


async def test_stale_session_is_closed_with_4401(team, sockets):
    socket = sockets.raw([(b"cookie", b"sessionid=nonsense"), (b"origin", b"http://127.0.0.1:8000")])
    await socket.connect(expect_hello=False)
    assert await socket.expect_close() == 4401


async def test_deactivated_account_is_closed_with_4401(team, sockets):
    cookie = await run(session_cookie, team.member)
    team.member.is_active = False
    await run(team.member.save)
    socket = sockets.raw([(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1:8000")])
    await socket.connect(expect_hello=False)
    assert await socket.expect_close() == 4401


async def test_token_of_a_deactivated_member_is_closed_with_4401(team, sockets):
    from realtime.tests.conftest import token_for

    raw = await run(token_for, team.member, team.workspace)
    await run(member_deactivate, actor=team.owner, workspace=team.workspace, user=team.member)
    socket = sockets.raw([(b"authorization", f"Bearer {raw}".encode())])
    await socket.connect(expect_hello=False)
    assert await socket.expect_close() == 4401


async def test_logging_out_closes_the_users_open_sockets(team, sockets):
    browser = Client()
    await sync_to_async(browser.force_login)(team.member)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    socket = sockets.raw([(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1:8000")])
    await socket.connect()
    bystander = await sockets.session(team.owner)
    own_other_browser = await sockets.session(team.member)
    await sync_to_async(browser.post)("/accounts/logout/")
    assert await socket.expect_close() == 4401
    await bystander.nothing()
    await own_other_browser.nothing()  # signing out here is not signing out everywhere


async def test_deactivating_the_account_closes_its_sockets(team, sockets):
    socket = await sockets.session(team.member)
    team.member.is_active = False
    await run(team.member.save, update_fields=["is_active"])
    assert await socket.expect_close() == 4401


async def test_deactivation_in_the_last_workspace_closes_the_socket(team, sockets):
    socket = await sockets.token(team.member, team.workspace)
    await run(member_deactivate, actor=team.owner, workspace=team.workspace, user=team.member)
    assert await socket.expect_close() == 4401


async def test_a_token_socket_hears_only_its_workspace(team, outsider, sockets):
    from chat.services import message_post
    from realtime.tests.conftest import token_for
    from workspaces.models import Membership
    from workspaces.services import member_add

    other_workspace = await run(lambda: Membership.objects.get(user=outsider).workspace)
    await run(member_add, actor=outsider, workspace=other_workspace, user=team.member)
    raw = await run(token_for, team.member, team.workspace)
    socket = sockets.raw([(b"authorization", f"Bearer {raw}".encode())])
    await socket.connect()
    other_general = await run(lambda: other_workspace.channels.get(name="general"))
    await run(message_post, sender=outsider, channel=other_general, text="elsewhere")
    await run(message_post, sender=team.owner, channel=team.general, text="here")
    frames = await socket.recv_until(lambda f: f.get("type") == "message")
    assert [f["text"] for f in frames if f.get("type") == "message"] == ["here"]


async def test_a_token_socket_gets_no_ephemeral_message_or_notification_from_another_workspace(team, outsider, sockets):
    from chat.services import ephemeral_post, message_post
    from notifications.services import notify_message_posted
    from realtime.tests.conftest import token_for
    from workspaces.models import Membership
    from workspaces.services import member_add

    other_workspace = await run(lambda: Membership.objects.get(user=outsider).workspace)
    await run(member_add, actor=outsider, workspace=other_workspace, user=team.member)
    other_general = await run(lambda: other_workspace.channels.get(name="general"))
    raw = await run(token_for, team.member, team.workspace)
    token_socket = sockets.raw([(b"authorization", f"Bearer {raw}".encode())])
    await token_socket.connect()
    browser = await sockets.session(team.member)

    await run(ephemeral_post, sender=outsider, channel=other_general, recipient=team.member, text="elsewhere")
    mention = await run(message_post, sender=outsider, channel=other_general, text=f"<@{team.member.public_id}> hi")
    await run(notify_message_posted, message_id=mention.pk)
    await run(ephemeral_post, sender=team.owner, channel=team.general, recipient=team.member, text="here")

    frames = await token_socket.recv_until(lambda f: f.get("type") == "ephemeral_message")
    assert [f["message"]["text"] for f in frames if f.get("type") == "ephemeral_message"] == ["here"]
    assert not [f for f in frames if f.get("type") == "notification"]
    seen = await browser.recv_until(lambda f: f.get("type") == "ephemeral_message" and f["message"]["text"] == "here")
    assert {f["type"] for f in seen} >= {"ephemeral_message", "notification"}  # the person's own browser: both


async def test_revoking_a_token_closes_the_sockets_it_opened_and_no_others(team, sockets):
    from accounts.models import ApiToken
    from realtime.tests.conftest import token_for
    from workspaces.tokens import api_token_revoke

    revoked_raw = await run(token_for, team.member, team.workspace)
    revoked = sockets.raw([(b"authorization", f"Bearer {revoked_raw}".encode())])
    await revoked.connect()
    other_token = await sockets.token(team.member, team.workspace)
    browser = await sockets.session(team.member)
    # The first of the member's tokens is the one the first socket opened with.
    token = await ApiToken.objects.select_related("user", "workspace").filter(user=team.member).order_by("pk").afirst()
    await run(api_token_revoke, actor=team.member, token=token)
    assert await revoked.expect_close() == 4401
    await other_token.nothing()
    await browser.nothing()


async def test_a_socket_whose_token_is_revoked_while_it_opens_is_closed_instead_of_greeted(team, sockets, monkeypatch):
    from accounts.models import ApiToken
    from realtime import calls

    read_subscriptions = calls.load_subscriptions

    async def revoked_in_between(user_pk, workspace_id, token_id=None, barred=()):
        # After the handshake and the user-group join, with no close event: only the live check can notice.
        await ApiToken.objects.filter(pk=token_id).aupdate(revoked_at=timezone.now())
        return await read_subscriptions(user_pk, workspace_id, token_id, barred)

    monkeypatch.setattr(calls, "load_subscriptions", revoked_in_between)
    socket = await sockets.token(team.member, team.workspace, hello=False)
    assert await socket.expect_close() == 4401


async def test_the_subscriptions_read_on_open_tell_a_revoked_token_and_an_inactive_account(team):
    from accounts.models import ApiToken
    from realtime import calls
    from realtime.tests.conftest import token_for

    await run(token_for, team.member, team.workspace)
    token = await ApiToken.objects.aget(user=team.member)
    live = await calls.load_subscriptions(team.member.pk, token.workspace_id, token.pk)
    assert live.live
    assert live.groups
    await ApiToken.objects.filter(pk=token.pk).aupdate(revoked_at=token.created_at)
    revoked = await calls.load_subscriptions(team.member.pk, token.workspace_id, token.pk)
    assert (revoked.live, revoked.problem, revoked.groups) == (False, "token_revoked", [])
    team.member.is_active = False
    await run(team.member.save, update_fields=["is_active"])
    inactive = await calls.load_subscriptions(team.member.pk, None)
    assert (inactive.live, inactive.problem) == (False, "account_inactive")
