"""django-allauth's pages, mounted at /auth/: the login stages (two-factor), re-authentication,
two-factor management, single sign-on callbacks and the sessions list.

allauth's own sign-in, sign-up, email and password pages are not mounted: those are Slackclone's
(accounts/). The names allauth reverses for them point at ours.
"""

from allauth.account import views as account_views
from allauth.urls import build_provider_urlpatterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from identity.saml import views as saml_views

urlpatterns = [
    path("login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True), name="account_login"),
    path("logout/", RedirectView.as_view(pattern_name="accounts:logout"), name="account_logout"),
    path("signup/", RedirectView.as_view(pattern_name="accounts:signup", query_string=True), name="account_signup"),
    path("email/", RedirectView.as_view(pattern_name="accounts:profile"), name="account_email"),
    path(
        "password/change/",
        RedirectView.as_view(pattern_name="accounts:security"),
        name="account_change_password",
    ),
    path(
        "password/reset/", RedirectView.as_view(pattern_name="accounts:password_reset"), name="account_reset_password"
    ),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path("sessions/", include("allauth.usersessions.urls")),
    # Before allauth's own: the SAML sign-in page, whose form may lead to the IdP (identity.saml.views).
    re_path(r"^saml/(?P<organization_slug>[^/]+)/login/$", saml_views.login, name="saml_login"),
    *build_provider_urlpatterns(),
]
