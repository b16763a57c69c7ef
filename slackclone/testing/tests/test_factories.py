"""Factory-made rows keep the invariants the services keep, so tests built on them are realistic."""

import re

import pytest

from accounts.models import hash_token
from chat.models import Channel, ChannelKind
from slackclone.ids import ALPHABET
from slackclone.testing.factories import (
    DEFAULT_PASSWORD,
    ApiTokenFactory,
    ChannelFactory,
    MembershipFactory,
    MessageFactory,
    PinFactory,
    ReactionFactory,
    UserFactory,
)
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_messages_get_the_next_seq_and_an_increasing_ts():
    channel = ChannelFactory()
    messages = MessageFactory.create_batch(3, channel=channel)
    assert [m.seq for m in messages] == [1, 2, 3]
    assert [m.ts for m in messages] == sorted({m.ts for m in messages})
    channel = Channel.objects.get(pk=channel.pk)
    assert (channel.last_seq, channel.last_ts) == (3, messages[-1].ts)


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [(ChannelKind.PUBLIC, "C"), (ChannelKind.PRIVATE, "G"), (ChannelKind.DM, "D"), (ChannelKind.GROUP_DM, "G")],
)
def test_channels_get_a_public_id_of_their_kind(kind, prefix):
    assert re.fullmatch(rf"{prefix}[{ALPHABET}]{{10}}", ChannelFactory(kind=kind).public_id)


def test_people_log_in_with_the_default_password():
    assert UserFactory().check_password(DEFAULT_PASSWORD)


def test_reactions_and_pins_attach_to_a_message_of_their_channel():
    pin = PinFactory()
    assert pin.channel == pin.message.channel
    assert ReactionFactory(message=pin.message).message.seq == 1


def test_an_api_token_row_stores_only_the_hash_of_its_raw_token():
    raw = "xoxp-factory-made-token-0123456789abcdefghij"
    token = ApiTokenFactory(raw=raw)
    assert (token.token_hash, token.prefix) == (hash_token(raw), raw[:12])
    MembershipFactory(user=token.user, workspace=token.workspace)
    assert api_token_authenticate(raw).pk == token.pk
