"""Rules for what people type: channel names, message text, emoji names, and Slack's mention markup.

Stored text uses Slack's markup so Slack tooling reads it: `<@U…>` for a person,
`<!channel>`, `<!here>`, `<!everyone>` for broadcasts, `<!subteam^S…>` for a user group and `<#C…>` for
a channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

from chat.models import CHANNEL_NAME_MAX_LENGTH, MentionKind
from slackclone.emoji import check_emoji_name  # noqa: F401 (chat.text keeps offering the emoji rule)
from slackclone.errors import DomainError, ErrorCode

CHANNEL_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Slack's markup: <@U…|label>, <#C…|label>, <!here|label>, <https://…|label>. A label never holds '<' or '>'
# (Slack escapes them as &lt; and &gt;), so no match can run past the next '<': each search is linear in the
# text. A label of [^>]* instead would rescan the rest of the text from every '<@U…|' (quadratic).
USER_MENTION_RE = re.compile(r"<@([UB][A-Z0-9]{2,20})(?:\|([^<>]*))?>")
CHANNEL_MENTION_RE = re.compile(r"<#([CGD][A-Z0-9]{2,20})(?:\|([^<>]*))?>")
BROADCAST_RE = re.compile(r"<!(channel|here|everyone)(?:\|[^<>]*)?>")
SUBTEAM_MENTION_RE = re.compile(r"<!subteam\^(S[A-Z0-9]{2,20})(?:\|[^<>]*)?>")
LINK_RE = re.compile(r"<((?:https?|mailto):[^|<>]+)(?:\|([^<>]*))?>")


def check_channel_name(raw: str) -> str:
    """Slack's rules: lowercase letters, digits, hyphens and underscores, at most 80 characters.

    A leading '#' and surrounding spaces are forgiven; anything else that breaks the rules
    is refused rather than silently rewritten, so people see the name they will get.
    """
    name = (raw or "").strip().removeprefix("#")
    if not name:
        raise DomainError(ErrorCode.INVALID_NAME, "A channel needs a name.", fields={"name": "required"})
    if len(name) > CHANNEL_NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "Channel names can be at most %(channel_name_max_length)s characters.",
            fields={"name": "too_long"},
            params={"channel_name_max_length": CHANNEL_NAME_MAX_LENGTH},
        )
    if not CHANNEL_NAME_RE.match(name):
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "Channel names may only contain lowercase letters, numbers, hyphens and underscores, "
            "and must start with a letter or number.",
            fields={"name": "invalid_characters"},
        )
    return name


def check_message_text(text: str | None, *, allow_empty: bool = False) -> str:
    """Text as it will be stored: trailing whitespace trimmed, 1 to MESSAGE_MAX_CHARS characters."""
    cleaned = (text or "").rstrip()
    if not cleaned.strip() and not allow_empty:
        raise DomainError(ErrorCode.NO_TEXT, "A message needs some text.", fields={"text": "required"})
    limit = settings.MESSAGE_MAX_CHARS
    if len(cleaned) > limit:
        raise DomainError(
            ErrorCode.MSG_TOO_LONG,
            "Messages can be at most %(limit)s characters; this one has %(len_cleaned)s.",
            fields={"text": "too_long"},
            params={"limit": f"{limit:,}", "len_cleaned": f"{len(cleaned):,}"},
        )
    return cleaned


@dataclass(frozen=True)
class ParsedMentions:
    user_ids: list[str] = field(default_factory=list)
    broadcasts: list[MentionKind] = field(default_factory=list)
    subteam_ids: list[str] = field(default_factory=list)


def parse_mentions(text: str) -> ParsedMentions:
    """Public user ids, broadcast kinds and user group ids mentioned in Slack markup, each once, in order
    of appearance."""
    user_ids = list(dict.fromkeys(match.group(1) for match in USER_MENTION_RE.finditer(text)))
    broadcasts = [MentionKind(kind) for kind in dict.fromkeys(BROADCAST_RE.findall(text))]
    subteam_ids = list(dict.fromkeys(SUBTEAM_MENTION_RE.findall(text)))
    return ParsedMentions(user_ids=user_ids, broadcasts=broadcasts, subteam_ids=subteam_ids)
