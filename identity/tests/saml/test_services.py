"""Creating and changing SAML providers: who may, what is stored, what a bad metadata source says."""

from __future__ import annotations

import pytest
import requests
from allauth.socialaccount.models import SocialApp

from audit.models import AuditAction, AuditEvent
from identity.models import IdentityProvider
from identity.saml.services import (
    access_saml_provider,
    saml_provider_create,
    saml_provider_refresh_metadata,
    saml_provider_update,
    sp_metadata_url,
)
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.django_db


def create(actor, workspace, saml_idp, **kwargs):
    kwargs.setdefault("metadata_url", saml_idp.metadata_url)
    return saml_provider_create(actor=actor, workspace=workspace, name=kwargs.pop("name", "Corp SSO"), **kwargs)


def test_an_owner_adds_a_provider_from_the_idps_metadata_url(team, saml_idp):
    provider = create(team.owner, team.workspace, saml_idp, trust_email=True, allowed_domains=["Corp.Example"])
    app = provider.social_app
    assert (app.provider, app.provider_id, app.client_id) == (
        "saml",
        f"{team.workspace.slug}-corp-sso",
        app.provider_id,
    )
    idp = app.settings["idp"]
    assert idp["entity_id"] == "urn:slackclone:test-idp"
    assert idp["sso_url"] == f"{saml_idp.url}/saml/sso"
    assert "".join(saml_idp.cert.read_text().splitlines()[1:-1]) == idp["x509cert"]
    assert app.settings["sp"]["entity_id"] == sp_metadata_url(provider)
    assert app.settings["advanced"]["want_assertion_signed"] is True
    assert (provider.trust_email, provider.allowed_domains, provider.last_error) == (True, ["corp.example"], "")
    event = AuditEvent.objects.get(action=AuditAction.SSO_CONFIG_CHANGED)
    assert (event.actor, event.workspace, event.data["change"]) == (team.owner, team.workspace, "created")
    assert event.data["provider"] == f"saml:{app.provider_id}"


def test_a_provider_can_come_from_a_metadata_document(team, saml_idp):
    document = requests.get(saml_idp.metadata_url, timeout=10).content
    provider = saml_provider_create(actor=None, workspace=team.workspace, name="Corp", metadata_xml=document)
    assert provider.social_app.settings["idp"]["entity_id"] == "urn:slackclone:test-idp"
    assert provider.social_app.settings["slackclone"]["metadata_url"] == ""


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_only_owners_add_providers(team, saml_idp, role):
    with pytest.raises(DomainError) as refused:
        create(getattr(team, role), team.workspace, saml_idp)
    assert refused.value.code == ErrorCode.RESTRICTED_ACTION
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()


def test_another_workspaces_owner_cannot_see_or_change_the_provider(team, outsider, saml_idp):
    provider = create(team.owner, team.workspace, saml_idp)
    with pytest.raises(DomainError) as refused:
        create(outsider, team.workspace, saml_idp, name="Mine")
    assert refused.value.code == ErrorCode.WORKSPACE_NOT_FOUND
    with pytest.raises(DomainError) as refused:
        access_saml_provider(outsider, team.workspace, provider.provider_id)
    assert refused.value.code == ErrorCode.WORKSPACE_NOT_FOUND
    with pytest.raises(DomainError) as refused:
        saml_provider_update(actor=outsider, provider=provider, trust_email=True)
    assert refused.value.code == ErrorCode.WORKSPACE_NOT_FOUND
    provider.refresh_from_db()
    assert provider.trust_email is False


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_admins_members_and_guests_cannot_change_the_provider(team, saml_idp, role):
    provider = create(team.owner, team.workspace, saml_idp)
    with pytest.raises(DomainError) as refused:
        saml_provider_update(actor=getattr(team, role), provider=provider, enabled=False)
    assert refused.value.code == ErrorCode.RESTRICTED_ACTION
    with pytest.raises(DomainError):
        access_saml_provider(getattr(team, role), team.workspace, provider.provider_id)


def test_an_unreachable_metadata_url_is_refused_with_the_reason(team):
    url = f"http://127.0.0.1:{free_port()}/metadata"
    with pytest.raises(DomainError) as refused:
        saml_provider_create(actor=team.owner, workspace=team.workspace, name="Corp", metadata_url=url)
    assert refused.value.code == ErrorCode.INVALID_SAML_METADATA
    assert "connection_failed" in refused.value.message
    assert not SocialApp.objects.exists()


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"not xml", "not valid XML"),
        (b"<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='x'/>", "no identity provider"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "not valid XML"),
        (b"   ", "empty"),
    ],
)
def test_bad_metadata_documents_are_refused_with_the_reason(team, document, reason):
    with pytest.raises(DomainError) as refused:
        saml_provider_create(actor=None, workspace=team.workspace, name="Corp", metadata_xml=document)
    assert refused.value.code == ErrorCode.INVALID_SAML_METADATA
    assert reason in refused.value.message


def test_a_name_is_used_once_per_workspace(team, saml_idp):
    create(team.owner, team.workspace, saml_idp)
    with pytest.raises(DomainError) as refused:
        create(team.owner, team.workspace, saml_idp)
    assert refused.value.code == ErrorCode.NAME_TAKEN
    assert SocialApp.objects.count() == 1


def test_a_bad_domain_is_refused(team, saml_idp):
    with pytest.raises(DomainError) as refused:
        create(team.owner, team.workspace, saml_idp, allowed_domains=["not a domain"])
    assert refused.value.code == ErrorCode.INVALID_ARGUMENTS


def test_a_failed_refresh_keeps_the_working_configuration_and_reports_why(team, saml_idp):
    provider = create(team.owner, team.workspace, saml_idp)
    working = dict(provider.social_app.settings)
    app = provider.social_app
    app.settings = {**working, "slackclone": {"metadata_url": f"http://127.0.0.1:{free_port()}/metadata"}}
    app.save()
    provider = saml_provider_refresh_metadata(actor=team.owner, provider=provider)
    provider.refresh_from_db()
    assert "connection_failed" in provider.last_error
    assert provider.social_app.settings["idp"] == working["idp"]


def test_a_refresh_that_works_clears_the_last_error(team, saml_idp):
    provider = create(team.owner, team.workspace, saml_idp)
    IdentityProvider.objects.filter(pk=provider.pk).update(last_error="old trouble")
    provider.refresh_from_db()
    provider = saml_provider_refresh_metadata(actor=team.owner, provider=provider)
    assert provider.last_error == ""
    changes = AuditEvent.objects.filter(action=AuditAction.SSO_CONFIG_CHANGED).values_list("data__change", flat=True)
    assert list(changes) == ["updated", "created"]
