"""Me (profile, status, notification preferences), API tokens, and session sign-in for the browser."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts import services
from accounts.api import serializers as s
from accounts.api.authentication import request_token, token_workspace
from accounts.models import ApiToken, User
from accounts.selectors import user_tokens
from accounts.signup import email_verification_send, email_verify, user_sign_up
from accounts.wire import user_to_wire
from audit.context import set_sign_in_method
from chat.services import user_set_send_read_receipts
from identity.mfa import has_two_factor, record_password_sign_in, second_factor_by_code, signed_in_recently
from integrations.tokens import api_token_create
from slackclone.api.ratelimit import check_account_sign_in_rate, check_auth_rate
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.selectors import workspace_get
from workspaces.tokens import api_token_revoke, token_get

TAG_ME = ["me"]
TAG_TOKENS = ["tokens"]
TAG_AUTH = ["session"]


def _timestamp(value) -> int | None:
    return int(value.timestamp()) if value else None


def me_out(request, user: User) -> dict[str, Any]:
    workspace = token_workspace(request)
    return {
        "user": user_to_wire(user, email=True),
        "preferences": {
            "email_notifications": user.email_notifications,
            "language": user.language,
            "dnd_start": user.dnd_start.strftime("%H:%M") if user.dnd_start else None,
            "dnd_end": user.dnd_end.strftime("%H:%M") if user.dnd_end else None,
            "send_read_receipts": user.send_read_receipts,
        },
        "token_workspace": workspace.public_id if workspace else None,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.public_id,
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user.public_id,
        "workspace": token.workspace.public_id,
        "created": int(token.created_at.timestamp()),
        "last_used": _timestamp(token.last_used_at),
        "revoked": token.is_revoked,
    }


class MeView(ApiView):
    @extend_schema(tags=TAG_ME, operation_id="me_retrieve", summary="Me", responses={200: s.MeSerializer, **errors()})
    def get(self, request):
        return Response(me_out(request, request.user))

    @extend_schema(
        tags=TAG_ME,
        operation_id="me_update",
        summary="Change my profile: names, title, time zone",
        request=s.ProfileUpdateSerializer,
        responses={200: s.MeSerializer, **errors()},
    )
    def patch(self, request):
        data = validated(s.ProfileUpdateSerializer, request.data)
        user = services.user_update_profile(actor=request.user, user=request.user, **data)
        return Response(me_out(request, user))


class StatusView(ApiView):
    @extend_schema(
        tags=TAG_ME,
        operation_id="me_set_status",
        summary="Set my custom status (an emoji and text, until an optional time)",
        request=s.StatusSerializer,
        responses={200: s.MeSerializer, **errors()},
    )
    def put(self, request):
        data = validated(s.StatusSerializer, request.data)
        user = services.user_set_status(
            actor=request.user, emoji=data["emoji"], text=data["text"], expires_at=data["expires_at"]
        )
        return Response(me_out(request, user))

    @extend_schema(
        tags=TAG_ME,
        operation_id="me_clear_status",
        summary="Clear my custom status",
        request=None,
        responses={200: s.MeSerializer, **errors()},
    )
    def delete(self, request):
        return Response(me_out(request, services.user_set_status(actor=request.user)))


class PreferencesView(ApiView):
    @extend_schema(
        tags=TAG_ME,
        operation_id="me_update_preferences",
        summary="Change my language, how I am notified (email, do-not-disturb hours), and whether I send read receipts",
        description="language is en, de or es, or empty to follow the browser. "
        "send_read_receipts false: no one sees when I have read their DMs. "
        "dnd_start and dnd_end (HH:MM, my time zone) go together; both null removes the window. "
        "A window may run past midnight (22:00 to 07:00).",
        request=s.PreferencesUpdateSerializer,
        responses={200: s.MeSerializer, **errors()},
    )
    def patch(self, request):
        data = validated(s.PreferencesUpdateSerializer, request.data)
        clear = "dnd_start" in data and "dnd_end" in data and data["dnd_start"] is None and data["dnd_end"] is None
        if "language" in data:
            services.user_set_language(actor=request.user, language=data["language"])
        if "send_read_receipts" in data:
            user_set_send_read_receipts(actor=request.user, enabled=data["send_read_receipts"])
        user = services.user_set_notification_preferences(
            actor=request.user,
            email_notifications=data.get("email_notifications"),
            dnd_start=data.get("dnd_start"),
            dnd_end=data.get("dnd_end"),
            clear_dnd=clear,
        )
        return Response(me_out(request, user))


class TokenCollectionView(ApiView):
    @extend_schema(
        tags=TAG_TOKENS,
        operation_id="tokens_list",
        summary="My API tokens and the bot tokens I created, with when each was last used",
        responses={200: s.TokenListSerializer, **errors()},
    )
    def get(self, request):
        tokens = user_tokens(user=request.user, within=token_workspace(request))
        return Response({"tokens": [token_out(token) for token in tokens]})

    @extend_schema(
        tags=TAG_TOKENS,
        operation_id="tokens_create",
        summary="Create an API token (from a signed-in session); the secret is shown once",
        description="For yourself, or with `user` for a bot of a workspace you administer. "
        "Rate limited per client address.",
        request=s.TokenCreateSerializer,
        responses={201: s.TokenCreatedSerializer, **errors()},
    )
    def post(self, request):
        check_auth_rate(request)
        if request_token(request) is not None:
            raise DomainError(ErrorCode.RESTRICTED_ACTION, "Create tokens from a signed-in session, not with a token.")
        if not signed_in_recently(request._request, request.user):
            raise DomainError(
                ErrorCode.REAUTHENTICATION_REQUIRED,
                "Creating a token needs a recent sign-in: sign in again (or confirm your password at "
                "/auth/reauthenticate/) and retry.",
            )
        data = validated(s.TokenCreateSerializer, request.data)
        workspace, _ = workspace_get(actor=request.user, public_id=data["workspace"])
        owner = request.user
        if data.get("user"):
            owner = User.objects.filter(public_id=data["user"]).first()
            if owner is None:
                raise DomainError(
                    ErrorCode.USER_NOT_FOUND,
                    "No user %(value)s.",
                    fields={"user": "not_found"},
                    params={"value": data["user"]},
                )
        token, raw = api_token_create(actor=request.user, user=owner, workspace=workspace, name=data["name"])
        return Response({"token": token_out(token), "secret": raw}, status=status.HTTP_201_CREATED)


class TokenDetailView(ApiView):
    @extend_schema(
        tags=TAG_TOKENS,
        operation_id="tokens_revoke",
        summary="Revoke a token at once (yours, one you created, or any in a workspace you administer)",
        request=None,
        responses={200: s.TokenOutSerializer, **errors()},
    )
    def delete(self, request, token_id: str):
        token = token_get(actor=request.user, public_id=token_id, within=token_workspace(request))
        token = api_token_revoke(actor=request.user, token=token)
        return Response({"token": token_out(token)})


def _enforce_csrf(request) -> None:
    """Sign-in from a browser form must carry the CSRF token, like every session write."""
    SessionAuthentication().enforce_csrf(request)


class CsrfView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_csrf",
        summary="A CSRF token (and cookie) for browser sign-in and session writes",
        responses={200: s.CsrfSerializer, **errors(authenticated=False)},
    )
    def get(self, request):
        return Response({"csrf_token": get_token(request._request)})


class LoginView(ApiView):
    permission_classes = [AllowAny]
    auth_rate_limited = True

    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_login",
        summary="Sign in with email and password (browser session; needs the CSRF token)",
        description="An account with two-factor authentication also sends `code` (authenticator app or recovery "
        "code); without it the answer is 401 `mfa_required`, with a wrong one 401 `invalid_mfa_code`, and no "
        "session is made. Passkeys sign in on the page (/accounts/login/).",
        request=s.LoginSerializer,
        responses={200: s.UserOutSerializer, **errors(401, 403, authenticated=False)},
    )
    def post(self, request):
        _enforce_csrf(request)
        data = validated(s.LoginSerializer, request.data)
        check_account_sign_in_rate(request, data["email"])
        user = authenticate(request._request, username=data["email"].strip(), password=data["password"])
        if user is None:
            raise DomainError(ErrorCode.INVALID_AUTH, "Wrong email or password.")
        record_password_sign_in(request._request, user)
        if has_two_factor(user):
            _check_second_factor(request._request, user, data["code"].strip())
        login(request._request, user)
        return Response({"user": user_to_wire(user)})


def _check_second_factor(request, user: User, code: str) -> None:
    """The password was right; a person with two-factor also gives a code (a passkey needs the page)."""
    if not code:
        raise DomainError(
            ErrorCode.MFA_REQUIRED,
            "This account uses two-factor authentication: send the code from the authenticator app, "
            "or a recovery code, as code.",
            fields={"code": "required"},
        )
    outcome = second_factor_by_code(request, user, code)
    if outcome == "ratelimited":
        raise DomainError(ErrorCode.RATELIMITED, "Too many wrong codes. Try again later.")
    if outcome != "ok":
        raise DomainError(ErrorCode.INVALID_MFA_CODE, "That code is not right.", fields={"code": "invalid"})


class LogoutView(ApiView):
    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_logout",
        summary="Sign out of this browser session",
        request=None,
        responses={204: None, **errors()},
    )
    def post(self, request):
        if request_token(request) is not None:
            raise DomainError(ErrorCode.RESTRICTED_ACTION, "Tokens are revoked, not signed out.")
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutOthersView(ApiView):
    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_logout_others",
        summary="Sign out of every other session (this one stays signed in; API tokens keep working)",
        request=None,
        responses={204: None, **errors()},
    )
    def post(self, request):
        if request_token(request) is not None:
            raise DomainError(ErrorCode.RESTRICTED_ACTION, "Tokens are revoked, not signed out.")
        user = services.user_sign_out_other_sessions(actor=request.user)
        update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignupView(ApiView):
    permission_classes = [AllowAny]
    auth_rate_limited = True

    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_signup",
        summary="Start an account: the next step is mailed to the address (needs the CSRF token)",
        description="The answer is the same whether or not the address has an account: a new one gets a "
        "verification link (which signs in), an existing one a note on how to sign in. Nothing is signed in here.",
        request=s.SignupSerializer,
        responses={202: s.CheckEmailSerializer, **errors(403, authenticated=False)},
    )
    def post(self, request):
        _enforce_csrf(request)
        data = validated(s.SignupSerializer, request.data)
        user_sign_up(email=data["email"], password=data["password"], full_name=data["full_name"])
        email = data["email"].strip().lower()
        return Response(
            {"email": email, "detail": f"Check your email: we sent {email} the next step."},
            status=status.HTTP_202_ACCEPTED,
        )


class VerifyEmailView(ApiView):
    permission_classes = [AllowAny]
    auth_rate_limited = True

    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_verify_email",
        summary="Prove an address with the token from the mailed link, and sign in (needs the CSRF token)",
        request=s.VerifyEmailSerializer,
        responses={200: s.UserOutSerializer, **errors(403, 410, authenticated=False)},
    )
    def post(self, request):
        _enforce_csrf(request)
        data = validated(s.VerifyEmailSerializer, request.data)
        user = email_verify(token=data["token"])
        if has_two_factor(user):
            raise DomainError(
                ErrorCode.MFA_REQUIRED,
                "The address is confirmed. This account uses two-factor authentication: sign in with the "
                "password and the code.",
            )
        set_sign_in_method(request._request, "email_link")
        login(request._request, user, backend="accounts.backends.EmailBackend")
        return Response({"user": user_to_wire(user)})


class ResendVerificationView(ApiView):
    @extend_schema(
        tags=TAG_AUTH,
        operation_id="session_verify_email_resend",
        summary="Mail me a new verification link",
        request=None,
        responses={202: s.CheckEmailSerializer, **errors()},
    )
    def post(self, request):
        email_verification_send(actor=request.user)
        email = request.user.email
        return Response({"email": email, "detail": f"We sent a new link to {email}."}, status=status.HTTP_202_ACCEPTED)
