"""unique_or_none: a lookup by a unique key, read without the ORDER BY that QuerySet.first() adds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Message
from slackclone.orm import unique_or_none
from slackclone.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_returns_the_row_a_unique_key_names_without_ordering():
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        found = unique_or_none(type(user).objects.filter(public_id=user.public_id))
    assert found == user
    assert "ORDER BY" not in queries.captured_queries[0]["sql"]
    assert " LIMIT 1" in queries.captured_queries[0]["sql"]


def test_it_returns_none_when_nothing_matches_and_works_on_values():
    assert unique_or_none(Message.objects.filter(pk=-1)) is None
    user = UserFactory()
    assert unique_or_none(type(user).objects.filter(pk=user.pk).values_list("email", flat=True)) == user.email
