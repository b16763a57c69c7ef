"""manage.py sync_ldap SLUG against a real slapd: names and roles follow the directory, people removed from it
are deactivated and their session, tokens and sockets stop working at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from directory.models import Directory
from directory.tests.conftest import sign_in
from directory.tests.slapd import GROUPS_BASE, PASSWORD, PEOPLE_BASE
from realtime.tests.conftest import ORIGIN, run
from slackclone.testing.api import error_code, token_client
from slackclone.testing.factories import workspace_with_owner
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db


def _remove_carol(slapd) -> None:
    slapd.ldapmodify(f"dn: uid=carol,{PEOPLE_BASE}\nchangetype: delete\n", add=False)


def test_sync_deactivates_people_removed_from_the_directory_and_ends_their_access(team, directory, slapd):
    session, _ = sign_in("carol@example.org", PASSWORD)
    carol = User.objects.get(email="carol@example.org")
    api = token_client(carol, team.workspace)
    assert session.get(f"/{team.workspace.slug}/").status_code == 200
    _remove_carol(slapd)

    out = StringIO()
    call_command("sync_ldap", team.workspace.slug, stdout=out)

    assert "1 deactivated" in out.getvalue()
    assert Membership.objects.get(workspace=team.workspace, user=carol).is_active is False
    ended = session.get(f"/{team.workspace.slug}/")
    assert (ended.status_code, ended.url.split("?")[0]) == (302, reverse("accounts:login"))  # signed out
    assert error_code(api.get(f"/api/v1/workspaces/{team.workspace.public_id}")) in {"account_inactive", "invalid_auth"}
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_DEACTIVATED, target_id=carol.public_id)
    assert event.data == {
        "role": "member",
        "method": "ldap_sync",
        "reason": "left_directory",
        "dn": f"uid=carol,{PEOPLE_BASE}".lower(),
    }
    # Members who never came from the directory are left alone.
    assert Membership.objects.filter(workspace=team.workspace, is_active=True).count() == 5


def test_sync_deactivates_a_person_whose_account_the_operator_already_deactivated(team, directory, slapd):
    sign_in("carol@example.org", PASSWORD)
    User.objects.filter(email="carol@example.org").update(is_active=False)  # as the Django admin does
    _remove_carol(slapd)

    out = StringIO()
    call_command("sync_ldap", team.workspace.slug, stdout=out)

    assert "1 deactivated" in out.getvalue()
    assert Membership.objects.get(workspace=team.workspace, user__email="carol@example.org").is_active is False


def test_sync_deactivates_people_no_longer_in_an_allowed_group(team, directory, slapd):
    sign_in("carol@example.org", PASSWORD)
    slapd.ldapmodify(
        f"dn: cn=chat-users,{GROUPS_BASE}\nchangetype: modify\ndelete: member\nmember: uid=carol,{PEOPLE_BASE}\n",
        add=False,
    )

    call_command("sync_ldap", team.workspace.slug, stdout=StringIO())

    assert Membership.objects.get(workspace=team.workspace, user__email="carol@example.org").is_active is False


def test_sync_updates_names_and_roles(team, directory, slapd):
    sign_in("carol@example.org", PASSWORD)
    slapd.ldapmodify(
        f"dn: uid=carol,{PEOPLE_BASE}\nchangetype: modify\nreplace: displayName\ndisplayName: cc\n\n"
        f"dn: cn=chat-guests,{GROUPS_BASE}\nchangetype: modify\nadd: member\nmember: uid=carol,{PEOPLE_BASE}\n\n"
        f"dn: cn=chat-users,{GROUPS_BASE}\nchangetype: modify\ndelete: member\nmember: uid=carol,{PEOPLE_BASE}\n",
        add=False,
    )

    call_command("sync_ldap", team.workspace.slug, stdout=StringIO())

    membership = Membership.objects.get(workspace=team.workspace, user__email="carol@example.org")
    assert (membership.role, membership.is_active, membership.user.display_name) == (Role.GUEST, True, "cc")
    assert Directory.objects.get(pk=directory.pk).last_synced_at is not None


def test_sync_names_a_bad_workspace(db):
    with pytest.raises(CommandError, match="workspace_not_found"):
        call_command("sync_ldap", "no-such-workspace")


def test_sync_needs_a_directory(team):
    with pytest.raises(CommandError, match="ldap_not_configured"):
        call_command("sync_ldap", team.workspace.slug)


def test_sync_refuses_a_directory_the_operator_does_not_trust(team, slapd):
    from directory.tests.conftest import configure

    configure(team.workspace, slapd, trusted=False)

    with pytest.raises(CommandError, match="not trusted"):
        call_command("sync_ldap", team.workspace.slug)


def test_the_periodic_task_syncs_every_trusted_directory(team, directory, slapd):
    from directory.tasks import sync_directories

    sign_in("carol@example.org", PASSWORD)
    _remove_carol(slapd)

    sync_directories()

    assert Membership.objects.get(workspace=team.workspace, user__email="carol@example.org").is_active is False


def test_sync_of_an_unreachable_directory_changes_nothing(team, directory, slapd):
    sign_in("carol@example.org", PASSWORD)
    _remove_carol(slapd)
    slapd.stop()

    with pytest.raises(CommandError, match="could not be reached"):
        call_command("sync_ldap", team.workspace.slug)

    assert Membership.objects.get(workspace=team.workspace, user__email="carol@example.org").is_active is True
    assert Directory.objects.get(pk=directory.pk).last_synced_at is None


def test_sync_touches_only_its_own_workspace(team, directory, slapd):
    session, _ = sign_in("carol@example.org", PASSWORD)
    carol = User.objects.get(email="carol@example.org")
    elsewhere = workspace_with_owner()
    Membership.objects.create(workspace=elsewhere, user=carol, role=Role.MEMBER)
    _remove_carol(slapd)

    call_command("sync_ldap", team.workspace.slug, stdout=StringIO())

    assert Membership.objects.get(workspace=elsewhere, user=carol).is_active is True
    assert session.get(f"/{elsewhere.slug}/").status_code == 200  # still signed in, for the other workspace


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_sync_closes_the_removed_persons_socket(team, slapd, sockets):
    from directory.tests.conftest import configure

    await run(configure, team.workspace, slapd)
    client, _ = await run(sign_in, "carol@example.org", PASSWORD)
    # The very session the LDAP sign-in made (its backend is directory.backends.DirectoryBackend).
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    socket = await sockets.raw([(b"cookie", cookie.encode()), (b"origin", ORIGIN.encode())]).connect()
    await run(_remove_carol, slapd)

    await run(call_command, "sync_ldap", team.workspace.slug, stdout=StringIO())

    assert await socket.expect_close() == 4401
    again = sockets.raw([(b"cookie", cookie.encode()), (b"origin", ORIGIN.encode())])
    await again.connect(expect_hello=False)
    assert await again.expect_close() == 4401
