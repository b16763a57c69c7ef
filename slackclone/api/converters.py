"""Path converters: a malformed id never reaches the database, it is simply an unknown URL (404)."""

from __future__ import annotations


class PublicIdConverter:
    """A public id: a type letter and 2 to 20 upper-case letters or digits (U…, T…, C…, G…, D…, F…, K…)."""

    regex = "[A-Z][A-Z0-9]{2,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TsConverter:
    """A Slack message ts: seconds, a dot, six digits of microseconds."""

    regex = r"[0-9]{1,12}\.[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TokenConverter:
    """An invitation token (URL-safe base64)."""

    regex = "[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class EmojiConverter:
    """An emoji shortcode as it may appear in a path; slackclone.emoji.check_emoji_name has the final word."""

    regex = "[A-Za-z0-9_+'-]{1,100}(?:::skin-tone-[2-6])?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class EmojiImageKeyConverter:
    """A custom emoji image's stored file name: 32 hex digits and its extension (slackclone.images)."""

    regex = "[0-9a-f]{32}[.](?:png|gif)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
