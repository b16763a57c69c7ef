"""scim2-tester (python-scim's SCIM compliance checker, from PyPI) against a live server: every check it runs
must pass; none may be skipped."""

from __future__ import annotations

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
    assert results
    assert not failed, "\n".join(failed)
