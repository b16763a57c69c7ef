"""Signing in on the site's login page with a directory password, against a real slapd."""

from __future__ import annotations

import time

import pytest

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from chat.models import ChannelMember
from directory.identities import candidate_directories, ldap_identity_accept
from directory.ldap import Person
from directory.models import DirectoryLink
from directory.services import SignInRefused
from directory.tests.conftest import configure, sign_in
from directory.tests.slapd import PASSWORD, PEOPLE_BASE
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from workspaces.models import Membership, Role
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _failures(reason: str) -> int:
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, data__method="ldap")
    return failed.filter(data__reason=reason).count()


def test_first_ldap_sign_in_provisions_a_verified_account_and_joins_the_workspace(team, directory):
    client, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 302
    carol = User.objects.get(email="carol@example.org")
    assert (carol.full_name, carol.display_name) == ("Carol Chen", "carol")
    assert carol.email_verified_at is not None  # the operator trusts the directory
    assert not carol.has_usable_password()
    assert Membership.objects.get(workspace=team.workspace, user=carol).role == Role.MEMBER
    assert DirectoryLink.objects.get(directory=directory, user=carol).dn == f"uid=carol,{PEOPLE_BASE}".lower()
    assert ChannelMember.objects.filter(channel=team.general, user=carol).exists()
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor=carol).data["method"] == "ldap"
    joined = AuditEvent.objects.get(action=AuditAction.MEMBER_ADDED, target_id=carol.public_id)
    assert (joined.workspace, joined.data["method"], joined.data["provisioned"]) == (team.workspace, "ldap", True)
    assert client.get(f"/{team.workspace.slug}/").status_code == 200


@pytest.mark.parametrize(
    ("uid", "role"), [("alice", Role.OWNER), ("bob", Role.ADMIN), ("carol", Role.MEMBER), ("dave", Role.GUEST)]
)
def test_directory_groups_map_to_workspace_roles(team, directory, uid, role):
    _, response = sign_in(f"{uid}@example.org", PASSWORD)

    assert response.status_code == 302
    assert Membership.objects.get(workspace=team.workspace, user__email=f"{uid}@example.org").role == role


def test_wrong_directory_password_is_refused_and_audited(directory):
    _, response = sign_in("carol@example.org", "not-her-password")

    assert response.status_code == 200  # the form again, with its error
    assert not User.objects.filter(email="carol@example.org").exists()
    assert _failures("invalid_credentials") == 1


def test_unknown_person_is_refused_with_the_same_answer(directory):
    _, response = sign_in("nobody@example.org", PASSWORD)

    assert response.status_code == 200
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert _failures("invalid_credentials") == 1


def test_person_outside_the_user_search_base_cannot_sign_in(directory):
    _, response = sign_in("eve@example.org", PASSWORD)  # in ou=contractors, outside ou=people

    assert response.status_code == 200
    assert not User.objects.filter(email="eve@example.org").exists()


def test_person_in_no_allowed_group_cannot_sign_in(directory):
    _, response = sign_in("frank@example.org", PASSWORD)

    assert response.status_code == 200
    assert not User.objects.filter(email="frank@example.org").exists()
    assert _failures("not_in_allowed_group") == 1


def test_without_a_members_group_everyone_the_filter_finds_is_a_member(team, slapd):
    configure(team.workspace, slapd, member_group_dn="")

    sign_in("frank@example.org", PASSWORD)

    assert Membership.objects.get(workspace=team.workspace, user__email="frank@example.org").role == Role.MEMBER


def test_a_directory_the_operator_does_not_trust_signs_nobody_in(team, slapd):
    configure(team.workspace, slapd, trusted=False)

    _, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 200
    assert not User.objects.filter(email="carol@example.org").exists()


def test_later_sign_ins_bring_name_and_role_up_to_date(team, directory, slapd):
    sign_in("carol@example.org", PASSWORD)
    slapd.ldapmodify(
        f"dn: uid=carol,{PEOPLE_BASE}\nchangetype: modify\nreplace: cn\ncn: Carol Chen-Park\n\n"
        f"dn: cn=chat-admins,ou=groups,dc=example,dc=org\nchangetype: modify\nadd: member\n"
        f"member: uid=carol,{PEOPLE_BASE}\n",
        add=False,
    )

    _, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 302
    carol = User.objects.get(email="carol@example.org")
    assert carol.full_name == "Carol Chen-Park"
    assert Membership.objects.get(workspace=team.workspace, user=carol).role == Role.ADMIN
    assert User.objects.filter(email__iexact="carol@example.org").count() == 1


def test_an_existing_member_with_the_address_is_linked_not_duplicated(team, directory):
    carol = UserFactory(email="carol@example.org")
    Membership.objects.create(workspace=team.workspace, user=carol, role=Role.MEMBER)

    _, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 302
    assert DirectoryLink.objects.get(directory=directory).user == carol
    assert User.objects.filter(email__iexact="carol@example.org").count() == 1


def test_an_account_outside_the_workspace_is_never_taken_over_by_its_address(team, directory, outsider):
    # Someone elsewhere owns carol@example.org; the directory's carol must not get into that account.
    outsider.email = "carol@example.org"
    outsider.save(update_fields=["email"])
    assert candidate_directories("carol@example.org") == []  # their password never goes to this directory
    directory.links.all().delete()

    person = Person(dn=f"uid=carol,{PEOPLE_BASE}".lower(), email="carol@example.org", full_name="", display_name="")
    with pytest.raises(SignInRefused, match="email_in_use"):
        ldap_identity_accept(directory=directory, person=person, role=Role.MEMBER)
    assert not DirectoryLink.objects.exists()
    assert not Membership.objects.filter(workspace=team.workspace, user=outsider).exists()
    _, response = sign_in("carol@example.org", PASSWORD)
    assert response.status_code == 200


def test_a_deactivated_member_cannot_come_back_by_ldap(team, directory):
    sign_in("carol@example.org", PASSWORD)
    carol = User.objects.get(email="carol@example.org")
    member_deactivate(actor=None, workspace=team.workspace, user=carol)

    _, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 200
    assert _failures("member_deactivated") == 1


def test_a_directory_outage_does_not_block_password_users(team, directory, slapd):
    slapd.stop()  # by its pid

    started = time.monotonic()
    _, ldap_response = sign_in("carol@example.org", PASSWORD)
    _, password_response = sign_in(team.member.email, DEFAULT_PASSWORD)

    assert time.monotonic() - started < 10
    assert ldap_response.status_code == 200
    assert password_response.status_code == 302
    assert _failures("directory_unavailable") == 1


def test_an_unanswering_server_is_given_up_after_the_timeout(team, slapd):
    # 192.0.2.0/24 is TEST-NET-1: nothing answers there, so only the timeout ends the attempt.
    configure(team.workspace, slapd, server_uri="ldap://192.0.2.1:389", timeout_seconds=1)

    started = time.monotonic()
    _, response = sign_in("carol@example.org", PASSWORD)

    assert response.status_code == 200
    assert time.monotonic() - started < 8
    assert _failures("directory_unavailable") == 1
