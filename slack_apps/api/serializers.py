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


class SlashCommandOutSerializer(serializers.Serializer):
    command = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    usage_hint = serializers.CharField(allow_blank=True)


class AppSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The app's id (A…).")
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    bot_user = serializers.CharField(help_text="The app's bot user (U…).")
    scopes = serializers.ListField(child=serializers.CharField())
    bot_events = serializers.ListField(child=serializers.CharField())
    socket_mode = serializers.BooleanField()
    request_url = serializers.CharField(allow_blank=True)
    interactivity_url = serializers.CharField(allow_blank=True)
    commands = SlashCommandOutSerializer(many=True)
    created = serializers.IntegerField()
    disabled = serializers.IntegerField(allow_null=True)
    request_url_disabled = serializers.IntegerField(allow_null=True, help_text="When failing deliveries stopped it.")


class AppListSerializer(serializers.Serializer):
    apps = AppSerializer(many=True)


class AppCreateSerializer(serializers.Serializer):
    manifest = serializers.CharField(
        required=False, max_length=64 * 1024, help_text="A Slack app manifest, JSON or YAML, as Slack exports it."
    )
    name = serializers.CharField(required=False, max_length=35, help_text="Without a manifest: the app's name.")
    socket_mode = serializers.BooleanField(required=False, default=False)
    commands = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class AppCredentialsSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    bot_user_id = serializers.CharField()
    bot_token = serializers.CharField()
    app_token = serializers.CharField()
    signing_secret = serializers.CharField()


class AppCreatedSerializer(serializers.Serializer):
    app = AppSerializer()
    credentials = AppCredentialsSerializer(help_text="Shown once: only hashes (and the sealed secret) are kept.")


class AppUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    request_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    interactivity_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AppRotateSerializer(serializers.Serializer):
    secret = serializers.ChoiceField(choices=["bot_token", "app_token", "signing_secret"])


class AppSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new one, shown once; the old one stopped working.")


class InteractionContainerSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["message", "view"])
    channel = serializers.CharField(required=False, max_length=32, help_text="The message's channel (type message).")
    message_ts = serializers.CharField(required=False, max_length=24)
    is_ephemeral = serializers.BooleanField(required=False, default=False)
    bot_id = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="An ephemeral message's.")
    view_id = serializers.CharField(required=False, max_length=32, help_text="The view's (type view).")


class BlockActionSerializer(serializers.Serializer):
    container = InteractionContainerSerializer()
    action = serializers.DictField(help_text="Slack's action: action_id, block_id, type and its value fields.")
    state = serializers.DictField(required=False, default=dict, help_text='{"values": {block_id: {action_id: …}}}')


class ShortcutListQuerySerializer(serializers.Serializer):
    workspace = serializers.CharField(max_length=64, help_text="The workspace's id (T…) or its slug.")


class ShortcutOutSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    app_name = serializers.CharField()
    callback_id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    type = serializers.ChoiceField(choices=["global", "message"])


class ShortcutListSerializer(serializers.Serializer):
    shortcuts = ShortcutOutSerializer(many=True)


class ShortcutRunSerializer(serializers.Serializer):
    workspace = serializers.CharField(required=False, max_length=64, help_text="For a global shortcut: T… or slug.")
    app_id = serializers.CharField(max_length=32)
    callback_id = serializers.CharField(max_length=255)
    type = serializers.ChoiceField(choices=["global", "message"])
    channel = serializers.CharField(required=False, max_length=32, help_text="For a message shortcut.")
    message_ts = serializers.CharField(required=False, max_length=24)


class ViewSubmissionSerializer(serializers.Serializer):
    view_id = serializers.CharField(max_length=32)
    state = serializers.DictField(required=False, default=dict, help_text='{"values": {block_id: {action_id: …}}}')


class ViewClosedSerializer(serializers.Serializer):
    view_id = serializers.CharField(max_length=32)
    clear = serializers.BooleanField(required=False, default=False, help_text="Close the whole stack (the X).")


class HomeQuerySerializer(serializers.Serializer):
    bot = serializers.CharField(max_length=32, help_text="The app's bot user (U…), as a DM with it shows it.")


class HomeOpenedSerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=["home", "messages"])
