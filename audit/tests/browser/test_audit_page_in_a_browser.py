"""An owner reads, filters and exports the audit log in Chromium, against the real ASGI server: the events carry
the browser's real address and user agent, recorded by the server's own request handling."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from audit.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_an_owner_finds_a_failed_sign_in_on_a_member_and_exports_it(team, people, chromium, server):
    attempt = chromium.new_context(base_url=server.url)
    page = attempt.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", team.member.email)
    page.fill("input[name=password]", "not the password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    attempt.close()

    (owner,) = people(team.owner)
    owner.page.goto(f"/{team.workspace.slug}/admin/members/")
    owner.page.get_by_role("link", name="Audit log").click()
    owner.page.select_option("#id_action", AuditAction.SIGN_IN_FAILED.value)
    owner.page.get_by_role("button", name="Apply filters").click()
    owner.page.wait_for_load_state()
    rows = owner.page.locator("table tbody tr")
    assert rows.count() == 1
    assert team.member.email in rows.first.inner_text()
    assert "127.0.0.1" in rows.first.inner_text()
    owner.screenshot("audit-log")

    with owner.page.expect_download() as download:
        owner.page.get_by_role("link", name="Export CSV").click()
    (row,) = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert (row["action"], row["target_label"], row["ip_address"]) == ("sign_in_failed", team.member.email, "127.0.0.1")
    assert "Chrome" in row["user_agent"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_RUN, actor=team.owner).exists()
