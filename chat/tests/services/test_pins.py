"""pin_add and pin_remove: a message is pinned once."""

import pytest

from chat.models import Pin
from chat.services import message_post, pin_add, pin_remove
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(team):
    return message_post(sender=team.member, channel=team.general, text="the rules")


def test_member_pins_a_message_to_its_channel(team, message):
    pin = pin_add(actor=team.other_member, message=message)
    assert (pin.channel_id, pin.pinned_by_id) == (team.general.pk, team.other_member.pk)


def test_pinning_twice_is_already_pinned(team, message):
    pin_add(actor=team.member, message=message)
    with refused(ErrorCode.ALREADY_PINNED):
        pin_add(actor=team.owner, message=message)


def test_unpinning(team, message):
    pin_add(actor=team.member, message=message)
    pin_remove(actor=team.owner, message=message)
    assert not Pin.objects.filter(message=message).exists()


def test_unpinning_a_message_that_is_not_pinned_is_no_pin(team, message):
    with refused(ErrorCode.NO_PIN):
        pin_remove(actor=team.member, message=message)


def test_non_member_cannot_pin(team, message):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        pin_add(actor=team.guest, message=message)
