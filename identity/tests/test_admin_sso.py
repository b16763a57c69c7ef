"""The owners' single sign-on page (/<slug>/admin/sso/), the sign-in buttons, and the Django admin."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp

from identity.models import IdentityProvider
from identity.services import identity_provider_create_oidc, identity_provider_set_enabled
from slackclone.testing.factories import UserFactory, workspace_with_owner

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Okta",
    "issuer": "https://login.acme.invalid",
    "client_id": "cid",
    "client_secret": "the-secret-value",
    "scopes": "openid email profile",
    "trust_email": "on",
    "allowed_domains": "acme.com acme.org",
    "email_claim": "email",
    "name_claim": "name",
    "groups_claim": "groups",
    "group_roles": "admins = admin",
    "group_channels": "eng = engineering general",
}


def provider_of(workspace, name="Okta"):
    return identity_provider_create_oidc(
        actor=None, workspace=workspace, name=name, issuer="https://login.acme.invalid", client_id="cid",
        client_secret="the-secret-value", check=False,
    )  # fmt: skip


def test_an_owner_adds_a_provider_and_sees_the_redirect_uri(client, team, monkeypatch):
    client.force_login(team.owner)
    slug = team.workspace.slug
    page = client.post(f"/{slug}/admin/sso/", FORM)
    provider = IdentityProvider.objects.get()
    assert page["Location"] == f"/{slug}/admin/sso/{provider.provider_id}/"
    assert provider.group_roles == {"admins": "admin"}
    assert provider.group_channels == {"eng": ["engineering", "general"]}
    html = client.get(page["Location"]).content.decode()
    assert f"/auth/oidc/{provider.provider_id}/login/callback/" in html
    assert "the-secret-value" not in html
    listing = client.get(f"/{slug}/admin/sso/").content.decode()
    assert "Okta" in listing
    assert "could not be fetched" in listing


def test_a_bad_issuer_is_shown_on_its_field(client, team):
    client.force_login(team.owner)
    page = client.post(f"/{team.workspace.slug}/admin/sso/", {**FORM, "issuer": "http://acme.okta.com"})
    assert page.status_code == 400
    assert "https URL" in page.content.decode()
    assert not SocialApp.objects.exists()


def test_an_owner_edits_turns_off_and_removes_a_provider(client, team):
    provider = provider_of(team.workspace)
    client.force_login(team.owner)
    base = f"/{team.workspace.slug}/admin/sso/{provider.provider_id}/"
    client.post(base, {**FORM, "name": "Okta EU", "client_secret": ""})
    provider.refresh_from_db()
    assert provider.name == "Okta EU"
    assert provider.social_app.secret == "the-secret-value"
    client.post(base + "disable/")
    provider.refresh_from_db()
    assert not provider.enabled
    client.post(base + "delete/")
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("member", 403), ("guest", 403)])
def test_only_owners_reach_the_page(client, team, who, status):
    provider = provider_of(team.workspace)
    client.force_login(getattr(team, who))
    slug = team.workspace.slug
    assert client.get(f"/{slug}/admin/sso/").status_code == status
    assert client.get(f"/{slug}/admin/sso/{provider.provider_id}/").status_code == status
    assert client.post(f"/{slug}/admin/sso/{provider.provider_id}/delete/").status_code == status
    assert IdentityProvider.objects.exists()


def test_the_owner_of_another_workspace_cannot_see_or_change_the_provider(client, team, outsider):
    provider = provider_of(team.workspace)
    own = outsider.memberships.get().workspace
    client.force_login(outsider)
    assert client.get(f"/{team.workspace.slug}/admin/sso/").status_code == 404
    # Through their own workspace's page, another workspace's provider does not exist.
    assert client.get(f"/{own.slug}/admin/sso/{provider.provider_id}/").status_code == 404
    assert client.post(f"/{own.slug}/admin/sso/{provider.provider_id}/delete/").status_code == 404
    assert "Okta" not in client.get(f"/{own.slug}/admin/sso/").content.decode()
    assert IdentityProvider.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, team):
    assert client.get(f"/{team.workspace.slug}/admin/sso/").status_code == 302


def test_the_sign_in_page_shows_the_workspaces_enabled_providers(client, team):
    provider = provider_of(team.workspace)
    other = provider_of(workspace_with_owner(UserFactory()), name="Elsewhere")
    page = client.get(f"/{team.workspace.slug}/", follow=True).content.decode()
    assert "Sign in with Okta" in page
    assert f'action="/auth/oidc/{provider.provider_id}/login/"' in page
    assert f'name="next" value="/{team.workspace.slug}/"' in page
    assert "Sign in with Elsewhere" not in page
    site = client.get("/accounts/login/").content.decode()
    assert "Sign in with Okta" in site
    assert "Sign in with Elsewhere" in site
    identity_provider_set_enabled(actor=None, provider=other, enabled=False)
    assert "Sign in with Elsewhere" not in client.get("/accounts/login/").content.decode()


def test_the_django_admin_never_shows_the_secret(client, team):
    provider = provider_of(team.workspace)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in (
        f"/admin/identity/identityprovider/{provider.pk}/change/",
        f"/admin/socialaccount/socialapp/{provider.social_app.pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "the-secret-value" not in page.content.decode()


def test_the_sign_in_page_lets_its_forms_lead_to_the_providers(client, team):
    provider_of(team.workspace)
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert policy.endswith("form-action 'self' https://login.acme.invalid")
    assert client.get("/accounts/signup/")["Content-Security-Policy"].endswith("form-action 'self'")


def test_the_django_admin_adds_a_provider_through_the_service(client, team):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.post(
        "/admin/identity/identityprovider/add/",
        {
            "workspace": team.workspace.pk,
            "name": "Keycloak",
            "issuer": "https://sso.acme.invalid/realms/acme",
            "client_id": "slackclone",
            "client_secret": "kc-secret",
            "scopes": "openid email profile",
            "allowed_domains": '["acme.com"]',
            "email_claim": "email",
            "name_claim": "name",
            "groups_claim": "groups",
            "group_roles": "{}",
            "group_channels": "{}",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    provider = IdentityProvider.objects.get()
    assert provider.provider_id == f"{team.workspace.slug}-keycloak"
    assert provider.social_app.secret == "kc-secret"
    assert provider.last_error  # .invalid: the check ran and said why


def test_the_django_admin_changes_a_provider_and_keeps_an_empty_secret(client, team):
    provider = provider_of(team.workspace)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.post(
        f"/admin/identity/identityprovider/{provider.pk}/change/",
        {
            "name": "Okta EU",
            "issuer": "https://eu.acme.invalid",
            "client_id": "cid-2",
            "client_secret": "",
            "scopes": "openid email",
            "allowed_domains": '["acme.eu"]',
            "email_claim": "email",
            "name_claim": "name",
            "groups_claim": "",
            "group_roles": "{}",
            "group_channels": "{}",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    provider.refresh_from_db()
    app = provider.social_app
    assert (provider.name, provider.allowed_domains, app.client_id, app.secret) == (
        "Okta EU",
        ["acme.eu"],
        "cid-2",
        "the-secret-value",
    )
    assert app.settings["server_url"] == "https://eu.acme.invalid"


def test_the_django_admin_shows_a_refusal_and_writes_nothing(client, team):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    fields = {"workspace": team.workspace.pk, "name": "Bad", "issuer": "http://sso.acme.invalid", "client_id": "c"}
    fields |= {"client_secret": "s", "scopes": "openid", "allowed_domains": "[]", "email_claim": "email"}
    fields |= {"name_claim": "name", "groups_claim": "", "group_roles": "{}", "group_channels": "{}"}
    page = client.post("/admin/identity/identityprovider/add/", fields, follow=True)
    assert "https URL" in page.content.decode()
    assert not IdentityProvider.objects.exists()
