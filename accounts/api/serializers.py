"""Request and response shapes of the accounts API."""

from __future__ import annotations

from rest_framework import serializers

from chat.api.serializers import UserSerializer, public_id_field

HH_MM = r"^[0-2][0-9]:[0-5][0-9]$"


class PreferencesSerializer(serializers.Serializer):
    email_notifications = serializers.BooleanField()
    language = serializers.CharField(help_text="The interface's language (en, de, es); empty follows the browser.")
    dnd_start = serializers.RegexField(HH_MM, allow_null=True, help_text="Local time, HH:MM.")
    dnd_end = serializers.RegexField(HH_MM, allow_null=True, help_text="Local time, HH:MM.")
    send_read_receipts = serializers.BooleanField(
        help_text="Whether others see when I have read their DMs, in workspaces that show read receipts."
    )


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    preferences = PreferencesSerializer()
    token_workspace = serializers.CharField(
        allow_null=True, help_text="With a token: the one workspace it acts in; null for a session."
    )


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public token id (K…); the secret itself is never shown again.")
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The secret's first characters, to tell tokens apart.")
    user = serializers.CharField()
    workspace = serializers.CharField()
    created = serializers.IntegerField()
    last_used = serializers.IntegerField(allow_null=True)
    revoked = serializers.BooleanField()


class TokenListSerializer(serializers.Serializer):
    tokens = TokenSerializer(many=True)


class TokenCreatedSerializer(serializers.Serializer):
    token = TokenSerializer()
    secret = serializers.CharField(help_text="Shown once: use it as `Authorization: Bearer <secret>`.")


class TokenOutSerializer(serializers.Serializer):
    token = TokenSerializer()


class UserOutSerializer(serializers.Serializer):
    user = UserSerializer()


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(help_text="Send it back as the X-CSRFToken header on session writes.")


# --- Requests ---------------------------------------------------------------------------------


class ProfileUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    timezone = serializers.CharField(required=False, max_length=64, help_text="An IANA name such as Europe/Paris.")


class StatusSerializer(serializers.Serializer):
    emoji = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PreferencesUpdateSerializer(serializers.Serializer):
    email_notifications = serializers.BooleanField(required=False)
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)
    dnd_start = serializers.TimeField(required=False, allow_null=True, help_text="HH:MM; null with dnd_end clears.")
    dnd_end = serializers.TimeField(required=False, allow_null=True)
    send_read_receipts = serializers.BooleanField(required=False)


class TokenCreateSerializer(serializers.Serializer):
    workspace = public_id_field(help_text="The workspace the token acts in (T…).")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    user = public_id_field(required=False, help_text="A bot user to create the token for (workspace admins).")


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=1000, trim_whitespace=False)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="For an account with two-factor authentication: the authenticator app's code or a recovery code. "
        "Without it such an account is refused with `mfa_required`.",
    )


class SignupSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=1000, trim_whitespace=False)
    full_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)


class CheckEmailSerializer(serializers.Serializer):
    email = serializers.CharField(help_text="Where the next step was mailed.")
    detail = serializers.CharField()


class VerifyEmailSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512, help_text="The token from the link mailed to the address.")
