"""JSON from outside the server, parsed with a bound on how deeply it nests.

Python's json module parses arrays and objects by recursion: a body of 100,000 `[` raises RecursionError
(a 500, a dropped socket), and JSON that parses a little under the interpreter's limit can still exhaust it
in whatever walks the result next (serializers, block rendering, the error formatter). Every surface that
reads JSON someone sent (the REST API's parser, the Slack Web API and its JSON-in-a-form arguments, incoming
webhooks, socket frames, the Slack export importer) calls `loads`, which refuses JSON nested deeper than
settings.JSON_MAX_DEPTH (Slack's own Block Kit nests about ten levels) before the json module sees it.

The depth is measured without recursion and in time linear in the text, by operations that run in C: escaped
quotes and backslashes are removed, then everything but brackets and quotes, then the quoted strings; what is
left is the brackets outside strings, whose running count of openers over closers is the nesting depth.
"""

from __future__ import annotations

import json
import operator
from array import array
from functools import partial
from itertools import accumulate
from typing import Any

from django.conf import settings

_STRUCTURE = b'[]{}"'
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in _STRUCTURE)
# Each opener as +1 and each closer as -1, read as signed bytes.
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class JSONError(ValueError):
    """Not JSON, or JSON nested deeper than allowed; the message says which (callers that catch ValueError
    from json.loads catch this too)."""


def exceeds_depth(data: bytes, limit: int) -> bool:
    """Whether the UTF-8 JSON text `data` opens more than `limit` arrays or objects inside one another at any
    point (brackets inside strings do not count). Invalid JSON may be judged either way; the json module
    refuses it after this."""
    # Left to right, each backslash escapes the next character: pairs of backslashes go first, then any
    # backslash-quote left is a quote inside a string.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.translate(None, _NOT_STRUCTURE).split(b'"')[::2])
    depths = accumulate(array("b", outside_strings.translate(_STEPS)))
    return next(filter(partial(operator.lt, limit), depths), None) is not None


def _utf8(raw: str | bytes | bytearray) -> tuple[str | bytes, bytes]:
    """What json.loads is given, and the same text in UTF-8 for the depth scan."""
    if isinstance(raw, str):
        return raw, raw.encode("utf-8", "surrogatepass")
    raw = bytes(raw)
    encoding = json.detect_encoding(raw)
    if encoding in ("utf-8", "utf-8-sig"):
        return raw, raw
    try:
        text = raw.decode(encoding, "surrogatepass")
    except UnicodeDecodeError as error:
        raise JSONError(f"the body is not valid {encoding} ({error.reason})") from None
    return text, text.encode("utf-8", "surrogatepass")


def loads(raw: str | bytes | bytearray, *, max_depth: int | None = None, **kwargs: Any) -> Any:
    """json.loads, refusing JSON nested more than `max_depth` levels (default settings.JSON_MAX_DEPTH).

    Raises JSONError (a ValueError) for invalid or too deeply nested JSON; `kwargs` go to json.loads.
    """
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    text, data = _utf8(raw)
    if exceeds_depth(data, limit):
        raise JSONError(f"nested more than {limit} levels deep")
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # only with a limit set near the interpreter's own
        raise JSONError(f"nested more than {limit} levels deep") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise JSONError(str(error)) from None
