"""slackclone.rawsql: model instances from hand-written statements, the same as the ORM's."""

import pytest
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from chat.models import Channel, Message
from slackclone.rawsql import Columns
from slackclone.testing.factories import ChannelFactory, MessageFactory, UserFactory

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


def test_json_columns_read_as_the_orm_reads_them_and_each_empty_list_is_a_list_of_its_own():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "[]"}}]
    plain, rich = MessageFactory(), MessageFactory(blocks=blocks, legacy_attachments=[])
    columns = Columns(Message, "m")

    first, second = columns.by_pk(plain.pk), columns.by_pk(plain.pk)
    assert (first.blocks, first.legacy_attachments) == ([], [])
    first.blocks.append("changed")
    assert second.blocks == []
    read = columns.by_pk(rich.pk)
    assert (read.blocks, read.legacy_attachments) == (blocks, [])
    orm = Message.objects.get(pk=rich.pk)
    assert (read.blocks, read.legacy_attachments) == (orm.blocks, orm.legacy_attachments)


def _state_and_values(instance):
    return (
        {key: value for key, value in instance.__dict__.items() if key != "_state"},
        (instance._state.adding, instance._state.db),
    )


@pytest.mark.parametrize(("model", "factory"), [(User, UserFactory), (Channel, ChannelFactory)])
def test_an_instance_built_without_init_is_the_one_from_db_builds(model, factory):
    row = factory()
    columns = Columns(model, "x")
    assert columns._built_without_init  # plain columns, foreign keys and files; nothing listens for init
    with connection.cursor() as cursor:
        cursor.execute(f"{columns._by_pk_sql}", [row.pk])
        values = cursor.fetchone()
    built = columns.instance(values)
    assert type(built) is model
    assert _state_and_values(built) == _state_and_values(model.objects.get(pk=row.pk))


def test_a_file_built_without_init_opens_as_the_orms_does():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(avatar="avatars/ada.png")
    found = Columns(User, "u").by_pk(user.pk)
    assert (found.avatar.name, found.avatar.instance) == ("avatars/ada.png", found)


def test_a_deferred_column_of_an_instance_built_without_init_loads_on_first_read():
    channel = ChannelFactory(name="deferred")
    found = Columns(Channel, "c", only=("id", "last_seq")).by_pk(channel.pk)
    with CaptureQueriesContext(connection) as queries:
        assert found.name == "deferred"
    assert len(queries.captured_queries) == 1


def test_a_model_with_init_receivers_is_built_through_its_init():
    channel = ChannelFactory()
    seen = []

    def note(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(note, sender=Channel)
    try:
        columns = Columns(Channel, "c")
        assert not columns._built_without_init
        assert columns.by_pk(channel.pk) == channel
    finally:
        post_init.disconnect(note, sender=Channel)
    assert seen == [channel.pk]


def test_a_model_with_its_own_from_db_is_built_through_it(monkeypatch):
    channel = ChannelFactory()
    built = []

    def from_db(cls, db, field_names, values):
        instance = Model.from_db.__func__(cls, db, field_names, values)
        built.append(instance.pk)
        return instance

    monkeypatch.setattr(Channel, "from_db", classmethod(from_db))
    columns = Columns(Channel, "c")
    assert not columns._built_without_init
    assert columns.by_pk(channel.pk) == channel
    assert built == [channel.pk]
