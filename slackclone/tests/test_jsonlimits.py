"""JSON from outside, parsed with a bound on nesting: deep JSON is refused before the json module recurses."""

from __future__ import annotations

import json
import time

import pytest

from slackclone import jsonlimits

DEEP = 100_000  # far past the interpreter's recursion limit


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


@pytest.mark.parametrize(
    "text",
    [nested(DEEP), "[" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP, "[" * 30 + '{"x":' * 40 + "1"],
    ids=["arrays", "unclosed-arrays", "objects", "mixed"],
)
def test_json_nested_past_the_limit_is_refused_without_recursion(text):
    with pytest.raises(jsonlimits.JSONError, match="nested more than 64 levels deep"):
        jsonlimits.loads(text)


def test_json_at_the_limit_parses():
    assert jsonlimits.loads(nested(64)) == json.loads(nested(64))
    with pytest.raises(jsonlimits.JSONError):
        jsonlimits.loads(nested(65))


def test_the_limit_is_a_setting_and_an_argument(settings):
    settings.JSON_MAX_DEPTH = 3
    assert jsonlimits.loads("[[[1]]]") == [[[1]]]
    with pytest.raises(jsonlimits.JSONError):
        jsonlimits.loads("[[[[1]]]]")
    assert jsonlimits.loads("[[[[1]]]]", max_depth=4) == [[[[1]]]]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"text": "[" * 1000}),
        json.dumps({"text": '\\"[[[[' * 500}),
        json.dumps(["{" * 200, "]" * 200, '"' * 200]),
        json.dumps({"a\\": "[[[[[[[", "b": ["\\\\", "[[[["]}),
    ],
    ids=["brackets-in-a-string", "escaped-quotes", "strings-of-delimiters", "escaped-backslashes"],
)
def test_brackets_inside_strings_do_not_count(text):
    assert jsonlimits.loads(text, max_depth=2) == json.loads(text)


def test_bytes_in_any_json_encoding():
    value = {"text": "héllo", "list": [[1]]}
    for encoding in ("utf-8", "utf-16", "utf-32"):
        assert jsonlimits.loads(json.dumps(value).encode(encoding)) == value
    with pytest.raises(jsonlimits.JSONError):
        jsonlimits.loads(nested(DEEP).encode("utf-16"))


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe\x00", "", "[1,]"])
def test_invalid_json_is_a_json_error_and_a_value_error(raw):
    with pytest.raises(jsonlimits.JSONError) as caught:
        jsonlimits.loads(raw)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text", ["[" * 4_000_000, nested(60) * 33_000, '"' + '\\"' * 2_000_000], ids=["unclosed", "deep", "escapes"]
)
def test_measuring_the_depth_of_four_megabytes_is_fast(text):
    started = time.thread_time()
    jsonlimits.exceeds_depth(text.encode(), 64)
    assert time.thread_time() - started < 1.0
