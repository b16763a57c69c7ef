"""/<slug>/admin/ldap/: only the workspace's owners see and change its directory; the bind password is stored
sealed and never shown back; "Test connection" says why it failed."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.test import Client

from audit.models import AuditAction, AuditEvent
from directory.models import Directory
from directory.sealing import unseal
from directory.services import directory_save
from directory.tests.conftest import configure, directory_values
from directory.tests.slapd import SERVICE_PASSWORD, free_port
from slackclone.testing.factories import workspace_with_owner

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(workspace, tail: str = "") -> str:
    return f"/{workspace.slug}/admin/ldap/{tail}"


def _form(slapd, **overrides) -> dict:
    values = {key: value for key, value in directory_values(slapd, **overrides).items() if value is not False}
    return {**values, "bind_password": SERVICE_PASSWORD}


def _messages(response) -> list[str]:
    return [str(m) for m in messages.get_messages(response.wsgi_request)]


def test_owner_saves_the_directory_and_the_password_is_sealed_and_never_shown(team, slapd):
    owner = _client(team.owner)

    response = owner.post(_url(team.workspace), _form(slapd))

    assert response.status_code == 302
    directory = Directory.objects.get(workspace=team.workspace)
    assert directory.server_uri == slapd.uri
    assert directory.trusted is False
    assert SERVICE_PASSWORD not in directory.bind_password_sealed
    assert unseal(directory.bind_password_sealed) == SERVICE_PASSWORD
    page = owner.get(_url(team.workspace))
    assert page.status_code == 200
    assert SERVICE_PASSWORD not in page.content.decode()
    assert directory.bind_password_sealed not in page.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.SSO_CONFIG_CHANGED, workspace=team.workspace)
    assert event.actor == team.owner
    assert event.data["provider"] == "ldap"
    assert "bind_password" in event.data["fields"]
    assert SERVICE_PASSWORD not in str(event.data)


def test_saving_without_a_password_keeps_the_stored_one(team, slapd):
    configure(team.workspace, slapd)
    form = _form(slapd, user_filter="(uid=%(user)s)")
    form.pop("bind_password")

    _client(team.owner).post(_url(team.workspace), form)

    directory = Directory.objects.get(workspace=team.workspace)
    assert (directory.user_filter, unseal(directory.bind_password_sealed)) == ("(uid=%(user)s)", SERVICE_PASSWORD)


def test_pointing_the_directory_elsewhere_ends_the_operators_trust(team, slapd):
    configure(team.workspace, slapd)

    _client(team.owner).post(_url(team.workspace), _form(slapd, server_uri="ldap://ldap.elsewhere.test"))

    assert Directory.objects.get(workspace=team.workspace).trusted is False


def test_a_bad_filter_is_refused_on_its_field(team, slapd):
    response = _client(team.owner).post(_url(team.workspace), _form(slapd, user_filter="mail=someone"))

    assert response.status_code == 200
    assert "user_filter" in response.context["form"].errors
    assert not Directory.objects.exists()


def test_test_connection_reports_success(team, slapd):
    configure(team.workspace, slapd)

    response = _client(team.owner).post(_url(team.workspace, "test/"))

    assert _messages(response) == ["Connected: the service account can bind and search the users."]


def test_test_connection_reports_an_unreachable_server(team, slapd):
    configure(team.workspace, slapd, server_uri=f"ldap://127.0.0.1:{free_port()}")

    response = _client(team.owner).post(_url(team.workspace, "test/"))

    assert "could not be reached" in _messages(response)[0]


def test_test_connection_reports_a_refused_bind(team, slapd):
    configure(team.workspace, slapd)
    directory_save(actor=None, workspace=team.workspace, values={}, bind_password="wrong")

    response = _client(team.owner).post(_url(team.workspace, "test/"))

    assert "refused the bind DN and password" in _messages(response)[0]


def test_test_connection_reports_a_missing_search_base(team, slapd):
    configure(team.workspace, slapd, user_search_base="ou=nobody,dc=example,dc=org")

    response = _client(team.owner).post(_url(team.workspace, "test/"))

    assert "search base does not exist" in _messages(response)[0]


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_only_owners_see_or_change_the_directory(team, slapd, role):
    configure(team.workspace, slapd)
    client = _client(getattr(team, role))

    assert client.get(_url(team.workspace)).status_code == 403
    assert client.post(_url(team.workspace), _form(slapd, server_uri="ldap://evil.test")).status_code == 403
    assert client.post(_url(team.workspace, "test/")).status_code == 403
    assert Directory.objects.get(workspace=team.workspace).server_uri == slapd.uri


def test_another_workspaces_owner_and_outsiders_find_nothing(team, slapd, outsider):
    configure(team.workspace, slapd)
    workspace_with_owner(outsider)

    for client in (_client(outsider), _client(workspace_with_owner().created_by)):
        assert client.get(_url(team.workspace)).status_code == 404
        assert client.post(_url(team.workspace), _form(slapd, server_uri="ldap://evil.test")).status_code == 404
        assert client.post(_url(team.workspace, "test/")).status_code == 404
    assert Client().get(_url(team.workspace)).status_code == 302  # to the login page
    assert Directory.objects.get(workspace=team.workspace).server_uri == slapd.uri


def test_the_operator_trusts_a_directory_in_django_admin(team, slapd, admin_client):
    configure(team.workspace, slapd, trusted=False)
    directory = Directory.objects.get(workspace=team.workspace)
    form = {**_form(slapd), "trusted": "on", "bind_password": ""}

    response = admin_client.post(f"/admin/directory/directory/{directory.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    directory.refresh_from_db()
    assert directory.trusted is True
    assert unseal(directory.bind_password_sealed) == SERVICE_PASSWORD
    trusted = AuditEvent.objects.get(action=AuditAction.SSO_CONFIG_CHANGED, data__trusted=True)
    assert trusted.actor is not None
    assert trusted.actor.is_superuser


def test_test_connection_reports_starttls_the_server_does_not_offer(team, slapd):
    configure(team.workspace, slapd, start_tls=True)

    response = _client(team.owner).post(_url(team.workspace, "test/"))

    assert "StartTLS failed" in _messages(response)[0]


def test_the_operator_adds_a_directory_in_django_admin(team, slapd, admin_client):
    form = {**_form(slapd), "workspace": team.workspace.pk, "trusted": "on"}

    response = admin_client.post("/admin/directory/directory/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    directory = Directory.objects.get(workspace=team.workspace)
    assert (directory.trusted, unseal(directory.bind_password_sealed)) == (True, SERVICE_PASSWORD)
