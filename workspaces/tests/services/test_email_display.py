"""workspace_set_email_display: who may choose who sees people's email addresses."""

from __future__ import annotations

import pytest

from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from workspaces.models import EmailDisplay
from workspaces.services import workspace_set_email_display

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["owner", "admin", None])
def test_owners_admins_and_the_operator_set_it(team, who):
    actor = getattr(team, who) if who else None
    workspace_set_email_display(actor=actor, workspace=team.workspace, email_display=EmailDisplay.EVERYONE)
    team.workspace.refresh_from_db()
    assert team.workspace.email_display == EmailDisplay.EVERYONE


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot(team, who):
    with refused(ErrorCode.RESTRICTED_ACTION):
        workspace_set_email_display(actor=getattr(team, who), workspace=team.workspace, email_display="everyone")


def test_another_workspaces_admin_cannot(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        workspace_set_email_display(actor=outsider, workspace=team.workspace, email_display="everyone")


def test_an_unknown_choice_is_refused(team):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        workspace_set_email_display(actor=team.owner, workspace=team.workspace, email_display="the-world")
