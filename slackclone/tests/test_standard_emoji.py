"""The standard emoji names custom emoji may not take are exactly those the web client draws."""

import re
from pathlib import Path

from django.conf import settings

from slackclone.standard_emoji import STANDARD_EMOJI_NAMES

CLIENT_TABLE = Path(settings.BASE_DIR) / "static" / "js" / "client" / "emoji.js"
KEY_RE = re.compile(r'(?:"([^"]+)"|([A-Za-z0-9_]+)):\s*"')


def _client_names() -> set[str]:
    source = CLIENT_TABLE.read_text(encoding="utf-8")
    table = source.split("export const EMOJI = {", 1)[1].split("\n};", 1)[0]
    return {quoted or bare for quoted, bare in KEY_RE.findall(table)}


def test_the_server_list_is_the_client_table():
    names = _client_names()
    assert len(names) > 300
    assert set(STANDARD_EMOJI_NAMES) == names
