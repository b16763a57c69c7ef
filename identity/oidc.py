"""The OpenID Connect protocol as Slackclone runs it: django-allauth's provider, with what it leaves out.

allauth 65.22 checks the state (single use, ten minutes, bound to the session) and sends PKCE when the app
asks for it; it verifies the ID token's issuer, audience and expiry. What is added here:

* a nonce, sent with every authorization request, kept in the state and compared with the ID token's;
* the ID token's signature is always verified against the provider's JWKS (allauth skips it when the
  token came straight from the token endpoint, which the specification allows but the issue does not),
  with the algorithm the key declares (asymmetric only: never `none`, never HMAC with a public key);
* `sub`, `iat` and `exp` required; the userinfo answer must name the same subject;
* PKCE always on;
* every request to the provider goes through slackclone.outgoing (OutgoingSession): the issuer is typed
  by a workspace owner, so it is held to the rules of any URL a person typed.

SocialAccountAdapter.get_provider hands out OIDCProvider for every "openid_connect" app, and the callback
URL is served by `callback` below (identity.urls mounts it before allauth's).
"""

from __future__ import annotations

import hmac
from http import HTTPStatus
from typing import Any

import jwt
import requests
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import get_random_string
from requests.structures import CaseInsensitiveDict

from slackclone import outgoing

NONCE_LENGTH = 32
TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 512 * 1024
CLOCK_SKEW_SECONDS = 30
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class OutgoingTransport(requests.adapters.BaseAdapter):
    """A requests transport that sends through slackclone.outgoing (bounded, checked addresses, no
    redirects). Failures become requests.ConnectionError, which allauth turns into its error page."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in outgoing.CLIENT_HEADERS and name.lower() != "accept-encoding"
        }
        body = request.body.encode() if isinstance(request.body, str) else request.body
        try:
            answer = outgoing.request(
                str(request.method),
                str(request.url),
                body=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                max_response_bytes=MAX_RESPONSE_BYTES,
            )
        except outgoing.OutgoingError as exc:
            raise requests.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body
        response.url = str(request.url)
        response.request = request
        response.reason = HTTPStatus(answer.status).phrase if answer.status in HTTPStatus._value2member_map_ else ""
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        pass


def outgoing_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    session.mount("http://", OutgoingTransport())
    session.mount("https://", OutgoingTransport())
    return session


def _fetch_json(url: str) -> Any:
    with outgoing_session() as session:
        response = session.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()


def _signing_key(token: str, jwks_uri: str) -> tuple[Any, str]:
    """The provider's public key for this token, and the algorithm that key is for."""
    header = jwt.get_unverified_header(token)
    alg = header.get("alg")
    if alg not in SIGNING_ALGORITHMS:
        raise OAuth2Error(f"ID token signed with {alg!r}, which is not accepted.")
    keys = _fetch_json(jwks_uri).get("keys", [])
    kid = header.get("kid")
    candidates = [k for k in keys if isinstance(k, dict) and (kid is None or k.get("kid") == kid)]
    candidates = [k for k in candidates if k.get("use", "sig") == "sig" and k.get("alg", alg) == alg]
    if len(candidates) != 1:
        raise OAuth2Error("No single signing key of the provider matches the ID token.")
    try:
        return jwt.PyJWK(candidates[0], algorithm=alg).key, alg
    except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
        raise OAuth2Error("The provider's signing key is unusable.") from exc


def verify_id_token(token: str, *, issuer: str, client_id: str, jwks_uri: str, nonce: str | None) -> dict[str, Any]:
    """The ID token's claims after checking its signature, issuer, audience (and azp), expiry, issue time
    and nonce. Raises OAuth2Error."""
    try:
        key, alg = _signing_key(token, jwks_uri)
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except (jwt.PyJWTError, ValueError, requests.RequestException) as exc:
        raise OAuth2Error(f"Invalid ID token: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("Invalid ID token: azp is not this client.")
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OAuth2Error("Invalid ID token: the nonce does not match this sign-in.")
    jwtkit.verify_jti(claims)
    return claims


class OIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, verifying the ID token fully (see the module's docstring)."""

    expected_nonce: str | None = None

    def complete_login(self, request: HttpRequest, app: SocialApp, token: Any, **kwargs: Any) -> Any:
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider sent no ID token.")
        config = self.openid_config
        claims = verify_id_token(
            id_token,
            issuer=config["issuer"],
            client_id=app.client_id,
            jwks_uri=config["jwks_uri"],
            nonce=self.expected_nonce,
        )
        data: dict[str, Any] = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True) and config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if not isinstance(userinfo, dict) or str(userinfo.get("sub")) != str(claims["sub"]):
                raise OAuth2Error("The userinfo answer is about someone else.")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)


class OIDCProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with a nonce on every request and PKCE always on."""

    oauth2_adapter_class = OIDCAdapter

    def get_pkce_params(self) -> dict[str, str]:
        return dict(generate_code_challenge())

    def redirect(
        self, request: HttpRequest, process: Any, next_url: str | None = None, data: Any = None, **kwargs: Any
    ) -> HttpResponse:
        nonce = get_random_string(NONCE_LENGTH)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)


class CallbackView(OAuth2CallbackView):
    """allauth's callback, handing the nonce kept in the (single-use) state to the adapter."""

    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, Any]:
        state, response = super()._get_state(request, provider)
        if isinstance(self.adapter, OIDCAdapter):
            self.adapter.expected_nonce = (state or {}).get("nonce")
        return state, response


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2LoginView.adapter_view(OIDCAdapter(request, provider_id))
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return response


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = CallbackView.adapter_view(OIDCAdapter(request, provider_id))
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return response
