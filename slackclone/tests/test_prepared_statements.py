"""Prepared statements on PostgreSQL (settings.DATABASE_PREPARED_STATEMENTS, on by default; the options it
sets are tested with the other settings in test_settings.py): a statement a process runs again and again
is parsed and planned once per connection, not on every run."""

from __future__ import annotations

import pytest

from chat.models import Channel
from slackclone.testing.plans import prepared_statements

pytestmark = pytest.mark.django_db


def test_a_statement_run_again_and_again_is_prepared_on_its_connection(team):
    def purpose() -> str:
        return Channel.objects.values_list("purpose", flat=True).get(pk=team.general.pk)

    for _ in range(8):
        assert purpose() == team.general.purpose

    [prepared] = prepared_statements('SELECT "chat_channel"."purpose"')
    assert "$1" in prepared.statement  # bound by the server, not spelled into the text
    assert prepared.generic_plans + prepared.custom_plans == 3  # runs 6 to 8: prepared after five
