"""Owners add and manage SAML providers on the single sign-on page (/<slug>/admin/sso/), beside the
OpenID Connect ones: from pasted metadata or a metadata URL (served here by a small HTTP server on
127.0.0.1, in a thread of the test process), with the addresses to give the IdP shown back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from allauth.socialaccount.models import SocialApp
from django.conf import settings

from audit.models import AuditAction, AuditEvent
from identity.models import IdentityProvider
from identity.saml.services import saml_provider_create
from identity.tests.saml.support import make_key_pair

pytestmark = pytest.mark.django_db

IDP_ENTITY_ID = "urn:slackclone:admin-page-idp"
SSO_URL = "https://idp.corp.example/saml/sso"
METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> str:
    """A fresh signing certificate (openssl), as metadata carries it: base64 without the PEM armour."""
    _key, cert = make_key_pair(tmp_path_factory.mktemp("saml-admin"))
    return "".join(cert.read_text().splitlines()[1:-1])


@pytest.fixture
def metadata_xml(certificate) -> str:
    return METADATA.format(entity_id=IDP_ENTITY_ID, cert=certificate, sso_url=SSO_URL)


@dataclass
class MetadataServer:
    """What the IdP's metadata URL answers: `status` and `body`, changeable while it runs."""

    url: str
    status: int = 200
    body: bytes = b""


@pytest.fixture
def metadata_server(metadata_xml) -> Iterator[MetadataServer]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread, shut down and joined after the test."""
    served = MetadataServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(served.status)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(served.body)))
            self.end_headers()
            self.wfile.write(served.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url, served.body = f"http://127.0.0.1:{server.server_port}/metadata", metadata_xml.encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def form(**fields: str) -> dict[str, str]:
    """The "Add a SAML provider" form as the page posts it (its fields are prefixed "saml-")."""
    values = {"name": "Corp SSO", "metadata_url": "", "metadata_xml": "", "idp_initiated": "on"}
    values |= {"allowed_domains": "", "email_claim": "email", "name_claim": "displayName", "groups_claim": "groups"}
    values |= {"group_roles": "", "group_channels": ""}
    return {"form": "saml", **{f"saml-{k}": v for k, v in (values | fields).items()}}


def edit_form(provider: IdentityProvider, **fields: str) -> dict[str, str]:
    """The provider page's form (no prefix), its name as it is unless given."""
    fields.setdefault("name", provider.name)
    return {k.removeprefix("saml-"): v for k, v in form(**fields).items() if k != "form"}


def test_an_owner_adds_a_provider_from_pasted_metadata_and_sees_what_to_give_the_idp(client, team, metadata_xml):
    client.force_login(team.owner)
    slug = team.workspace.slug
    fields = {"metadata_xml": metadata_xml, "trust_email": "on", "allowed_domains": "Corp.Example"}
    fields |= {"group_roles": "Admins = admin", "group_channels": "Eng = engineering general"}
    page = client.post(f"/{slug}/admin/sso/", form(**fields, groups_claim="memberOf"))
    provider = IdentityProvider.objects.get()
    org = provider.provider_id
    assert page["Location"] == f"/{slug}/admin/sso/{org}/"
    assert (provider.kind, provider.trust_email, provider.allowed_domains) == ("saml", True, ["corp.example"])
    assert (provider.groups_claim, provider.group_roles) == ("memberOf", {"Admins": "admin"})
    assert provider.group_channels == {"Eng": ["engineering", "general"]}
    assert provider.social_app.settings["idp"]["entity_id"] == IDP_ENTITY_ID
    event = AuditEvent.objects.get(action=AuditAction.SSO_CONFIG_CHANGED)
    assert (event.actor, event.data["change"], event.data["kind"]) == (team.owner, "created", "saml")
    detail = client.get(page["Location"]).content.decode()
    assert f'value="{settings.SITE_URL}/auth/saml/{org}/metadata/"' in detail
    assert f'value="{settings.SITE_URL}/auth/saml/{org}/acs/"' in detail
    assert IDP_ENTITY_ID in detail
    listing = client.get(f"/{slug}/admin/sso/").content.decode()
    assert "Corp SSO" in listing
    assert f'value="{settings.SITE_URL}/auth/saml/{org}/acs/"' in listing
    assert f"/{slug}/admin/sso/{org}/refresh/" not in listing  # pasted metadata has no URL to fetch again


def test_an_owner_adds_a_provider_by_its_metadata_url(client, team, metadata_server):
    client.force_login(team.owner)
    page = client.post(f"/{team.workspace.slug}/admin/sso/", form(metadata_url=metadata_server.url))
    assert page.status_code == 302, page.content.decode()[-3000:]
    provider = IdentityProvider.objects.get()
    assert provider.social_app.settings["idp"]["sso_url"] == SSO_URL
    assert provider.social_app.settings["slackclone"]["metadata_url"] == metadata_server.url
    listing = client.get(f"/{team.workspace.slug}/admin/sso/").content.decode()
    assert f"/{team.workspace.slug}/admin/sso/{provider.provider_id}/refresh/" in listing


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"metadata_xml": "<not-xml"}, "not valid XML"),
        ({"metadata_xml": "<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='x'/>"},
         "no identity provider"),
        ({"metadata_xml": "x" * (512 * 1024 + 1)}, "at most 524288 characters"),
        ({}, "Give the metadata URL or paste the metadata XML."),
    ],
)  # fmt: skip
def test_bad_metadata_is_refused_with_the_reason_and_nothing_is_written(client, team, fields, reason):
    client.force_login(team.owner)
    page = client.post(f"/{team.workspace.slug}/admin/sso/", form(**fields))
    assert page.status_code == 400
    assert reason in page.content.decode()
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SSO_CONFIG_CHANGED).exists()


def test_a_metadata_url_that_fails_is_refused_with_the_reason(client, team, metadata_server):
    metadata_server.status, metadata_server.body = 500, b"oops"
    client.force_login(team.owner)
    page = client.post(f"/{team.workspace.slug}/admin/sso/", form(metadata_url=metadata_server.url))
    assert page.status_code == 400
    assert "The metadata URL answered HTTP 500." in page.content.decode()
    assert not SocialApp.objects.exists()


def test_a_failed_refresh_is_reported_and_keeps_the_working_configuration(client, team, metadata_server):
    provider = saml_provider_create(
        actor=team.owner, workspace=team.workspace, name="Corp SSO", metadata_url=metadata_server.url
    )
    working = provider.social_app.settings["idp"]
    metadata_server.body = b"<broken"
    client.force_login(team.owner)
    base = f"/{team.workspace.slug}/admin/sso/{provider.provider_id}/"
    page = client.post(base + "refresh/", follow=True)
    assert "not valid XML" in page.content.decode()
    provider.refresh_from_db()
    assert "not valid XML" in provider.last_error
    assert provider.social_app.settings["idp"] == working
    assert provider.enabled
    assert "not valid XML" in client.get(f"/{team.workspace.slug}/admin/sso/").content.decode()
    metadata_server.body = METADATA.format(
        entity_id=IDP_ENTITY_ID, cert=working["x509cert"], sso_url="https://idp.corp.example/new-sso"
    ).encode()
    client.post(base + "refresh/")
    provider.refresh_from_db()
    assert (provider.last_error, provider.social_app.settings["idp"]["sso_url"]) == (
        "",
        "https://idp.corp.example/new-sso",
    )


def test_an_owner_edits_turns_off_and_removes_a_provider(client, team, metadata_xml):
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp SSO", metadata_xml=metadata_xml)
    client.force_login(team.owner)
    base = f"/{team.workspace.slug}/admin/sso/{provider.provider_id}/"
    assert client.get(base).status_code == 200
    page = client.post(base, edit_form(provider, name="Corp EU", allowed_domains="corp.eu", idp_initiated=""))
    assert page.status_code == 302, page.content.decode()[-3000:]
    provider.refresh_from_db()
    assert (provider.name, provider.social_app.name, provider.allowed_domains) == ("Corp EU", "Corp EU", ["corp.eu"])
    assert provider.social_app.settings["advanced"]["reject_idp_initiated_sso"] is True
    assert provider.social_app.settings["idp"]["entity_id"] == IDP_ENTITY_ID  # the metadata was kept
    client.post(base + "disable/")
    provider.refresh_from_db()
    assert not provider.enabled
    client.post(base + "enable/")
    provider.refresh_from_db()
    assert provider.enabled
    client.post(base + "delete/")
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()
    changes = AuditEvent.objects.filter(action=AuditAction.SSO_CONFIG_CHANGED).order_by("pk")
    assert [e.data["change"] for e in changes] == ["created", "updated", "updated", "updated", "deleted"]


def test_an_edit_with_bad_metadata_keeps_the_provider_as_it_was(client, team, metadata_xml):
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp SSO", metadata_xml=metadata_xml)
    client.force_login(team.owner)
    page = client.post(
        f"/{team.workspace.slug}/admin/sso/{provider.provider_id}/",
        edit_form(provider, name="Renamed", metadata_xml="<nope"),
    )
    assert page.status_code == 400
    assert "not valid XML" in page.content.decode()
    provider.refresh_from_db()
    assert provider.name == "Corp SSO"
    assert provider.social_app.settings["idp"]["entity_id"] == IDP_ENTITY_ID


@pytest.mark.parametrize("who", ["admin", "member", "guest"])
def test_admins_members_and_guests_are_refused(client, team, metadata_xml, who):
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp SSO", metadata_xml=metadata_xml)
    client.force_login(getattr(team, who))
    slug, org = team.workspace.slug, provider.provider_id
    for page in (
        client.get(f"/{slug}/admin/sso/"),
        client.post(f"/{slug}/admin/sso/", form(name="Mine", metadata_xml=metadata_xml)),
        client.get(f"/{slug}/admin/sso/{org}/"),
        client.post(f"/{slug}/admin/sso/{org}/", edit_form(provider, name="Mine")),
        client.post(f"/{slug}/admin/sso/{org}/refresh/"),
        client.post(f"/{slug}/admin/sso/{org}/disable/"),
        client.post(f"/{slug}/admin/sso/{org}/delete/"),
    ):
        assert page.status_code == 403
        assert "Only workspace owners can do that." in page.content.decode()
    provider.refresh_from_db()
    assert (provider.name, provider.enabled, IdentityProvider.objects.count()) == ("Corp SSO", True, 1)


def test_the_owner_of_another_workspace_gets_not_found(client, team, outsider, metadata_xml):
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp SSO", metadata_xml=metadata_xml)
    own = outsider.memberships.get().workspace
    client.force_login(outsider)
    slug, org = team.workspace.slug, provider.provider_id
    assert client.get(f"/{slug}/admin/sso/").status_code == 404
    assert client.post(f"/{slug}/admin/sso/", form(name="Mine", metadata_xml=metadata_xml)).status_code == 404
    for action in ("", "refresh/", "disable/", "delete/"):
        assert client.post(f"/{own.slug}/admin/sso/{org}/{action}", edit_form(provider)).status_code == 404
        assert client.post(f"/{slug}/admin/sso/{org}/{action}", edit_form(provider)).status_code == 404
    assert "Corp SSO" not in client.get(f"/{own.slug}/admin/sso/").content.decode()
    provider.refresh_from_db()
    assert (provider.name, provider.enabled, IdentityProvider.objects.count()) == ("Corp SSO", True, 1)


def test_a_signed_out_visitor_is_sent_to_sign_in(client, team, metadata_xml):
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp SSO", metadata_xml=metadata_xml)
    slug = team.workspace.slug
    for page in (
        client.get(f"/{slug}/admin/sso/"),
        client.post(f"/{slug}/admin/sso/", form(metadata_xml=metadata_xml)),
        client.get(f"/{slug}/admin/sso/{provider.provider_id}/"),
        client.post(f"/{slug}/admin/sso/{provider.provider_id}/delete/"),
    ):
        assert page.status_code == 302
        assert page["Location"].startswith("/accounts/login/")
    assert IdentityProvider.objects.count() == 1
