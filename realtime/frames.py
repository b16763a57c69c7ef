"""Client frames: parse and validate what a client sends before anything acts on it.

Every problem becomes a FrameError whose code and message name it ("channel is required",
"unknown frame type 'mesage'"), so a client developer can fix their client from the reply alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slackclone import jsonlimits
from slackclone.errors import ErrorCode

MAX_FRAME_BYTES = 64 * 1024
MAX_RESUME_CHANNELS = 1000
MAX_ID_LENGTH = 64
MAX_PRESENCE_IDS = 500
MAX_USER_ID_LENGTH = 32

FRAME_TYPES = ("message", "typing", "ping", "mark", "resume", "view", "presence_sub")


class FrameError(Exception):
    """A frame the gateway cannot act on; it is answered with an error reply and counts as a strike."""

    def __init__(self, code: ErrorCode, message: str, *, reply_to: Any = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.reply_to = reply_to
        self.fields = fields or {}


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    id: Any
    data: dict[str, Any]


def _text_bytes_over_limit(text: str) -> bool:
    # A str of n characters is at most 4n bytes in UTF-8: encode only when it could be too large.
    return len(text) > MAX_FRAME_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES


def _check_id(data: dict[str, Any]) -> Any:
    frame_id = data.get("id")
    if frame_id is None:
        return None
    valid = (isinstance(frame_id, int) and not isinstance(frame_id, bool)) or (
        isinstance(frame_id, str) and len(frame_id) <= MAX_ID_LENGTH
    )
    if not valid:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            f"id must be an integer or a string of at most {MAX_ID_LENGTH} characters.",
            fields={"id": "invalid"},
        )
    return frame_id


def _require_str(data: dict[str, Any], name: str, frame_id: Any, *, optional: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if optional:
            return None
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, f"{name} is required.", reply_to=frame_id, fields={name: "required"}
        )
    if not isinstance(value, str):
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, f"{name} must be a string.", reply_to=frame_id, fields={name: "invalid"}
        )
    return value


def _require_seq(value: object, name: str, frame_id: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            f"{name} must be a whole number of 0 or more.",
            reply_to=frame_id,
            fields={name: "invalid"},
        )
    return value


def _check_message(data: dict[str, Any], frame_id: Any) -> None:
    if frame_id is None:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            "id is required on a message frame, to match its reply.",
            fields={"id": "required"},
        )
    _require_str(data, "channel", frame_id)
    _require_str(data, "text", frame_id)
    _require_str(data, "thread_ts", frame_id, optional=True)
    _require_str(data, "client_msg_id", frame_id, optional=True)


def _check_mark(data: dict[str, Any], frame_id: Any) -> None:
    _require_str(data, "channel", frame_id)
    if "seq" in data:
        _require_seq(data["seq"], "seq", frame_id)
    elif _require_str(data, "ts", frame_id, optional=True) is None:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, "mark needs seq (or ts).", reply_to=frame_id, fields={"seq": "required"}
        )


def _check_resume(data: dict[str, Any], frame_id: Any) -> None:
    channels = data.get("channels")
    if channels is None:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, "channels is required.", reply_to=frame_id, fields={"channels": "required"}
        )
    if not isinstance(channels, dict):
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            "channels must be an object of channel id to the last seq seen.",
            reply_to=frame_id,
            fields={"channels": "invalid"},
        )
    if len(channels) > MAX_RESUME_CHANNELS:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            f"resume at most {MAX_RESUME_CHANNELS} channels at once.",
            reply_to=frame_id,
            fields={"channels": "too_many"},
        )
    for channel_id, seq in channels.items():
        if len(channel_id) > 32:
            raise FrameError(
                ErrorCode.INVALID_ARGUMENTS,
                "channels has a key that is not a channel id.",
                reply_to=frame_id,
                fields={"channels": "invalid"},
            )
        _require_seq(seq, f"channels.{channel_id}", frame_id)


def _check_view(data: dict[str, Any], frame_id: Any) -> None:
    if "channel" not in data:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            "channel is required (null when no channel is in view).",
            reply_to=frame_id,
            fields={"channel": "required"},
        )
    _require_str(data, "channel", frame_id, optional=True)


def _check_presence_sub(data: dict[str, Any], frame_id: Any) -> None:
    ids = data.get("ids")
    if ids is None:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            "ids is required (the user ids whose presence to receive; [] for none).",
            reply_to=frame_id,
            fields={"ids": "required"},
        )
    if not isinstance(ids, list) or not all(
        isinstance(user_id, str) and 0 < len(user_id) <= MAX_USER_ID_LENGTH for user_id in ids
    ):
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, "ids must be a list of user ids.", reply_to=frame_id, fields={"ids": "invalid"}
        )
    if len(ids) > MAX_PRESENCE_IDS:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS,
            f"presence_sub takes at most {MAX_PRESENCE_IDS} ids.",
            reply_to=frame_id,
            fields={"ids": "too_many"},
        )


CHECKS = {
    "message": _check_message,
    "typing": lambda data, frame_id: _require_str(data, "channel", frame_id),
    "ping": lambda data, frame_id: None,
    "mark": _check_mark,
    "resume": _check_resume,
    "view": _check_view,
    "presence_sub": _check_presence_sub,
}


def parse_frame(text: str | None) -> Frame:
    """The validated frame, or FrameError naming what is wrong with it."""
    if text is None:
        raise FrameError(ErrorCode.INVALID_JSON, "Frames must be JSON text, not binary.")
    if _text_bytes_over_limit(text):
        raise FrameError(ErrorCode.FRAME_TOO_LARGE, f"A frame can be at most {MAX_FRAME_BYTES // 1024} KiB.")
    try:
        data = jsonlimits.loads(text)
    except jsonlimits.JSONError as exc:  # invalid, or nested more than JSON_MAX_DEPTH levels
        raise FrameError(ErrorCode.INVALID_JSON, f"The frame is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise FrameError(ErrorCode.INVALID_JSON, "A frame must be a JSON object.")
    frame_id = _check_id(data)
    frame_type = data.get("type")
    if frame_type is None:
        raise FrameError(
            ErrorCode.INVALID_ARGUMENTS, "type is required.", reply_to=frame_id, fields={"type": "required"}
        )
    if frame_type not in CHECKS:
        shown = frame_type if isinstance(frame_type, str) and len(frame_type) <= 40 else "?"
        raise FrameError(
            ErrorCode.UNKNOWN_TYPE,
            f"Unknown frame type {shown!r}; use one of {', '.join(FRAME_TYPES)}.",
            reply_to=frame_id,
            fields={"type": "unknown"},
        )
    CHECKS[frame_type](data, frame_id)
    return Frame(type=frame_type, id=frame_id, data=data)
