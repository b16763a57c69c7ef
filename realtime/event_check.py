"""Check an event against its declaration in realtime.event_types, at run time.

The type checker holds each builder to its declared shape; this catches what it cannot see: a
value that is only typed `Any` on its way in (a model field, JSON a client sent), a key added under
a computed name. The test suite runs every event it sends, live and replayed, through
`event_problems` (conftest's event recorder). Production does not: the transport checks only that the
type is in the closed set.

`python -m realtime.event_check --markdown` prints docs/protocol.md's list of each event's fields.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin, get_type_hints, is_typeddict

from realtime.event_types import EVENT_SHAPES, MESSAGE_CHANGE_SHAPES, MessageEvent


def shape_of(event: dict[str, Any]) -> type | None:
    """The declared shape an event must have, or None for an undeclared type."""
    kind = event.get("type")
    if kind == "message":
        return MESSAGE_CHANGE_SHAPES.get(event.get("subtype"), MessageEvent)  # type: ignore[arg-type]
    shapes = EVENT_SHAPES.get(kind) if isinstance(kind, str) else None
    return shapes[0] if shapes else None


def event_problems(event: Any) -> list[str]:
    """What is wrong with an event, as it went on the wire: empty if it matches its declaration."""
    if not isinstance(event, dict):
        return [f"an event must be an object, not {type(event).__name__}"]
    shape = shape_of(event)
    if shape is None:
        return [f"{event.get('type')!r} is not a declared event type"]
    return _problems(event, shape, event["type"])


def _hints(typed_dict: type) -> dict[str, Any]:
    return get_type_hints(typed_dict, include_extras=False)


def _problems(value: Any, expected: Any, path: str) -> list[str]:
    if is_typeddict(expected):
        return _typed_dict_problems(value, expected, path)
    origin = get_origin(expected)
    if origin is Literal:
        allowed = get_args(expected)
        # True == 1 in Python: a literal True must be the bool, not a number.
        if any(value is option or (type(value) is type(option) and value == option) for option in allowed):
            return []
        return [f"{path}: {value!r} is not one of {', '.join(repr(a) for a in allowed)}"]
    if origin in (Union, types.UnionType):
        options = [_problems(value, option, path) for option in get_args(expected)]
        if any(not found for found in options):
            return []
        return [f"{path}: {value!r} matches none of {_name(expected)}"]
    if origin in (Required, NotRequired):
        return _problems(value, get_args(expected)[0], path)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        (item,) = get_args(expected)
        return [found for index, element in enumerate(value) for found in _problems(element, item, f"{path}[{index}]")]
    return _plain_problems(value, expected, path)


def _plain_problems(value: Any, expected: Any, path: str) -> list[str]:
    if expected is object:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{path}: expected null, got {value!r}"]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expected in (str, bool):
        ok = isinstance(value, expected)
    else:
        raise TypeError(f"{path}: event_check does not know the type {expected!r}")
    return [] if ok else [f"{path}: expected {expected.__name__}, got {type(value).__name__} {value!r}"]


def _typed_dict_problems(value: Any, shape: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object ({shape.__name__}), got {type(value).__name__}"]
    hints = _hints(shape)
    problems = [f"{path}.{key}: undeclared field" for key in value if key not in hints]
    problems += [f"{path}.{key}: missing" for key in sorted(shape.__required_keys__) if key not in value]
    for key, expected in hints.items():
        if key in value:
            problems += _problems(value[key], expected, f"{path}.{key}")
    return problems


def _name(expected: Any) -> str:
    if is_typeddict(expected):
        return str(expected.__name__)
    origin = get_origin(expected)
    if origin is Literal:
        return " or ".join(f"`{a!r}`".replace("'", '"').replace("True", "true") for a in get_args(expected))
    if origin in (Union, types.UnionType):
        return " or ".join(_name(a) for a in get_args(expected))
    if origin is list:
        return f"list of {_name(get_args(expected)[0])}"
    if expected is type(None):
        return "null"
    names: dict[object, str] = {str: "string", int: "integer", bool: "boolean", object: "any JSON"}
    return names.get(expected, repr(expected))


# --- docs/protocol.md ---------------------------------------------------------------------


def _fields_line(shape: Any) -> str:
    hints = _hints(shape)
    fields = []
    for key, expected in hints.items():
        if key == "type":
            continue
        optional = "" if key in shape.__required_keys__ else "?"
        fields.append(f"`{key}`{optional}: {_name(expected)}")
    return "; ".join(fields) or "no other fields"


def fields_markdown() -> str:
    """Each event (events of one shape share a row) and each shape inside one, with its fields:
    docs/protocol.md includes this verbatim."""
    names: dict[Any, list[str]] = {}
    for kind, shapes in EVENT_SHAPES.items():
        for shape in shapes:
            subtype = _hints(shape).get("subtype")
            name = kind
            if get_origin(subtype) is Literal and len(get_args(subtype)) == 1:
                name = f"{kind} / {get_args(subtype)[0]}"
            names.setdefault(shape, []).append(f"`{name}`")
    lines = ["| Event | Fields (`?`: optional) |", "| --- | --- |"]
    lines += [f"| {', '.join(kinds)} | {_fields_line(shape)} |" for shape, kinds in names.items()]
    lines += ["", "| Shape | Fields (`?`: optional) |", "| --- | --- |"]
    lines += [f"| {shape.__name__} | {_fields_line(shape)} |" for shape in _nested_shapes()]
    return "\n".join(lines) + "\n"


def _nested_shapes() -> list[Any]:
    """The shapes used inside events, in the order first met."""
    found: dict[str, Any] = {}

    def visit(expected: Any, top: bool) -> None:
        if is_typeddict(expected):
            if not top and expected.__name__ not in found:
                found[expected.__name__] = expected
            for inner in _hints(expected).values():
                visit(inner, False)
        for arg in get_args(expected):
            if not isinstance(arg, str):
                visit(arg, False)

    for shapes in EVENT_SHAPES.values():
        for shape in shapes:
            visit(shape, True)
    return list(found.values())


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m realtime.event_check --markdown")
    sys.stdout.write(fields_markdown())
