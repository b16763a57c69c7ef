"""A real slapd per test (started and stopped by pid), and a workspace directory pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from directory.models import Directory
from directory.services import directory_save, directory_set_trusted
from directory.tests.slapd import (
    GROUPS_BASE,
    PEOPLE_BASE,
    SERVICE_DN,
    SERVICE_PASSWORD,
    Slapd,
    remove_slapd,
    start_slapd,
)
from realtime.tests.conftest import sockets  # noqa: F401  (the socket tests' fixture)
from slackclone.testing.api import _next_address


@pytest.fixture
def slapd() -> Iterator[Slapd]:
    server = start_slapd()
    try:
        yield server
    finally:
        remove_slapd(server)


def directory_values(server: Slapd, **overrides) -> dict:
    values = {
        "enabled": True,
        "server_uri": server.uri,
        "start_tls": False,
        "timeout_seconds": 2,
        "bind_dn": SERVICE_DN,
        "user_search_base": PEOPLE_BASE,
        "user_filter": "(&(objectClass=inetOrgPerson)(mail=%(user)s))",
        "attr_email": "mail",
        "attr_full_name": "cn",
        "attr_display_name": "displayName",
        "group_search_base": GROUPS_BASE,
        "group_type": "groupOfNames",
        "owner_group_dn": f"cn=chat-owners,{GROUPS_BASE}",
        "admin_group_dn": f"cn=chat-admins,{GROUPS_BASE}",
        "member_group_dn": f"cn=chat-users,{GROUPS_BASE}",
        "guest_group_dn": f"cn=chat-guests,{GROUPS_BASE}",
    }
    return {**values, **overrides}


def configure(workspace, server: Slapd, *, trusted: bool = True, **overrides) -> Directory:
    """The directory as an owner would set it, trusted by the operator."""
    directory_save(
        actor=None, workspace=workspace, values=directory_values(server, **overrides), bind_password=SERVICE_PASSWORD
    )
    return directory_set_trusted(workspace=workspace, trusted=trusted)


@pytest.fixture
def directory(team, slapd) -> Directory:
    return configure(team.workspace, slapd)


def sign_in(email: str, password: str) -> tuple[Client, object]:
    """The site's login page, from an address of its own (the sign-in rate limit is per address)."""
    client = Client(REMOTE_ADDR=_next_address())
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return client, response
