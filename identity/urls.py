"""django-allauth's pages, mounted at /auth/: the login stages (two-factor), re-authentication,
two-factor management, single sign-on callbacks; and our sessions list (allauth's UserSession rows).

allauth's own sign-in, sign-up, email and password pages are not mounted: those are Slackclone's
(accounts/). The names allauth reverses for them point at ours.
"""

from allauth.account import views as account_views
from allauth.urls import build_provider_urlpatterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from identity import oidc
from identity.saml import views as saml_views
from identity.views import sessions

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
    # OpenID Connect through identity.oidc (nonce, full ID token checks), before allauth's own views.
    path("oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    # The sessions list is ours (identity.views.sessions): devices, ending one session and its sockets.
    path("sessions/", sessions.sessions, name="usersessions_list"),
    path("sessions/<int:session_id>/end/", sessions.session_end, name="session-end"),
    path("sessions/end-others/", sessions.sessions_end_others, name="sessions-end-others"),
    # Before allauth's own: the SAML sign-in page, whose form may lead to the IdP (identity.saml.views).
    re_path(r"^saml/(?P<organization_slug>[^/]+)/login/$", saml_views.login, name="saml_login"),
    *build_provider_urlpatterns(),
]
