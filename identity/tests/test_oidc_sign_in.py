"""Signing in with OpenID Connect against real providers: oidc-provider's own login page for what an
honest provider does, the crafted provider for what a tampered or stale answer looks like."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from identity.tests.conftest import (
    CALLBACK_PATH,
    PROVIDER_ID,
    SLUG,
    code_for,
    make_provider,
    start_sign_in,
    through_crafted_idp,
    through_node_idp,
)
from slackclone.testing.factories import ChannelFactory, UserFactory
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db


def failures(reason: str | None = None):
    events = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    return [e for e in events if reason is None or e.data.get("reason") == reason]


def test_first_sign_in_through_the_providers_login_page_makes_a_member(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    page = through_node_idp(client, "alice")
    assert (page.status_code, page["Location"]) == (302, f"/{SLUG}/")
    alice = User.objects.get(email="alice@acme.test")
    assert alice.full_name == "Alice Acme"
    assert alice.email_verified_at is not None
    assert not alice.has_usable_password()
    assert Membership.objects.get(user=alice, workspace=acme).role == Role.MEMBER
    assert SocialAccount.objects.get(user=alice).uid == "alice"
    assert client.get(f"/{SLUG}/").status_code == 200
    sign_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor=alice)
    assert sign_in.data["method"] == f"oidc:{PROVIDER_ID}"


def test_a_later_sign_in_links_by_subject_to_the_same_account(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    through_node_idp(client, "alice")
    client.logout()
    alice = User.objects.get(email="alice@acme.test")
    alice.email = "alice.renamed@acme.test"  # the address may change; the subject does not
    alice.save(update_fields=["email"])
    page = through_node_idp(client, "alice")
    assert page.status_code == 302
    assert User.objects.filter(email__endswith="@acme.test").count() == 1
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_the_providers_login_page_refuses_a_wrong_password(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    with pytest.raises(AssertionError, match="401"):
        through_node_idp(client, "alice", password="wrong")
    assert not User.objects.filter(email="alice@acme.test").exists()


def test_an_unverified_email_makes_no_account(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    page = through_node_idp(client, "bob")
    assert page.status_code == 403
    assert "verified email" in page.content.decode()
    assert not User.objects.filter(email="bob@acme.test").exists()
    assert failures("email_not_trusted")


def test_a_verified_email_is_not_trusted_unless_the_workspace_says_so(client, acme, node_idp):
    make_provider(acme, node_idp.issuer, trust_email=False)
    assert through_node_idp(client, "alice").status_code == 403
    assert not User.objects.filter(email="alice@acme.test").exists()


def test_a_domain_the_workspace_does_not_allow_is_refused(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    page = through_node_idp(client, "carol")
    assert page.status_code == 403
    assert "elsewhere.test" in page.content.decode()
    assert not User.objects.filter(email="carol@elsewhere.test").exists()
    event = failures("domain_not_allowed")[0]
    assert event.workspace == acme
    assert event.data["method"] == f"oidc:{PROVIDER_ID}"


def test_an_existing_account_with_the_same_email_is_not_taken_over(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    dave = UserFactory(email="dave@acme.test")
    page = through_node_idp(client, "dave")
    assert page.status_code == 403
    assert "Sign in with your password" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.filter(user=dave).exists()
    assert failures("account_exists")


def test_a_deactivated_member_is_refused(client, acme, node_idp):
    make_provider(acme, node_idp.issuer)
    through_node_idp(client, "alice")
    client.logout()
    Membership.objects.filter(user__email="alice@acme.test").update(is_active=False)
    assert through_node_idp(client, "alice").status_code == 403
    assert failures("membership_inactive")


def test_groups_map_to_a_role_and_channels(client, acme, node_idp):
    owner = acme.created_by
    ChannelFactory(workspace=acme, name="engineering", created_by=owner)
    make_provider(
        acme, node_idp.issuer, group_roles={"admins": "admin"}, group_channels={"engineering": ["engineering"]}
    )
    through_node_idp(client, "alice")
    alice = User.objects.get(email="alice@acme.test")
    assert Membership.objects.get(user=alice, workspace=acme).role == Role.ADMIN
    assert alice.channel_memberships.filter(channel__name="engineering").exists()


def test_a_disabled_provider_cannot_be_used(client, acme, node_idp):
    from identity.services import identity_provider_set_enabled

    provider = make_provider(acme, node_idp.issuer)
    identity_provider_set_enabled(actor=None, provider=provider, enabled=False)
    assert client.post(f"/auth/oidc/{PROVIDER_ID}/login/", {"next": "/"}).status_code == 404


def test_an_honest_answer_from_the_crafted_provider_signs_in(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    page = through_crafted_idp(client)
    assert (page.status_code, page["Location"]) == (302, f"/{SLUG}/")
    assert User.objects.filter(email="erin@acme.test").exists()


@pytest.mark.parametrize(
    ("scenario", "why"),
    [
        ("bad_signature", "Signature verification failed"),
        ("wrong_audience", "Audience doesn't match"),
        ("expired", "Signature has expired"),
        ("wrong_nonce", "the nonce does not match"),
        ("wrong_issuer", "Invalid issuer"),
        ("alg_none", "'none', which is not accepted"),
    ],
)
def test_a_tampered_or_stale_id_token_is_refused(client, acme, crafted_idp, scenario, why):
    make_provider(acme, crafted_idp.issuer)
    page = through_crafted_idp(client, scenario=scenario)
    assert page.status_code == 401
    assert "could not be verified" in page.content.decode()
    assert not User.objects.filter(email="erin@acme.test").exists()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.workspace == acme
    assert event.data["method"] == f"oidc:{PROVIDER_ID}"
    assert why in event.data["detail"]


def test_an_unverified_email_from_the_crafted_provider_makes_no_account(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    assert through_crafted_idp(client, email_verified=False).status_code == 403
    assert not User.objects.filter(email="erin@acme.test").exists()


def test_a_replayed_state_is_refused(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    first = through_crafted_idp(client)
    assert first.status_code == 302
    replay_url = first.wsgi_request.get_full_path()
    client.logout()
    again = client.get(replay_url)
    assert again.status_code == 401
    assert failures()


def test_a_state_from_another_browser_is_refused(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    query = parse_qs(urlsplit(start_sign_in(client)).query)
    code = code_for({"nonce": query["nonce"][0], "sub": "crafted-sub", "email": "erin@acme.test"})
    victim = Client()
    answer = victim.get(f"{CALLBACK_PATH}?code={code}&state={query['state'][0]}")
    assert answer.status_code == 401
    assert not User.objects.filter(email="erin@acme.test").exists()


def test_a_linked_person_of_another_workspace_joins_by_the_domain_rule(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    through_crafted_idp(client)
    erin = User.objects.get(email="erin@acme.test")
    Membership.objects.filter(user=erin).delete()
    client.logout()
    assert through_crafted_idp(client).status_code == 302
    assert Membership.objects.filter(user=erin, workspace=acme, is_active=True).exists()


def test_a_member_added_by_hand_keeps_their_role_without_matching_groups(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer, group_roles={"admins": "admin"})
    through_crafted_idp(client)
    erin = User.objects.get(email="erin@acme.test")
    assert Membership.objects.get(user=erin, workspace=acme).role == Role.MEMBER


def test_a_signed_in_person_connects_the_provider_and_then_signs_in_with_it(client, acme, crafted_idp):
    make_provider(acme, crafted_idp.issuer)
    dave = UserFactory(email="erin@acme.test")
    client.force_login(dave)
    assert "Acme SSO" in client.get("/auth/3rdparty/").content.decode()
    page = client.post(f"/auth/oidc/{PROVIDER_ID}/login/", {"process": "connect", "next": "/auth/3rdparty/"})
    query = parse_qs(urlsplit(page["Location"]).query)
    code = code_for({"nonce": query["nonce"][0], "sub": "crafted-sub", "email": "erin@acme.test"})
    connected = client.get(f"{CALLBACK_PATH}?code={code}&state={query['state'][0]}")
    assert connected.status_code == 302
    assert SocialAccount.objects.get(user=dave).uid == "crafted-sub"
    client.logout()
    assert through_crafted_idp(client).status_code == 302
    assert int(client.session["_auth_user_id"]) == dave.pk
    assert Membership.objects.filter(user=dave, workspace=acme, is_active=True).exists()


def test_a_wrong_client_secret_is_reported_on_the_providers_configuration(client, acme, crafted_idp):
    from identity.models import IdentityProvider
    from identity.services import identity_provider_update

    provider = make_provider(acme, crafted_idp.issuer)
    identity_provider_update(actor=None, provider=provider, client_secret="not-the-secret")
    assert through_crafted_idp(client).status_code == 401
    provider = IdentityProvider.objects.get()
    assert "invalid_client" in provider.last_error
    assert "check the client ID and secret" in provider.last_error


def test_a_person_with_two_factor_meets_it_after_the_provider_and_the_sign_in_is_recorded_as_oidc(
    client, acme, crafted_idp
):
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    make_provider(acme, crafted_idp.issuer)
    through_crafted_idp(client)
    erin = User.objects.get(email="erin@acme.test")
    secret = generate_totp_secret()
    TOTP.activate(erin, secret)
    client.logout()
    page = through_crafted_idp(client)
    assert (page.status_code, page["Location"]) == (302, "/auth/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post("/auth/2fa/authenticate/", {"code": code})
    assert (done.status_code, done["Location"]) == (302, f"/{SLUG}/")
    assert int(client.session["_auth_user_id"]) == erin.pk
    methods = [e.data["method"] for e in AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=erin)]
    assert methods == [f"oidc:{PROVIDER_ID}", f"oidc:{PROVIDER_ID}"]
