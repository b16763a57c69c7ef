"""identity.provisioning.provision_sign_in as every protocol calls it (SAML's provider calls it before
allauth's lookup, with what the verified assertion says)."""

from __future__ import annotations

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.test import RequestFactory

from accounts.models import User
from identity.provisioning import PROVISIONED_ATTRIBUTE, provision_sign_in
from identity.tests.conftest import make_provider
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def fresh_login(provider, uid: str) -> SocialLogin:
    return SocialLogin(account=SocialAccount(provider=provider.provider_id, uid=uid, extra_data={}))


def call(provider, sociallogin, **claims):
    arguments = {"subject": sociallogin.account.uid, "email": "sam@acme.test", "email_verified": True, "name": "Sam"}
    return provision_sign_in(
        request=RequestFactory().get("/"), provider=provider, sociallogin=sociallogin, **{**arguments, **claims}
    )


def test_a_first_sign_in_is_linked_for_allauths_lookup_to_find(acme):
    provider = make_provider(acme, "https://login.acme.invalid")
    sociallogin = fresh_login(provider, "saml-subject")
    user = call(provider, sociallogin, groups=["x"])
    assert User.objects.get(email="sam@acme.test") == user
    assert Membership.objects.filter(user=user, workspace=acme).exists()
    assert SocialAccount.objects.get(provider=provider.provider_id, uid="saml-subject").user == user
    assert getattr(sociallogin, PROVISIONED_ATTRIBUTE)
    assert not sociallogin.is_existing  # allauth's lookup sets the user (it asserts nobody did before)
    again = fresh_login(provider, "saml-subject")
    assert call(provider, again, email="renamed@elsewhere.test") == user


def test_a_refusal_is_a_page_saying_why(acme):
    provider = make_provider(acme, "https://login.acme.invalid")
    with pytest.raises(ImmediateHttpResponse) as refused:
        call(provider, fresh_login(provider, "s2"), email="sam@elsewhere.test")
    assert refused.value.response.status_code == 403
    assert "elsewhere.test" in refused.value.response.content.decode()
    assert not SocialAccount.objects.exists()
