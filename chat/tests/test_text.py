"""What people type: channel names, message text, emoji names and Slack's mention markup."""

import time

import pytest
from django.conf import settings

from chat.models import MentionKind
from chat.text import check_channel_name, check_emoji_name, check_message_text, parse_mentions
from slackclone.errors import DomainError, ErrorCode


def _code(call) -> ErrorCode:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


@pytest.mark.parametrize("name", ["general", "q3-planning", "ops_oncall", "2025", "a", "x" * 80])
def test_slack_style_channel_names_are_accepted(name):
    assert check_channel_name(name) == name


def test_a_leading_hash_and_surrounding_spaces_are_forgiven():
    assert check_channel_name("  #design ") == "design"


@pytest.mark.parametrize(
    "name",
    [
        "Design",  # uppercase is refused, not silently lowered
        "design team",
        "x" * 81,
        "design.team",
        "design!",
        "über",
        "-design",
        "_design",
        "",
        "   ",
        "#",
        None,
    ],
)
def test_channel_names_breaking_slacks_rules_are_invalid_name(name):
    assert _code(lambda: check_channel_name(name)) == ErrorCode.INVALID_NAME


def test_message_text_keeps_leading_whitespace_and_trims_trailing():
    assert check_message_text("  indented code\n\n") == "  indented code"


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n", None])
def test_empty_or_whitespace_text_is_no_text(text):
    assert _code(lambda: check_message_text(text)) == ErrorCode.NO_TEXT


def test_text_of_exactly_40000_characters_is_accepted():
    assert len(check_message_text("x" * 40_000)) == 40_000


def test_text_of_40001_characters_is_msg_too_long():
    with pytest.raises(DomainError) as info:
        check_message_text("x" * 40_001)
    assert info.value.code == ErrorCode.MSG_TOO_LONG
    assert "40,000" in info.value.message


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("thumbsup", "thumbsup"),
        (":tada:", "tada"),
        ("+1", "+1"),
        ("Wave", "wave"),
        ("wave::skin-tone-3", "wave::skin-tone-3"),
    ],
)
def test_emoji_shortcodes_are_normalised(raw, stored):
    assert check_emoji_name(raw) == stored


@pytest.mark.parametrize("raw", ["", "::", "thumbs up", "💥", "a" * 101, "<script>", "wave::skin-tone-9"])
def test_anything_but_a_shortcode_is_invalid_emoji(raw):
    assert _code(lambda: check_emoji_name(raw)) == ErrorCode.INVALID_EMOJI


def test_mentions_are_parsed_from_slack_markup_once_each_in_order():
    parsed = parse_mentions("<@UBBBBBBBBBB> and <@UAAAAAAAAAA|ann> cc <@UBBBBBBBBBB> <!here> <!channel> <!here|here>")
    assert parsed.user_ids == ["UBBBBBBBBBB", "UAAAAAAAAAA"]
    assert parsed.broadcasts == [MentionKind.HERE, MentionKind.CHANNEL]


def test_everyone_is_a_broadcast_and_plain_at_words_are_not_mentions():
    parsed = parse_mentions("@channel @ann <!everyone> <#CAAAAAAAAAA|general> <@lowercase>")
    assert parsed.user_ids == []
    assert parsed.broadcasts == [MentionKind.EVERYONE]


@pytest.mark.parametrize("piece", ["<@UAA|", "<!here|", "<@UAA|<!here|x"])
def test_parsing_the_mentions_of_a_whole_message_of_unclosed_labels_is_linear(piece):
    text = (piece * (settings.MESSAGE_MAX_CHARS // len(piece)))[: settings.MESSAGE_MAX_CHARS]
    started = time.thread_time()
    parsed = parse_mentions(text)
    assert (time.thread_time() - started) * 1000 < 50
    assert parsed.user_ids == []
    assert parsed.broadcasts == []


def test_a_label_ends_at_the_next_angle_bracket():
    parsed = parse_mentions("<@UAAAAAAAAAA|ann <@UBBBBBBBBBB|bob> <!here|x<!channel>")
    assert parsed.user_ids == ["UBBBBBBBBBB"]
    assert parsed.broadcasts == [MentionKind.CHANNEL]
