"""In Chromium, against the live server and a real slapd: an owner configures the directory and tests the
connection; a directory person signs in on the ordinary login page with their LDAP password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import User
from directory.services import directory_set_trusted
from directory.tests.slapd import PASSWORD, SERVICE_PASSWORD
from workspaces.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.integration]
# The admin page's picture in docs/identity.md; SLACKCLONE_DOCS_SCREENSHOTS=1 writes it again.
DOCS_SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "identity-ldap-admin.png"


def test_an_owner_configures_ldap_and_a_directory_person_signs_in(team, slapd, people, chromium, server):
    (owner,) = people(team.owner)
    page = owner.page
    page.goto(f"/{team.workspace.slug}/admin/ldap/")
    page.check("input[name=enabled]")
    page.fill("input[name=server_uri]", slapd.uri)
    page.fill("input[name=timeout_seconds]", "3")
    page.fill("input[name=bind_dn]", "cn=service,ou=system,dc=example,dc=org")
    page.fill("input[name=bind_password]", SERVICE_PASSWORD)
    page.fill("input[name=user_search_base]", "ou=people,dc=example,dc=org")
    page.fill("input[name=user_filter]", "(&(objectClass=inetOrgPerson)(mail=%(user)s))")
    page.fill("input[name=attr_display_name]", "displayName")
    page.fill("input[name=group_search_base]", "ou=groups,dc=example,dc=org")
    page.fill("input[name=admin_group_dn]", "cn=chat-admins,ou=groups,dc=example,dc=org")
    page.fill("input[name=member_group_dn]", "cn=chat-users,ou=groups,dc=example,dc=org")
    page.click("form[action$='/admin/ldap/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.get_by_text("The directory settings have been saved.").is_visible()
    assert SERVICE_PASSWORD not in page.content()

    page.click("form[action$='/admin/ldap/test/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.get_by_text("Connected: the service account can bind and search the users.").is_visible()
    if os.environ.get("SLACKCLONE_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(DOCS_SCREENSHOT), full_page=True)
    owner.screenshot("ldap-admin")

    directory_set_trusted(workspace=team.workspace, trusted=True)
    context = chromium.new_context(base_url=server.url)
    try:
        visitor = context.new_page()
        visitor.goto("/accounts/login/")
        visitor.fill("input[name=username]", "bob@example.org")
        visitor.fill("input[name=password]", PASSWORD)
        visitor.click("form button[type=submit]")
        visitor.wait_for_load_state()
        assert "/accounts/login/" not in visitor.url
    finally:
        context.close()
    bob = User.objects.get(email="bob@example.org")
    assert Membership.objects.get(workspace=team.workspace, user=bob).role == Role.ADMIN
