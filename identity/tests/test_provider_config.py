"""Configuring OpenID Connect providers: the service's checks, who may do it, the discovery check, and the
operator's command."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEvent
from identity.models import IdentityProvider
from identity.services import (
    identity_provider_create_oidc,
    identity_provider_delete,
    identity_provider_set_enabled,
    identity_provider_update,
)
from identity.tests.conftest import CLIENT_ID, CLIENT_SECRET, PROVIDER_ID, make_provider
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.django_db

GOOD = {"name": "Okta", "issuer": "https://acme.okta.com", "client_id": "cid", "client_secret": "s3cret"}


def create(workspace, actor=None, **changes):
    return identity_provider_create_oidc(actor=actor, workspace=workspace, check=False, **{**GOOD, **changes})


def test_the_operator_creates_a_provider_with_its_allauth_app(team):
    provider = create(team.workspace, scopes="openid email", allowed_domains=["Acme.COM"], trust_email=True)
    app = provider.social_app
    assert (app.provider, app.provider_id) == ("openid_connect", f"{team.workspace.slug}-okta")
    assert app.settings == {
        "server_url": "https://acme.okta.com",
        "oauth_pkce_enabled": True,
        "scope": ["openid", "email"],
    }
    assert provider.allowed_domains == ["acme.com"]
    event = AuditEvent.objects.get(action=AuditAction.SSO_CONFIG_CHANGED)
    assert event.data["change"] == "created"
    assert "s3cret" not in str(event.data)


def test_an_owner_may_configure_providers(team):
    provider = create(team.workspace, actor=team.owner)
    identity_provider_update(actor=team.owner, provider=provider, name="Okta EU", check=False)
    identity_provider_set_enabled(actor=team.owner, provider=provider, enabled=False)
    identity_provider_delete(actor=team.owner, provider=provider)
    assert not SocialApp.objects.exists()
    changes = [e.data["change"] for e in AuditEvent.objects.filter(action=AuditAction.SSO_CONFIG_CHANGED)]
    assert sorted(changes) == ["created", "deleted", "disabled", "updated"]


@pytest.mark.parametrize(
    ("who", "code"), [("admin", "restricted_action"), ("member", "restricted_action"), ("guest", "restricted_action")]
)
def test_only_owners_configure_providers(team, who, code):
    with pytest.raises(DomainError) as refused:
        create(team.workspace, actor=getattr(team, who))
    assert refused.value.code == code
    assert not IdentityProvider.objects.exists()


def test_the_owner_of_another_workspace_cannot_touch_a_provider(team, outsider):
    provider = create(team.workspace)
    with pytest.raises(DomainError) as refused:
        identity_provider_update(actor=outsider, provider=provider, name="Mine", check=False)
    assert refused.value.code == ErrorCode.WORKSPACE_NOT_FOUND
    with pytest.raises(DomainError):
        identity_provider_delete(actor=outsider, provider=provider)
    assert IdentityProvider.objects.get().name == "Okta"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"issuer": "http://acme.okta.com"}, ErrorCode.INVALID_ISSUER, "issuer"),
        ({"issuer": "https://acme.okta.com/.well-known/openid-configuration"}, ErrorCode.INVALID_ISSUER, "issuer"),
        ({"issuer": "https://user:pw@acme.okta.com"}, ErrorCode.INVALID_ISSUER, "issuer"),
        ({"issuer": "ftp://acme.okta.com"}, ErrorCode.INVALID_ISSUER, "issuer"),
        ({"scopes": "email profile"}, ErrorCode.INVALID_SCOPES, "scopes"),
        ({"scopes": 'openid "quoted"'}, ErrorCode.INVALID_SCOPES, "scopes"),
        ({"allowed_domains": ["@acme.com"]}, ErrorCode.INVALID_DOMAIN, "allowed_domains"),
        ({"allowed_domains": ["*.acme.com"]}, ErrorCode.INVALID_DOMAIN, "allowed_domains"),
        ({"allowed_domains": ["localhost"]}, ErrorCode.INVALID_DOMAIN, "allowed_domains"),
        ({"client_id": " "}, ErrorCode.INVALID_ARGUMENTS, "client_id"),
        ({"client_secret": ""}, ErrorCode.INVALID_ARGUMENTS, "client_secret"),
        ({"name": ""}, ErrorCode.INVALID_NAME, "name"),
        ({"group_roles": {"admins": "owner"}}, ErrorCode.INVALID_CLAIM_MAPPING, "group_roles"),
        ({"email_claim": "e mail"}, ErrorCode.INVALID_CLAIM_MAPPING, "email_claim"),
    ],
)
def test_bad_input_is_refused_precisely_and_nothing_is_written(team, changes, code, field):
    with pytest.raises(DomainError) as refused:
        create(team.workspace, **changes)
    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert not SocialApp.objects.exists()
    assert not IdentityProvider.objects.exists()


def test_two_providers_of_a_workspace_need_different_names(team):
    create(team.workspace)
    with pytest.raises(DomainError) as refused:
        create(team.workspace, name="okta")
    assert refused.value.code == ErrorCode.NAME_TAKEN


def test_http_is_allowed_only_on_loopback(team):
    assert (
        create(team.workspace, issuer="http://127.0.0.1:8080").social_app.settings["server_url"]
        == "http://127.0.0.1:8080"
    )


def test_an_empty_secret_on_update_keeps_the_secret(team):
    provider = create(team.workspace)
    identity_provider_update(actor=None, provider=provider, client_secret="", client_id="new-id", check=False)
    app = SocialApp.objects.get()
    assert (app.client_id, app.secret) == ("new-id", "s3cret")


def test_the_check_records_an_unreachable_discovery_document(acme):
    provider = make_provider(acme, f"http://127.0.0.1:{free_port()}")
    assert "could not be fetched (connection_failed)" in provider.last_error
    assert provider.last_checked_at is not None


def test_the_check_passes_against_a_real_provider_and_names_a_wrong_issuer(acme, node_idp):
    assert make_provider(acme, node_idp.issuer).last_error == ""
    provider = IdentityProvider.objects.get()
    identity_provider_update(actor=None, provider=provider, issuer=node_idp.issuer + "/")
    provider.refresh_from_db()
    assert "copy its issuer exactly" in provider.last_error


def run_command(*args):
    out = StringIO()
    call_command("add_oidc_provider", *args, stdout=out)
    return out.getvalue()


def test_the_command_adds_a_provider_and_prints_the_redirect_uri_last(acme, node_idp):
    output = run_command(
        "acme", "Acme SSO", "--issuer", node_idp.issuer, "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
        "--trust-email", "--allow-domain", "acme.test", "--allow-domain", "acme.example",
    )  # fmt: skip
    assert output.splitlines()[-1] == f"http://127.0.0.1:8000/auth/oidc/{PROVIDER_ID}/login/callback/"
    provider = IdentityProvider.objects.get()
    assert (provider.trust_email, provider.allowed_domains, provider.last_error) == (
        True,
        ["acme.test", "acme.example"],
        "",
    )
    assert provider.social_app.settings["scope"] == ["openid", "email", "profile"]


def test_the_command_reports_an_unreachable_provider_but_keeps_it(acme):
    output = run_command(
        "acme", "Down", "--issuer", f"http://127.0.0.1:{free_port()}", "--client-id", "c", "--client-secret", "s"
    )
    assert "could not be read" in output
    assert output.splitlines()[-1].endswith("/auth/oidc/acme-down/login/callback/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope", "X", "--issuer", "https://a.example", "--client-id", "c", "--client-secret", "s"],
            "No workspace has the address 'nope'. [workspace_not_found]",
        ),
        (["acme", "X", "--issuer", "http://a.example", "--client-id", "c", "--client-secret", "s"], "[invalid_issuer]"),
        (
            [
                "acme",
                "X",
                "--issuer",
                "https://a.example",
                "--client-id",
                "c",
                "--client-secret",
                "s",
                "--scopes",
                "email",
            ],
            "[invalid_scopes]",
        ),
        (
            [
                "acme",
                "X",
                "--issuer",
                "https://a.example",
                "--client-id",
                "c",
                "--client-secret",
                "s",
                "--allow-domain",
                "not a domain",
            ],
            "not a domain is not a domain such as example.com. [invalid_domain]",
        ),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(acme, args, message):
    with pytest.raises(CommandError) as refused:
        run_command(*args)
    assert message in str(refused.value)
    assert not SocialApp.objects.exists()
