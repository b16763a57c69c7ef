"""Domain errors: one exception type with a stable code from a closed set.

Services raise `DomainError`; every surface maps it to its own kind of answer
(a JSON error body with the HTTP status below, a socket error frame,
`{"ok": false, "error": code}` on the Slack-compatible API, a CommandError).
The code is the contract: clients and tests match on it, never on the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.utils.translation import gettext


class ErrorCode(StrEnum):
    # Input
    INVALID_ARGUMENTS = "invalid_arguments"
    INVALID_NAME = "invalid_name"
    NAME_TAKEN = "name_taken"
    NO_TEXT = "no_text"
    MSG_TOO_LONG = "msg_too_long"
    INVALID_EMOJI = "invalid_emoji"
    INVALID_EMAIL = "invalid_email"
    EMAIL_TAKEN = "email_taken"
    INVALID_PASSWORD = "invalid_password"
    INVALID_AUTH = "invalid_auth"
    INVALID_ROLE = "invalid_role"
    INVALID_TIMEZONE = "invalid_timezone"
    INVALID_VERIFICATION_LINK = "invalid_verification_link"
    # Two-factor: the password was right, the second factor is missing or wrong; or the sign-in is too old.
    MFA_REQUIRED = "mfa_required"
    INVALID_MFA_CODE = "invalid_mfa_code"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    # Existence (a private channel you are not in does not exist for you)
    CHANNEL_NOT_FOUND = "channel_not_found"
    MESSAGE_NOT_FOUND = "message_not_found"
    THREAD_NOT_FOUND = "thread_not_found"
    USER_NOT_FOUND = "user_not_found"
    WORKSPACE_NOT_FOUND = "workspace_not_found"
    INVITATION_NOT_FOUND = "invitation_not_found"
    # Permission and state
    NOT_IN_CHANNEL = "not_in_channel"
    USER_NOT_IN_CHANNEL = "user_not_in_channel"
    NOT_IN_WORKSPACE = "not_in_workspace"
    ACCOUNT_INACTIVE = "account_inactive"
    EMAIL_UNVERIFIED = "email_unverified"
    RESTRICTED_ACTION = "restricted_action"
    IS_ARCHIVED = "is_archived"
    NOT_ARCHIVED = "not_archived"
    CANT_ARCHIVE_GENERAL = "cant_archive_general"
    CANT_LEAVE_GENERAL = "cant_leave_general"
    CANT_KICK_SELF = "cant_kick_self"
    CANT_UPDATE_MESSAGE = "cant_update_message"
    CANT_DELETE_MESSAGE = "cant_delete_message"
    UNSUPPORTED_FOR_CHANNEL_TYPE = "method_not_supported_for_channel_type"
    ALREADY_IN_CHANNEL = "already_in_channel"
    ALREADY_REACTED = "already_reacted"
    NO_REACTION = "no_reaction"
    ALREADY_PINNED = "already_pinned"
    NO_PIN = "no_pin"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED_UP = "invitation_used_up"
    VERIFICATION_LINK_EXPIRED = "verification_link_expired"
    LAST_OWNER = "last_owner"
    BOT_TOKEN_NOT_ALLOWED = "bot_token_not_allowed"
    RATELIMITED = "ratelimited"
    # The database cannot serve right now (a failover): retry the same request (with the same client_msg_id).
    SERVICE_UNAVAILABLE = "service_unavailable"
    # Transport (the REST API's own failures, beside the services' codes)
    NOT_AUTHED = "not_authed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    REQUEST_TOO_LARGE = "request_too_large"
    URI_TOO_LONG = "uri_too_long"
    # Socket frames (the real-time gateway's own failures)
    INVALID_JSON = "invalid_json"
    UNKNOWN_TYPE = "unknown_type"
    FRAME_TOO_LARGE = "frame_too_large"
    # Files
    FILE_NOT_FOUND = "file_not_found"
    TOKEN_NOT_FOUND = "token_not_found"
    FILE_TOO_LARGE = "file_too_large"
    INVALID_FILE = "invalid_file"
    # Custom emoji
    EMOJI_NOT_FOUND = "emoji_not_found"
    # Imports (an archive that is not a Slack export the importer can read safely)
    INVALID_EXPORT = "invalid_export"
    # Scheduled messages and reminders (Slack's names where Slack has one)
    INVALID_TIME = "invalid_time"
    TIME_IN_PAST = "time_in_past"
    TIME_TOO_FAR = "time_too_far"
    SCHEDULED_MESSAGE_NOT_FOUND = "invalid_scheduled_message_id"
    REMINDER_NOT_FOUND = "reminder_not_found"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    APP_NOT_FOUND = "app_not_found"
    INVALID_MANIFEST = "invalid_manifest"
    COMMAND_TAKEN = "command_taken"
    MISSING_SCOPE = "missing_scope"
    NOT_ALLOWED_TOKEN_TYPE = "not_allowed_token_type"
    URL_VERIFICATION_FAILED = "url_verification_failed"
    USED_URL = "used_url"
    EXPIRED_URL = "expired_url"
    # User groups (Slack's names)
    USERGROUP_NOT_FOUND = "no_such_subteam"
    NAME_ALREADY_EXISTS = "name_already_exists"
    HANDLE_ALREADY_EXISTS = "handle_already_exists"
    INVALID_HANDLE = "invalid_handle"
    INVALID_USERS = "invalid_users"
    # Block Kit, interactivity, views and unfurls (Slack's names)
    INVALID_BLOCKS = "invalid_blocks"
    INVALID_ATTACHMENTS = "invalid_attachments"
    INVALID_TRIGGER_ID = "invalid_trigger_id"
    EXPIRED_TRIGGER_ID = "expired_trigger_id"
    EXCHANGED_TRIGGER_ID = "exchanged_trigger_id"
    VIEW_NOT_FOUND = "view_not_found"
    VIEW_TOO_LARGE = "view_too_large"
    HASH_CONFLICT = "hash_conflict"
    PUSH_LIMIT_REACHED = "push_limit_reached"
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
    APP_DID_NOT_RESPOND = "app_did_not_respond"
    INVALID_UNFURLS = "invalid_unfurls"
    CANT_UNFURL_URL = "cant_unfurl_url"
    # Saved for later (Slack's stars.*)
    ALREADY_STARRED = "already_starred"
    NOT_STARRED = "not_starred"
    # Sidebar sections
    SECTION_NOT_FOUND = "section_not_found"
    TOO_MANY_SECTIONS = "too_many_sections"
    CANT_CHANGE_DEFAULT_SECTION = "cant_change_default_section"
    # Web Push
    INVALID_SUBSCRIPTION = "invalid_subscription"
    SUBSCRIPTION_NOT_FOUND = "subscription_not_found"
    # LDAP and Active Directory
    LDAP_NOT_CONFIGURED = "ldap_not_configured"
    # Single sign-on providers (identity/)
    PROVIDER_NOT_FOUND = "provider_not_found"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_SCOPES = "invalid_scopes"
    INVALID_DOMAIN = "invalid_domain"
    INVALID_CLAIM_MAPPING = "invalid_claim_mapping"
    # Sessions and the workspace sign-in policy
    SESSION_NOT_FOUND = "session_not_found"
    SESSION_EXPIRED = "session_expired"
    SIGN_IN_METHOD_NOT_ALLOWED = "sign_in_method_not_allowed"
    EMAIL_DOMAIN_NOT_ALLOWED = "email_domain_not_allowed"
    # SAML identity providers (identity/saml)
    INVALID_SAML_METADATA = "invalid_saml_metadata"


# The HTTP status each code means on the REST API.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_ARGUMENTS: 400,
    ErrorCode.INVALID_NAME: 400,
    ErrorCode.NO_TEXT: 400,
    ErrorCode.USER_NOT_IN_CHANNEL: 400,
    ErrorCode.MSG_TOO_LONG: 400,
    ErrorCode.INVALID_EMOJI: 400,
    ErrorCode.INVALID_EMAIL: 400,
    ErrorCode.INVALID_PASSWORD: 400,
    ErrorCode.EMAIL_TAKEN: 409,
    ErrorCode.LDAP_NOT_CONFIGURED: 404,
    ErrorCode.INVALID_AUTH: 401,
    ErrorCode.MFA_REQUIRED: 401,
    ErrorCode.INVALID_MFA_CODE: 401,
    ErrorCode.REAUTHENTICATION_REQUIRED: 401,
    ErrorCode.INVALID_ROLE: 400,
    ErrorCode.INVALID_TIMEZONE: 400,
    ErrorCode.INVALID_VERIFICATION_LINK: 400,
    ErrorCode.VERIFICATION_LINK_EXPIRED: 410,
    ErrorCode.NAME_TAKEN: 409,
    ErrorCode.ALREADY_IN_CHANNEL: 409,
    ErrorCode.ALREADY_REACTED: 409,
    ErrorCode.ALREADY_PINNED: 409,
    ErrorCode.NOT_ARCHIVED: 409,
    ErrorCode.CHANNEL_NOT_FOUND: 404,
    ErrorCode.MESSAGE_NOT_FOUND: 404,
    ErrorCode.THREAD_NOT_FOUND: 404,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.WORKSPACE_NOT_FOUND: 404,
    ErrorCode.INVITATION_NOT_FOUND: 404,
    ErrorCode.NO_REACTION: 404,
    ErrorCode.NO_PIN: 404,
    ErrorCode.INVITATION_EXPIRED: 410,
    ErrorCode.INVITATION_USED_UP: 410,
    ErrorCode.RATELIMITED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.NOT_AUTHED: 401,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.NOT_ACCEPTABLE: 406,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.URI_TOO_LONG: 414,
    ErrorCode.INVALID_JSON: 400,
    ErrorCode.UNKNOWN_TYPE: 400,
    ErrorCode.FRAME_TOO_LARGE: 413,
    ErrorCode.FILE_NOT_FOUND: 404,
    ErrorCode.TOKEN_NOT_FOUND: 404,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.INVALID_FILE: 400,
    ErrorCode.EMOJI_NOT_FOUND: 404,
    ErrorCode.INVALID_EXPORT: 400,
    ErrorCode.INVALID_TIME: 400,
    ErrorCode.TIME_IN_PAST: 400,
    ErrorCode.TIME_TOO_FAR: 400,
    ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND: 404,
    ErrorCode.APP_NOT_FOUND: 404,
    ErrorCode.INVALID_MANIFEST: 400,
    ErrorCode.COMMAND_TAKEN: 409,
    ErrorCode.URL_VERIFICATION_FAILED: 400,
    ErrorCode.USED_URL: 410,
    ErrorCode.EXPIRED_URL: 410,
    ErrorCode.REMINDER_NOT_FOUND: 404,
    ErrorCode.NOTIFICATION_NOT_FOUND: 404,
    ErrorCode.USERGROUP_NOT_FOUND: 404,
    ErrorCode.NAME_ALREADY_EXISTS: 409,
    ErrorCode.HANDLE_ALREADY_EXISTS: 409,
    ErrorCode.INVALID_HANDLE: 400,
    ErrorCode.INVALID_USERS: 400,
    ErrorCode.INVALID_BLOCKS: 400,
    ErrorCode.INVALID_ATTACHMENTS: 400,
    ErrorCode.INVALID_TRIGGER_ID: 400,
    ErrorCode.EXPIRED_TRIGGER_ID: 400,
    ErrorCode.EXCHANGED_TRIGGER_ID: 400,
    ErrorCode.VIEW_NOT_FOUND: 404,
    ErrorCode.VIEW_TOO_LARGE: 413,
    ErrorCode.HASH_CONFLICT: 409,
    ErrorCode.PUSH_LIMIT_REACHED: 400,
    ErrorCode.DUPLICATE_EXTERNAL_ID: 409,
    ErrorCode.APP_DID_NOT_RESPOND: 504,
    ErrorCode.INVALID_UNFURLS: 400,
    ErrorCode.CANT_UNFURL_URL: 400,
    ErrorCode.SECTION_NOT_FOUND: 404,
    ErrorCode.TOO_MANY_SECTIONS: 409,
    ErrorCode.CANT_CHANGE_DEFAULT_SECTION: 400,
    ErrorCode.INVALID_SUBSCRIPTION: 400,
    ErrorCode.SUBSCRIPTION_NOT_FOUND: 404,
    ErrorCode.ALREADY_STARRED: 409,
    ErrorCode.NOT_STARRED: 404,
    ErrorCode.PROVIDER_NOT_FOUND: 404,
    ErrorCode.INVALID_ISSUER: 400,
    ErrorCode.INVALID_SCOPES: 400,
    ErrorCode.INVALID_DOMAIN: 400,
    ErrorCode.INVALID_CLAIM_MAPPING: 400,
    ErrorCode.SESSION_NOT_FOUND: 404,
    ErrorCode.SESSION_EXPIRED: 401,
    ErrorCode.SIGN_IN_METHOD_NOT_ALLOWED: 401,
    ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED: 403,
    ErrorCode.INVALID_SAML_METADATA: 400,
}


class DomainError(Exception):
    """A rule of the product was broken; nothing has been written.

    `fields` names the offending inputs when there are any, for form and API errors.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ):
        # The message is English, with %(name)s for each of `params`. It is said in the language active
        # where it is raised (the person's, in a request) from the django catalog, where makemessages
        # finds it as DomainError's second argument (accounts/management/commands/makemessages.py).
        text = gettext(message)
        if params:
            text = text % params
        super().__init__(text)
        self.code = ErrorCode(code)
        self.message = text
        self.fields = fields or {}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 403)

    def __repr__(self) -> str:
        return f"DomainError({self.code.value!r}, {self.message!r})"
