"""Block Kit input checks: Slack's limits, each failure named by JSON pointer, ids filled in, unknown types kept."""

from __future__ import annotations

import json

import pytest

from chat.block_kit import MAX_JSON_BYTES, BlockKitInvalid, message_content, validate_attachments, validate_blocks
from slackclone.errors import DomainError, ErrorCode


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def section(text: str = "hi", **more) -> dict:
    return {"type": "section", "text": mrkdwn(text), **more}


def actions(*elements: dict, **more) -> dict:
    return {"type": "actions", "elements": list(elements), **more}


def button(text: str = "Go", **more) -> dict:
    return {"type": "button", "text": plain(text), **more}


CONFIRM = {"title": plain("Sure?"), "text": mrkdwn("Really"), "confirm": plain("Yes"), "deny": plain("No")}

# (blocks, the pointer Slack would name, words of its complaint)
INVALID = [
    ("nope", "/blocks", "JSON array"),
    ({"type": "divider"}, "/blocks", "must be an array"),
    ([[]], "/blocks/0", "must be an object"),
    ([{"text": mrkdwn("x")}], "/blocks/0/type", "is required"),
    ([section("")], "/blocks/0/text/text", "more than 0 characters"),
    ([section("x" * 3001)], "/blocks/0/text/text", "less than 3001"),
    ([{"type": "section"}], "/blocks/0/text", "required when fields is absent"),
    ([{"type": "section", "text": {"type": "html", "text": "x"}}], "/blocks/0/text/type", "plain_text or mrkdwn"),
    ([{"type": "section", "fields": [mrkdwn("f")] * 11}], "/blocks/0/fields", "no more than 10"),
    ([section(accessory=button(""))], "/blocks/0/accessory/text/text", "more than 0"),
    ([{"type": "header", "text": mrkdwn("*h*")}], "/blocks/0/text/type", "must be plain_text"),
    ([{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text", "less than 151"),
    ([{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}], "/blocks/1/block_id", "duplicate"),
    ([{"type": "divider", "block_id": "b" * 256}], "/blocks/0/block_id", "less than 256"),
    ([actions()], "/blocks/0/elements", "at least 1"),
    ([actions(*[button()] * 26)], "/blocks/0/elements", "no more than 25"),
    ([actions(button(action_id="a"), button(action_id="a"))], "/blocks/0/elements/1/action_id", "duplicate"),
    ([actions(button(style="loud"))], "/blocks/0/elements/0/style", "primary or danger"),
    ([actions(button(url="javascript:alert(1)"))], "/blocks/0/elements/0/url", "http, https or mailto"),
    ([actions(button(text="x" * 76))], "/blocks/0/elements/0/text/text", "less than 76"),
    ([actions(button(confirm={**CONFIRM, "deny": mrkdwn("n")}))], "/blocks/0/elements/0/confirm/deny/type", "plain"),
    ([actions({"type": "static_select", "options": []})], "/blocks/0/elements/0/options", "at least 1"),
    (
        [actions({"type": "static_select", "options": [option("a", "1")], "initial_option": option("b", "2")})],
        "/blocks/0/elements/0/initial_option",
        "match one of the options",
    ),
    (
        [actions({"type": "static_select", "options": [{"text": plain("a")}]})],
        "/blocks/0/elements/0/options/0/value",
        "must be a string",
    ),
    (
        [actions({"type": "static_select", "options": [{**option("a", "1"), "url": "https://x.test"}]})],
        "/blocks/0/elements/0/options/0/url",
        "overflow",
    ),
    (
        [actions({"type": "overflow", "options": [option("a", str(n)) for n in range(6)]})],
        "/blocks/0/elements/0/options",
        "no more than 5",
    ),
    ([actions({"type": "datepicker", "initial_date": "5/12/2026"})], "/blocks/0/elements/0/initial_date", "YYYY-MM-DD"),
    ([actions({"type": "timepicker", "initial_time": "25:00"})], "/blocks/0/elements/0/initial_time", "HH:mm"),
    ([actions({"type": "users_select", "initial_user": "<script>"})], "/blocks/0/elements/0/initial_user", "user or"),
    (
        [actions({"type": "checkboxes", "options": [option("a", str(n)) for n in range(11)]})],
        "/blocks/0/elements/0/options",
        "no more than 10",
    ),
    (
        [{"type": "input", "label": plain("L"), "element": {"type": "plain_text_input", "max_length": 0}}],
        "/blocks/0/element/max_length",
        "from 1 to 3000",
    ),
    ([{"type": "input", "label": plain("L")}], "/blocks/0/element", "is required"),
    ([{"type": "input", "element": {"type": "plain_text_input"}}], "/blocks/0/label", "text object"),
    ([{"type": "image", "image_url": "data:image/png;base64,AAAA", "alt_text": "x"}], "/blocks/0/image_url", "http"),
    ([{"type": "image", "image_url": "https://x.test/a.png"}], "/blocks/0/alt_text", "must be a string"),
    ([{"type": "context", "elements": [mrkdwn("c")] * 11}], "/blocks/0/elements", "no more than 10"),
    ([{"type": "rich_text", "elements": [{"type": "paragraph"}]}], "/blocks/0/elements/0/type", "rich_text_section"),
    (
        [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "script"}]}]}],
        "/blocks/0/elements/0/elements/0/type",
        "rich text element",
    ),
    ([{"type": "divider"}] * 51, "/blocks", "no more than 50"),
]


@pytest.mark.parametrize(("blocks", "pointer", "problem"), INVALID)
def test_each_broken_limit_is_named_by_its_json_pointer(blocks, pointer, problem):
    with pytest.raises(BlockKitInvalid) as refused:
        validate_blocks(blocks)
    assert refused.value.code == ErrorCode.INVALID_BLOCKS
    assert refused.value.pointer == pointer
    assert problem in refused.value.problem
    assert refused.value.message.endswith(f"[json-pointer:{pointer}]")


def test_a_modal_holds_a_hundred_blocks_and_a_message_fifty():
    assert len(validate_blocks([{"type": "divider"}] * 100, surface="modal")) == 100
    with pytest.raises(BlockKitInvalid):
        validate_blocks([{"type": "divider"}] * 101, surface="modal")


def test_more_json_than_the_limit_is_refused_whatever_it_holds():
    huge = [section("x" * 3000, block_id=f"b{n}") for n in range(MAX_JSON_BYTES // 3000 + 1)]
    with pytest.raises(BlockKitInvalid, match="kB of JSON"):
        validate_blocks(huge, surface="modal")


def test_every_block_and_interactive_element_gets_an_id_and_chosen_ids_are_kept():
    checked = validate_blocks(
        json.dumps([section("a"), actions(button(), button(action_id="mine")), {"type": "divider", "block_id": "d"}])
    )
    assert all(block["block_id"] for block in checked)
    assert checked[2]["block_id"] == "d"
    first, second = checked[1]["elements"]
    assert first["action_id"]
    assert first["action_id"] != "mine"
    assert second["action_id"] == "mine"
    assert len({block["block_id"] for block in checked}) == 3


def test_what_is_sent_is_not_changed_in_place():
    sent = [actions(button())]
    validate_blocks(sent)
    assert "block_id" not in sent[0]
    assert "action_id" not in sent[0]["elements"][0]


def test_unknown_block_and_element_types_are_kept_for_the_client_to_show_their_fallback():
    checked = validate_blocks([{"type": "video_call_2030", "title": plain("t")}, actions({"type": "hologram"})])
    assert checked[0]["type"] == "video_call_2030"
    assert checked[1]["elements"][0]["type"] == "hologram"


def test_every_element_of_slacks_reference_passes():
    every = [
        {
            "type": "header",
            "text": plain(
                "Header :tada:",
            ),
        },
        section(
            "*bold*",
            fields=[mrkdwn("f1"), plain("f2")],
            accessory={"type": "image", "image_url": "https://x.test/i.png", "alt_text": "i"},
        ),
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "image", "image_url": "https://x.test/i.png", "alt_text": "i"}, mrkdwn("c")],
        },
        {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "i", "title": plain("t")},
        actions(
            button(style="primary", value="v", confirm=CONFIRM),
            button(url="https://example.com"),
            {
                "type": "static_select",
                "placeholder": plain("Pick"),
                "option_groups": [{"label": plain("G"), "options": [option("a", "1")]}],
            },
            {
                "type": "multi_static_select",
                "options": [option("a", "1"), option("b", "2")],
                "initial_options": [option("a", "1")],
                "max_selected_items": 2,
            },
            {"type": "users_select", "initial_user": "U123ABC"},
            {"type": "multi_users_select", "initial_users": ["U123ABC"]},
            {"type": "conversations_select", "initial_conversation": "C123ABC"},
            {"type": "channels_select", "initial_channel": "C123ABC"},
            {"type": "overflow", "options": [{**option("Docs", "d"), "url": "https://example.com/docs"}]},
            {"type": "datepicker", "initial_date": "2026-12-05"},
            {"type": "timepicker", "initial_time": "09:30"},
            {"type": "checkboxes", "options": [{"text": mrkdwn("*a*"), "value": "1", "description": plain("d")}]},
            {
                "type": "radio_buttons",
                "options": [option("a", "1"), option("b", "2")],
                "initial_option": option("b", "2"),
            },
        ),
        {
            "type": "input",
            "label": plain("Why"),
            "hint": plain("h"),
            "optional": True,
            "element": {"type": "plain_text_input", "multiline": True, "min_length": 1, "max_length": 500},
        },
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "b", "style": {"bold": True}},
                        {"type": "link", "url": "https://x.test"},
                        {"type": "user", "user_id": "U1"},
                        {"type": "emoji", "name": "tada"},
                        {"type": "broadcast", "range": "here"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "item"}]}],
                },
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "q"}]},
                {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "code"}]},
            ],
        },
    ]
    assert [block["type"] for block in validate_blocks(every, surface="modal")] == [block["type"] for block in every]


def test_attachments_are_checked_with_their_own_error_and_nested_blocks():
    fine = validate_attachments(
        [{"color": "#36a64f", "title": "T", "title_link": "https://x.test", "blocks": [section()]}]
    )
    assert fine[0]["blocks"][0]["block_id"]
    for attachments, pointer in (
        ([{"color": "red; background: url(x)"}], "/attachments/0/color"),
        ([{"title_link": "javascript:alert(1)"}], "/attachments/0/title_link"),
        ([{"blocks": [section("")]}], "/attachments/0/blocks/0/text/text"),
        ([{"fields": ["x"]}], "/attachments/0/fields/0"),
        ([{}] * 101, "/attachments"),
    ):
        with pytest.raises(BlockKitInvalid) as refused:
            validate_attachments(attachments)
        assert (refused.value.code, refused.value.pointer) == (ErrorCode.INVALID_ATTACHMENTS, pointer)


def test_text_is_the_fallback_and_blocks_words_stand_in_when_it_is_empty():
    blocks = [section("*deploy* <@U1>")]
    assert message_content("Deploying", blocks).text == "Deploying"
    assert message_content("Deploying", blocks).mention_text == "Deploying\n*deploy* <@U1>"
    assert message_content("", blocks).text == "*deploy* <@U1>"
    assert message_content("", attachments=[{"fallback": "fb"}]).text == "fb"
    with pytest.raises(DomainError) as empty:
        message_content("", [{"type": "divider"}])
    assert empty.value.code == ErrorCode.NO_TEXT
