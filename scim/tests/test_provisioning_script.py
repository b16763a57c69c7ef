"""The provisioning script an identity provider runs, end to end over HTTP against a live server: 1,000
people provisioned, then 100 of them deactivated (half by PATCH active=false, half by DELETE). Each of the
100 had a signed-in browser session, an API token and (20 of them) open sockets; all of it ends, and the
people kept keep theirs."""

from __future__ import annotations

import asyncio
import json
import time

import httpx2
import pytest
import websockets

from accounts.models import ApiToken, User
from realtime.tests.conftest import ORIGIN, session_cookie, token_for
from scim.tests.live import live_server_process  # noqa: F401 (a fixture)
from scim.tokens import scim_token_create
from slackclone.testing.factories import make_team
from workspaces.models import Membership

pytestmark = [pytest.mark.integration, pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

PEOPLE = 1000
DEACTIVATED = 100
WITH_SOCKETS = 10  # of the deactivated, with a session socket and a token socket each
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _set_up():
    team = make_team()
    _, raw = scim_token_create(actor=team.owner, workspace=team.workspace, name="script")
    return team, raw


async def _provision(http: httpx2.AsyncClient) -> list[str]:
    limit = asyncio.Semaphore(4)

    async def one(n: int) -> str:
        email = f"person{n:04d}@example.com"
        body = {
            "schemas": [USER_SCHEMA],
            "userName": email,
            "externalId": f"ext-{n}",
            "name": {"givenName": "Person", "familyName": f"{n:04d}"},
            "emails": [{"value": email, "type": "work", "primary": True}],
            "active": True,
        }
        async with limit:
            response = await http.post("/Users", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return list(await asyncio.gather(*(one(n) for n in range(PEOPLE))))


def _credentials(workspace, public_ids: list[str]) -> dict[str, tuple[str, str]]:
    """A browser session cookie and an API token for each person."""
    found = {}
    for user in User.objects.filter(public_id__in=public_ids):
        found[user.public_id] = (session_cookie(user), token_for(user, workspace))
    return found


async def _open_socket(url: str, **headers: str):
    ws = await websockets.connect(
        url, additional_headers=headers, open_timeout=10, **({"origin": ORIGIN} if "Cookie" in headers else {})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "hello"}
    return ws


async def _closes(ws) -> int:
    """The close code of a socket the server closes (it must within 10 s)."""
    try:
        async with asyncio.timeout(10):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    raise AssertionError("not closed")


async def _still_open(ws) -> None:
    """The socket is open: what the server sent is read (people changed) until it goes quiet, then a ping is
    answered."""
    while True:
        try:
            await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            break
    await asyncio.wait_for(await ws.ping(), 5)
    await ws.close()


async def test_provisioning_1000_people_and_deactivating_100_ends_their_sessions_tokens_and_sockets(
    live_server_process,  # noqa: F811
):
    server = live_server_process
    team, raw = await asyncio.to_thread(_set_up)
    scim = httpx2.AsyncClient(base_url=f"{server.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    web = httpx2.AsyncClient(base_url=server.url, timeout=30, follow_redirects=False)
    async with scim, web:
        started = time.monotonic()
        ids = await _provision(scim)
        provisioned_in = time.monotonic() - started
        print(f"provisioned {PEOPLE} in {provisioned_in:.1f} s")
        listed = (await scim.get("/Users", params={"count": 1})).json()
        assert listed["totalResults"] == PEOPLE + 5  # and the team's five
        found = await scim.get("/Users", params={"filter": 'userName eq "person0500@example.com"'})
        assert [r["id"] for r in found.json()["Resources"]] == [ids[500]]

        leaving, staying = ids[:DEACTIVATED], ids[DEACTIVATED : DEACTIVATED + 5]
        credentials = await asyncio.to_thread(_credentials, team.workspace, leaving + staying)
        ws_url = f"ws://127.0.0.1:{server.port}/ws/"
        sockets = {}
        for public_id in leaving[:WITH_SOCKETS] + staying:
            cookie, token = credentials[public_id]
            sockets[public_id] = (
                await _open_socket(ws_url, Cookie=cookie),
                await _open_socket(ws_url, Authorization=f"Bearer {token}"),
            )

        started = time.monotonic()
        for n, public_id in enumerate(leaving):
            if n % 2:
                response = await scim.delete(f"/Users/{public_id}")
                assert response.status_code == 204, response.text
            else:
                patch = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}
                response = await scim.patch(f"/Users/{public_id}", json=patch)
                assert response.status_code == 200, response.text
                assert response.json()["active"] is False
        deactivated_in = time.monotonic() - started

        for public_id in leaving[:WITH_SOCKETS]:
            codes = [await _closes(ws) for ws in sockets[public_id]]
            assert all(code in (4401, 4013) for code in codes), codes
        for public_id in staying:
            for ws in sockets[public_id]:
                await _still_open(ws)

        for public_id in leaving + staying:
            cookie, token = credentials[public_id]
            page = await web.get(f"/{team.workspace.slug}/", headers={"Cookie": cookie})
            api = await web.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            if public_id in staying:
                assert (page.status_code, api.status_code) == (200, 200), public_id
            else:
                assert page.status_code == 302, public_id
                assert "/accounts/login/" in page.headers["location"]
                assert api.status_code == 401, public_id

    def stored_state():
        memberships = Membership.objects.filter(workspace=team.workspace, user__public_id__in=leaving)
        tokens = ApiToken.objects.filter(user__public_id__in=leaving, revoked_at=None)
        return memberships.filter(is_active=True).count(), tokens.count()

    assert await asyncio.to_thread(stored_state) == (0, 0)
    print(f"provisioned {PEOPLE} in {provisioned_in:.1f} s, deactivated {DEACTIVATED} in {deactivated_in:.1f} s")
