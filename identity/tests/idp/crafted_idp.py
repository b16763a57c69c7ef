"""An OpenID Connect provider that answers what the tests ask of it, including what no honest provider
sends: an ID token signed by the wrong key, for another audience, expired, with another nonce.

A real HTTP server in its own process (started and stopped by pid by identity/tests/conftest.py) serving
discovery, JWKS, the token endpoint and userinfo. The test chooses the answer through the authorization
code it hands our callback: base64url(JSON {"scenario", "nonce", "sub", "email", "email_verified", "name"}).
The token endpoint insists on PKCE (a code_verifier) and the client's secret, as a real one does.

    python identity/tests/idp/crafted_idp.py PORT CLIENT_ID CLIENT_SECRET
"""

from __future__ import annotations

import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

PORT, CLIENT_ID, CLIENT_SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ISSUER = f"http://127.0.0.1:{PORT}"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "crafted-1"


def _jwks() -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}


def decode_code(code: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)))


def id_token(order: dict) -> str:
    now = int(time.time())
    scenario = order.get("scenario", "ok")
    claims = {
        "iss": ISSUER,
        "sub": order["sub"],
        "aud": "someone-else" if scenario == "wrong_audience" else CLIENT_ID,
        "iat": now - 7200 if scenario == "expired" else now,
        "exp": now - 3600 if scenario == "expired" else now + 300,
        "nonce": "not-the-nonce" if scenario == "wrong_nonce" else order.get("nonce", ""),
        "email": order.get("email", ""),
        "email_verified": order.get("email_verified", True),
        "name": order.get("name", ""),
    }
    if scenario == "wrong_issuer":
        claims["iss"] = "http://127.0.0.1:1"
    if scenario == "alg_none":
        return jwt.encode(claims, None, algorithm="none", headers={"kid": KID})
    key = OTHER_KEY if scenario == "bad_signature" else KEY
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


class Handler(BaseHTTPRequestHandler):
    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/.well-known/openid-configuration":
            self._json(
                200,
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                },
            )
        elif self.path == "/jwks":
            self._json(200, _jwks())
        elif self.path == "/userinfo":
            order = decode_code(self.headers.get("Authorization", "").removeprefix("Bearer "))
            keys = ("sub", "email", "email_verified", "name")
            self._json(200, {k: order[k] for k in keys if k in order})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path != "/token":
            self._json(404, {"error": "not_found"})
        elif form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            self._json(401, {"error": "invalid_client"})
        elif not form.get("code_verifier"):
            self._json(400, {"error": "invalid_grant", "error_description": "PKCE code_verifier missing"})
        else:
            order = decode_code(form["code"])
            self._json(200, {"access_token": form["code"], "token_type": "Bearer", "id_token": id_token(order)})

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print(f"ready {ISSUER}", flush=True)
    server.serve_forever()
