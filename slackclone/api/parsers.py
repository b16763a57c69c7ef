"""The REST API's JSON parser: DRF's, over slackclone.jsonlimits, so deep nesting is refused, not recursed into."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers
from rest_framework.utils import json

from slackclone import jsonlimits
from slackclone.errors import ErrorCode


class InvalidJson(exceptions.ParseError):
    """A body sent as JSON that is not JSON, or is nested too deeply; the error handler answers invalid_json."""

    default_code = ErrorCode.INVALID_JSON.value


class JSONParser(parsers.JSONParser):
    """application/json bodies. Invalid JSON, or JSON nested deeper than settings.JSON_MAX_DEPTH, is a 400
    invalid_json in the API's error shape."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = stream.read().decode(encoding)
            return jsonlimits.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (jsonlimits.JSONError, UnicodeDecodeError, LookupError) as error:
            raise InvalidJson(f"The body is not valid JSON: {error}.") from None
