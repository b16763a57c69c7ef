"""Names for JSON values whose shape no type describes: payloads read from or written to the wire.

A value typed `JSONObject` is a decoded JSON object (a request body, a Slack export file, a Redis
entry) or one about to be encoded (an event, an API answer). Where a shape is known and stable, a
TypedDict says more; this alias marks the places that are JSON by nature, so `Any` is not used for
anything else.
"""

from __future__ import annotations

from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]
JSONArray: TypeAlias = list[Any]
