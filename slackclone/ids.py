"""Public ids: the one id the socket, the REST API and the Slack-compatible API use.

Slack-shaped (a type letter, then upper-case letters and digits), random so they
reveal neither row counts nor creation order; database keys never leave the server.
"""

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 characters: five random bits each
ID_BODY_LENGTH = 10

USER_PREFIX = "U"
APP_PREFIX = "A"
BOT_PREFIX = "B"
WORKSPACE_PREFIX = "T"
PUBLIC_CHANNEL_PREFIX = "C"
PRIVATE_CHANNEL_PREFIX = "G"
DM_PREFIX = "D"
FILE_PREFIX = "F"
INVITATION_PREFIX = "I"
API_TOKEN_PREFIX = "K"
SCHEDULED_MESSAGE_PREFIX = "Q"
REMINDER_PREFIX = "R"
SIDEBAR_SECTION_PREFIX = "L"
USERGROUP_PREFIX = "S"
PUSH_SUBSCRIPTION_PREFIX = "W"
SCIM_TOKEN_PREFIX = "Y"


def new_public_id(prefix: str) -> str:
    """A fresh id; 32**10 possibilities make a collision a non-event, and a unique index catches one."""
    bits = secrets.randbits(5 * ID_BODY_LENGTH)  # one read of the system's randomness, not one per character
    return prefix + "".join(ALPHABET[(bits >> shift) & 31] for shift in range(0, 5 * ID_BODY_LENGTH, 5))
