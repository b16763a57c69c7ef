from __future__ import annotations

from rest_framework import serializers


class CommandListingSerializer(serializers.Serializer):
    command = serializers.CharField(help_text="With its slash: /invite.")
    description = serializers.CharField(allow_blank=True)
    usage_hint = serializers.CharField(allow_blank=True)
    app_name = serializers.CharField(allow_blank=True, help_text="The app that answers it; empty for a built-in.")


class CommandListSerializer(serializers.Serializer):
    commands = CommandListingSerializer(many=True)


class CommandRunSerializer(serializers.Serializer):
    command = serializers.RegexField(r"^/[a-z0-9][a-z0-9_.\-]{0,30}$", help_text="With its slash: /remind.")
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    thread_ts = serializers.RegexField(r"^\d{1,12}\.\d{1,6}$", required=False, allow_blank=True, default="")


class CommandResultSerializer(serializers.Serializer):
    response = serializers.CharField(allow_blank=True, help_text="What only you see now; empty for nothing.")
    ts = serializers.CharField(required=False, help_text="A message the command posted in the conversation.")
