"""scim2-tester (python-scim's SCIM compliance checker, from PyPI) against a live server: every check it runs
must pass; none may be skipped."""

from __future__ import annotations

from collections import Counter

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from scim.tests.live import live_server_process  # noqa: F401 (a fixture)
from scim.tokens import scim_token_create
from slackclone.testing.factories import make_team

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def test_scim2_tester_checks_all_pass(live_server_process):  # noqa: F811
    team = make_team()
    _, raw = scim_token_create(actor=team.owner, workspace=team.workspace, name="scim2-tester")
    http = httpx2.Client(
        base_url=f"{live_server_process.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"}, timeout=30
    )
    with http:
        results = check_server(SyncSCIMClient(http))
    failed = [
        f"{r.status.name} {r.resource_type or ''} {r.title}: {r.reason}" for r in results if r.status not in PASSING
    ]
    print(f"scim2-tester: {len(results)} checks,", dict(Counter(r.status.name for r in results)))
    assert len(results) > 50, [r.title for r in results]
    assert not failed, "\n".join(failed)


def test_an_oversize_body_is_refused_before_it_is_read_in_scims_shape(live_server_process):  # noqa: F811
    """On the real server the body is bounded by the ASGI handler (slackclone.request_limits), before Django."""
    team = make_team()
    _, raw = scim_token_create(actor=team.owner, workspace=team.workspace)
    body = b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    with httpx2.Client(base_url=f"{live_server_process.url}/scim/v2", timeout=30) as http:
        response = http.post(
            "/Users", content=body, headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/scim+json"}
        )
    assert response.status_code == 413
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response.json()["status"] == "413"
