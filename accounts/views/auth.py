"""Signing in, up and out. POSTs are rate limited per client address (settings.API_AUTH_RATE)."""

from __future__ import annotations

from typing import Any

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import EmailAuthenticationForm, LocalizedPasswordResetForm, SignupForm
from accounts.signup import mark_email_verified, user_sign_up
from identity.mfa import record_password_sign_in
from identity.selectors import sign_in_buttons
from slackclone.errors import DomainError
from slackclone.web import add_domain_error, auth_rate_limited

BACKEND = "accounts.backends.EmailBackend"


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """The `next` address from the form or query string when it stays on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@method_decorator(auth_rate_limited(gettext_lazy("sign-in attempts"), account_field="username"), name="dispatch")
class LoginView(auth_views.LoginView):
    """The password step. What follows it (a second factor, when the person has one) is django-allauth's
    login stages, so every way in (password, single sign-on, passkey) meets the same checks."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        record_password_sign_in(self.request, user)
        return perform_login(self.request, user, redirect_url=self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """With the passkey button and the single sign-on buttons: the workspace's when `next` leads into
        one (/<slug>/ signed out comes here), else every enabled provider's."""
        context = super().get_context_data(**kwargs)
        context["passkey_login"] = settings.MFA_PASSKEY_LOGIN_ENABLED
        context["sso_buttons"] = sign_in_buttons(next_url=context.get("next") or "")
        return context


@sensitive_post_parameters("password")
@auth_rate_limited(gettext_lazy("new accounts"))
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Start an account; the same "check your email" follows whether or not the address had one.

    The link in that mail proves the address and signs in, then goes on to `next` (an invitation).
    """
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignupForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                next_url=safe_next(request, ""),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"].lower()})
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request, "")})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; the link came by mail to the address, so it proves the address too.

    The new password signs the person in through allauth's login stages, not Django's post_reset_login:
    a mailbox is not a second factor, so someone with two-factor still gives their code."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        super().form_valid(form)
        user = form.user
        mark_email_verified(user)
        user.backend = BACKEND
        record_password_sign_in(self.request, user)
        return perform_login(self.request, user, redirect_url=str(self.success_url))


# Django's reset views with our templates and email; the request form is rate limited like sign-in,
# and it never says whether an address has an account.
rate_limited_password_reset = auth_rate_limited(gettext_lazy("password reset requests"))(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        form_class=LocalizedPasswordResetForm,
        email_template_name="accounts/emails/password_reset.txt",
        subject_template_name="accounts/emails/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
