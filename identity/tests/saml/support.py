"""A real SAML identity provider for the tests: saml-idp (npm, pinned in package-lock.json) in its own
process with a throwaway signing key, and helpers to re-sign its responses with that same key to make
the bad ones (unsigned, for another audience) that a real IdP would never send on its own."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from slackclone.testing.processes import free_port, stop, wait_for_port

SAML_IDP_BIN = Path(os.environ.get("SAML_IDP_BIN", Path(settings.BASE_DIR) / "node_modules/saml-idp/bin/run.js"))
C = OneLogin_Saml2_Constants
NS = {"samlp": C.NS_SAMLP, "saml": C.NS_SAML, "ds": C.NS_DS}
_FORM_FIELD = re.compile(r'name="(SAMLResponse|RelayState)"\s+value="([^"]*)"')


def make_key_pair(directory: Path, name: str = "idp") -> tuple[Path, Path]:
    """A fresh RSA key and self-signed certificate, made by openssl, valid two days."""
    key, cert = directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         f"/CN=Slackclone test {name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key, cert


@dataclass
class SamlIdp:
    """One saml-idp process. Its own settings page (POST /settings) points it at a service provider."""

    url: str
    key: Path
    cert: Path
    process: subprocess.Popen

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    def point_at(self, *, acs_url: str, audience: str) -> None:
        fields = {"acsUrl": acs_url, "recipient": acs_url, "destination": acs_url, "audience": audience}
        requests.post(f"{self.url}/settings", data=fields, timeout=10).raise_for_status()

    def idp_initiated_response(self, *, user_name: str, email: str, name: str = "Sam Jackson", groups: str = "") -> str:
        """What the IdP's sign-in form posts to our ACS when someone starts at the IdP: the SAMLResponse."""
        form = {"userName": user_name, "email": email, "displayName": name, "firstName": "Sam", "lastName": "Jackson"}
        form["groups"] = groups or "Engineering"
        page = requests.post(f"{self.url}/signin", data=form, timeout=10)
        page.raise_for_status()
        fields = {k: html.unescape(v) for k, v in _FORM_FIELD.findall(page.text)}
        return fields["SAMLResponse"]


def start_saml_idp(directory: Path) -> SamlIdp:
    node = shutil.which("node")
    if node is None or not SAML_IDP_BIN.exists():
        raise RuntimeError(f"node or {SAML_IDP_BIN} is missing: `make node-modules` installs saml-idp.")
    key, cert = make_key_pair(directory)
    port = free_port()
    log = (directory / "saml-idp.log").open("w")
    process = subprocess.Popen(
        [node, str(SAML_IDP_BIN), "--host", "127.0.0.1", "--port", str(port), "--cert", str(cert), "--key", str(key),
         "--issuer", "urn:slackclone:test-idp", "--acsUrl", "http://127.0.0.1:9/unset", "--audience", "urn:unset"],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
    except Exception:
        stop(process)
        raise
    return SamlIdp(url=f"http://127.0.0.1:{port}", key=key, cert=cert, process=process)


# --- Crafting the responses a real IdP would not send -----------------------------------------


def decode(saml_response: str) -> etree._Element:
    return etree.fromstring(base64.b64decode(saml_response))


def encode(document: etree._Element) -> str:
    return base64.b64encode(etree.tostring(document)).decode()


def assertion(document: etree._Element) -> etree._Element:
    return document.find("saml:Assertion", NS)


def strip_signatures(document: etree._Element) -> etree._Element:
    for signature in document.findall(".//ds:Signature", NS):
        signature.getparent().remove(signature)
    return document


def sign_assertion(document: etree._Element, key: Path, cert: Path) -> etree._Element:
    """Sign the assertion with `key` as an IdP does: on its own (add_sign signs the first Issuer's parent,
    which in a whole response is the response), then put it back in the response."""
    original = assertion(document)
    standalone = etree.fromstring(etree.tostring(original))
    signed = OneLogin_Saml2_Utils.add_sign(standalone, key.read_text(), cert.read_text(), sign_algorithm=C.RSA_SHA256)
    document.replace(original, etree.fromstring(signed))
    return document


def set_audience(document: etree._Element, audience: str | None) -> etree._Element:
    """Name another audience, or (None) drop the AudienceRestriction altogether."""
    restriction = assertion(document).find("saml:Conditions/saml:AudienceRestriction", NS)
    if audience is None:
        restriction.getparent().remove(restriction)
    else:
        restriction.find("saml:Audience", NS).text = audience
    return document
