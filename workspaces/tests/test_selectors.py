"""workspaces.selectors.workspace_get: the workspace a request names and the reader's membership, in one
statement, with a workspace the reader is not in (or their token is not for) not existing for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import workspace_with_owner
from workspaces.models import Membership
from workspaces.selectors import workspace_get

pytestmark = pytest.mark.django_db


def _error_of(**kwargs) -> str:
    with pytest.raises(DomainError) as raised:
        workspace_get(**kwargs)
    return raised.value.code


def test_a_member_gets_the_workspace_and_their_own_membership_in_one_statement(team):
    with CaptureQueriesContext(connection) as queries:
        workspace, membership = workspace_get(actor=team.guest, public_id=team.workspace.public_id)
        assert (membership.workspace, membership.user) == (workspace, team.guest)
    assert len(queries.captured_queries) == 1
    assert workspace == team.workspace
    assert membership == Membership.objects.get(user=team.guest, workspace=team.workspace)
    assert membership.role == Membership.objects.get(pk=membership.pk).role


def test_a_workspace_the_reader_is_not_in_or_their_token_is_not_for_does_not_exist(team, outsider):
    other = workspace_with_owner(team.member)
    public_id = team.workspace.public_id
    assert _error_of(actor=outsider, public_id=public_id) == ErrorCode.WORKSPACE_NOT_FOUND
    assert _error_of(actor=team.member, public_id=public_id, within=other) == ErrorCode.WORKSPACE_NOT_FOUND
    assert _error_of(actor=team.member, public_id="TNOSUCHONE") == ErrorCode.WORKSPACE_NOT_FOUND
    assert _error_of(actor=team.member, public_id=["not", "a", "string"]) == ErrorCode.WORKSPACE_NOT_FOUND
    assert workspace_get(actor=team.member, public_id=other.public_id, within=other)[0] == other


def test_a_deactivated_membership_or_account_is_told_so(team):
    Membership.objects.filter(user=team.member, workspace=team.workspace).update(is_active=False)
    assert _error_of(actor=team.member, public_id=team.workspace.public_id) == ErrorCode.ACCOUNT_INACTIVE
    team.other_member.is_active = False
    team.other_member.save(update_fields=["is_active"])
    assert _error_of(actor=team.other_member, public_id=team.workspace.public_id) == ErrorCode.ACCOUNT_INACTIVE
