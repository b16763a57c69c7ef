"""Request and response shapes of the notifications API (the OpenAPI schema; schemathesis checks them)."""

from __future__ import annotations

from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.api.serializers import MessageSerializer, public_id_field, ts_field

MAX_UNIX_TIME = 253402300799  # 9999-12-31


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": MAX_UNIX_TIME},
            {"type": "string", "format": "date-time"},
        ]
    }
)
class UnixOrIsoTimeField(serializers.Field):
    """A moment as Unix seconds (Slack's post_at) or an ISO 8601 date-time with its offset."""

    default_error_messages = {"invalid": "Give Unix seconds or an ISO 8601 date-time with a time zone offset."}

    def to_internal_value(self, data) -> datetime:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int | float) or (isinstance(data, str) and data.strip().isdigit()):
            seconds = float(data)
            if not 0 <= seconds <= MAX_UNIX_TIME:
                self.fail("invalid")
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(data, str):
            try:
                value = datetime.fromisoformat(data.strip())
            except ValueError:
                self.fail("invalid")
            if value.tzinfo is None:
                self.fail("invalid")
            return value
        self.fail("invalid")
        return None  # unreachable: fail() raises

    def to_representation(self, value: datetime) -> int:
        return int(value.timestamp())


# --- Requests -----------------------------------------------------------------------------


class NotificationQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200, help_text="From the previous page's `next`.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)
    unread_only = serializers.BooleanField(required=False, default=False)


class NotificationMarkReadSerializer(serializers.Serializer):
    channel = public_id_field(required=False, help_text="With ts: the one notification about that message.")
    ts = ts_field(required=False)

    def validate(self, data):
        if ("channel" in data) != ("ts" in data):
            raise serializers.ValidationError(
                {"ts" if "channel" in data else "channel": "Give channel and ts together."}
            )
        return data


class ScheduledListQuerySerializer(serializers.Serializer):
    channel = public_id_field(required=False, help_text="Only those for this channel.")


class ScheduledCreateSerializer(serializers.Serializer):
    channel = public_id_field()
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    post_at = UnixOrIsoTimeField(help_text="When to post: Unix seconds, or ISO 8601 with an offset.")
    thread_ts = ts_field(required=False, allow_null=True)
    reply_broadcast = serializers.BooleanField(required=False, default=False)


class ScheduledEditSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=100_000)
    post_at = UnixOrIsoTimeField(required=False)


class ReminderListQuerySerializer(serializers.Serializer):
    include_done = serializers.BooleanField(required=False, default=False)


class ReminderCreateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    when = serializers.CharField(
        required=False, max_length=100, help_text="In your time zone: “in 20 minutes”, “at 9:00 tomorrow”…"
    )
    time = UnixOrIsoTimeField(required=False, help_text="Or an exact moment.")
    channel = public_id_field(required=False, help_text="With ts: remind me about this message.")
    ts = ts_field(required=False)

    def validate(self, data):
        if ("channel" in data) != ("ts" in data):
            raise serializers.ValidationError(
                {"ts" if "channel" in data else "channel": "Give channel and ts together."}
            )
        return data


# --- Responses ----------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["mention", "dm", "broadcast", "thread", "channel"])
    created = serializers.IntegerField(help_text="Unix time.")
    is_unread = serializers.BooleanField()
    message = MessageSerializer()


class NotificationPageSerializer(serializers.Serializer):
    notifications = NotificationSerializer(many=True)
    unread_count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)


class NotificationMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")
    unread_count = serializers.IntegerField()


class ScheduledMessageOutSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Q…")
    channel = serializers.CharField()
    text = serializers.CharField()
    post_at = serializers.IntegerField(help_text="Unix time.")
    thread_ts = serializers.CharField(allow_null=True)
    state = serializers.ChoiceField(choices=["pending", "sent", "cancelled", "failed"])
    date_created = serializers.IntegerField()
    message_ts = serializers.CharField(allow_null=True, help_text="The posted message, once sent.")
    error = serializers.CharField(allow_null=True, help_text="Why posting failed, when it did.")


class ScheduledMessageBodySerializer(serializers.Serializer):
    scheduled_message = ScheduledMessageOutSerializer()


class ScheduledMessageListSerializer(serializers.Serializer):
    scheduled_messages = ScheduledMessageOutSerializer(many=True)


class ReminderOutSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="R…")
    text = serializers.CharField()
    time = serializers.IntegerField(help_text="Unix time.")
    state = serializers.ChoiceField(choices=["pending", "sent", "cancelled", "failed"])
    channel = serializers.CharField(allow_null=True, help_text="The message reminded about, if any.")
    ts = serializers.CharField(allow_null=True)


class ReminderBodySerializer(serializers.Serializer):
    reminder = ReminderOutSerializer()


class ReminderListSerializer(serializers.Serializer):
    reminders = ReminderOutSerializer(many=True)
