"""Request and response shapes of the audit log API."""

from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditAction


class AuditQuerySerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False, help_text="Only this kind of event.")
    actor = serializers.CharField(
        required=False,
        max_length=254,
        help_text="Only events by the person with this email address (or failed sign-ins that tried it).",
    )
    since = serializers.DateTimeField(required=False, help_text="Events at or after this time (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Events before this time (ISO 8601).")
    cursor = serializers.CharField(required=False, max_length=200, help_text="The `next` link's cursor.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": "until comes before since."})
        return attrs


class AuditActorSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="The person's public id (U…); null once deleted or none.")
    email = serializers.CharField(help_text="Their address when it happened; empty when no one was signed in.")


class AuditTargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="What was acted on: user, apitoken, app, workspace…; may be empty.")
    id = serializers.CharField(help_text="Its public id.")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="What it was called then (for a failed sign-in, the address tried)."
    )


class AuditEventSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The event's number, unique and never reused.")
    created_at = serializers.DateTimeField(help_text="When, in UTC.")
    action = serializers.ChoiceField(choices=AuditAction.choices)
    workspace = serializers.CharField(allow_null=True, help_text="The workspace (T…); null for account events.")
    actor = AuditActorSerializer()
    target = AuditTargetSerializer()
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="How (method) and what changed; never a secret."
    )


class AuditPageSerializer(serializers.Serializer):
    events = AuditEventSerializer(many=True)
    next = serializers.CharField(allow_null=True)
