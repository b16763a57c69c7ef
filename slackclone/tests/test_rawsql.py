"""slackclone.rawsql: model instances from hand-written statements, the same as the ORM's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from chat.models import Channel
from slackclone.rawsql import Columns
from slackclone.testing.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_by_pk_reads_the_same_instance_as_the_orm_in_one_statement():
    user = UserFactory(display_name="Ada")
    with CaptureQueriesContext(connection) as queries:
        found = Columns(User, "u").by_pk(user.pk)
    assert len(queries.captured_queries) == 1
    assert found == user
    orm = User.objects.get(pk=user.pk)
    assert {field.attname: getattr(found, field.attname) for field in User._meta.concrete_fields} == {
        field.attname: getattr(orm, field.attname) for field in User._meta.concrete_fields
    }
    assert found._state.adding is False
    assert found._state.db == "default"


def test_by_pk_with_only_some_columns_defers_the_rest_and_finds_nothing_for_an_unknown_key():
    channel = ChannelFactory()
    columns = Columns(Channel, "c", only=("id", "last_seq"))
    found = columns.by_pk(channel.pk)
    assert found.last_seq == channel.last_seq
    assert "name" in found.get_deferred_fields()
    assert columns.by_pk(-1) is None
