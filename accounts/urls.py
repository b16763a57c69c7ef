"""Account pages, mounted at /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import auth, landing, preferences, profile, security, tokens, verification

app_name = "accounts"

password_reset_urls = [
    path(
        "password/reset/",
        auth.rate_limited_password_reset,
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", auth.signup, name="signup"),
    path("verify/resend/", verification.resend_verification, name="verify-email-resend"),
    path("verify/<str:token>/", verification.verify_email, name="verify-email"),
    *password_reset_urls,
    path("workspaces/", landing.workspaces, name="workspaces"),
    path("profile/", profile.profile, name="profile"),
    path("profile/photo/", profile.avatar, name="avatar"),
    path("profile/status/", profile.status, name="status"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("security/", security.security, name="security"),
    path("security/sign-out-others/", security.sign_out_other_sessions, name="sign-out-others"),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/<str:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
]
