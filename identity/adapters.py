"""How django-allauth fits Slackclone's own accounts.

Slackclone keeps its own sign-up, email verification and password pages (accounts/), so allauth's
account signup is closed; allauth runs the parts it does better than our code: the login stages
(a second factor after the password), single sign-on providers, two-factor methods and the list of
sessions. Every account it makes goes through accounts.services.user_create.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.http import HttpRequest

# allauth's notices that only repeat what the page already shows.
QUIET_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are made by our own sign-up page (which proves the address first) and invitations."""
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in QUIET_MESSAGES or level < messages.INFO:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Closed unless a provider's own provisioning rules open it."""
        return False

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """Every refused single sign-on is an audit event (SIGN_IN_FAILED with the method)."""
        if getattr(provider, "id", "") == "saml":
            from identity.saml.signin import record_failure

            record_failure(request, provider, error, extra_context)
        super().on_authentication_error(request, provider, error, exception, extra_context)
