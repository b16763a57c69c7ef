"""Routes of the accounts API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from accounts.api import views

urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("me/status", views.StatusView.as_view(), name="me-status"),
    path("me/preferences", views.PreferencesView.as_view(), name="me-preferences"),
    path("tokens", views.TokenCollectionView.as_view(), name="tokens"),
    path("tokens/<pubid:token_id>", views.TokenDetailView.as_view(), name="token"),
    path("auth/csrf", views.CsrfView.as_view(), name="auth-csrf"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-others", views.LogoutOthersView.as_view(), name="auth-logout-others"),
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/verify-email", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("auth/verify-email/resend", views.ResendVerificationView.as_view(), name="auth-verify-email-resend"),
]
