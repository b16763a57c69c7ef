"""Setting up, seeing and removing two-factor methods on allauth's pages, in Slackclone's look and under its
Content-Security-Policy; each change asks for the password again first and lands in the audit log."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from audit.models import AuditAction, AuditEvent
from identity.tests.mfa.support import enrol_totp, inline_scripts, secret_on_page, totp_code
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def _reauthenticated(person):
    client = web_client(person)
    client.post("/auth/reauthenticate/", {"password": DEFAULT_PASSWORD})
    return client


def _types(action) -> list[str]:
    return sorted(e.data["type"] for e in AuditEvent.objects.filter(action=action))


def test_setting_up_an_authenticator_app_asks_for_the_password_first():
    client = web_client(UserFactory())
    response = client.get("/auth/2fa/totp/activate/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/auth/reauthenticate/?next=%2Fauth%2F2fa%2Ftotp%2Factivate%2F",
    )


def test_the_activation_page_shows_a_qr_code_and_a_computed_code_turns_it_on(django_capture_on_commit_callbacks):
    person = UserFactory()
    client = _reauthenticated(person)
    page = client.get("/auth/2fa/totp/activate/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="mfa-qr"' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'class="btn btn--primary"' in html
    assert inline_scripts(html) == []
    assert "script-src 'self'" in page["Content-Security-Policy"]
    secret = secret_on_page(html)
    with django_capture_on_commit_callbacks(execute=True):  # allauth announces it after commit
        response = client.post("/auth/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert _types(AuditAction.MFA_ENROLLED) == ["recovery_codes", "totp"]
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENROLLED, actor=person).count() == 2


def test_a_wrong_code_does_not_turn_it_on():
    person = UserFactory()
    client = _reauthenticated(person)
    secret = secret_on_page(client.get("/auth/2fa/totp/activate/").content.decode())
    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"
    response = client.post("/auth/2fa/totp/activate/", {"code": wrong})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Authenticator.objects.filter(user=person).exists()


def test_the_overview_lists_the_methods_and_the_recovery_codes_can_be_seen_and_downloaded():
    person = UserFactory()
    enrol_totp(person)
    client = _reauthenticated(person)
    overview = client.get("/auth/2fa/").content.decode()
    assert overview.count('<section class="card">') == 3  # app, security keys, recovery codes
    assert inline_scripts(overview) == []
    codes_page = client.get("/auth/2fa/recovery-codes/")
    codes = Authenticator.objects.get(user=person, type="recovery_codes").wrap().get_unused_codes()
    assert codes[0] in codes_page.content.decode()
    assert inline_scripts(codes_page.content.decode()) == []
    download = client.get("/auth/2fa/recovery-codes/download/")
    assert download["Content-Type"].startswith("text/plain")
    assert all(code in download.content.decode() for code in codes)


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(django_capture_on_commit_callbacks):
    person = UserFactory()
    enrol_totp(person)
    client = _reauthenticated(person)
    old = Authenticator.objects.get(user=person, type="recovery_codes").wrap().get_unused_codes()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/auth/2fa/recovery-codes/generate/").status_code == 302
    new = Authenticator.objects.get(user=person, type="recovery_codes").wrap().get_unused_codes()
    assert set(old).isdisjoint(new)
    event = AuditEvent.objects.get(action=AuditAction.MFA_ENROLLED)
    assert event.data == {"type": "recovery_codes", "regenerated": True}


def test_removing_the_authenticator_app_asks_for_the_password_and_is_audited():
    person = UserFactory()
    enrol_totp(person)
    assert web_client(person).post("/auth/2fa/totp/deactivate/").status_code == 302
    assert Authenticator.objects.filter(user=person, type="totp").exists()
    client = _reauthenticated(person)
    page = client.get("/auth/2fa/totp/deactivate/")
    assert 'class="btn btn--danger"' in page.content.decode()
    assert client.post("/auth/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    assert _types(AuditAction.MFA_REMOVED) == ["recovery_codes", "totp"]


def test_the_sign_in_step_page_is_in_our_look_and_runs_no_inline_script():
    person = UserFactory()
    enrol_totp(person)
    client = web_client()
    client.post("/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD})
    page = client.get("/auth/2fa/authenticate/").content.decode()
    assert 'class="auth-card"' in page
    assert 'autocomplete="one-time-code"' in page
    assert inline_scripts(page) == []
    assert 'id="mfa_webauthn_authenticate"' in page


def test_the_login_page_offers_a_passkey_without_inline_script():
    page = web_client().get("/accounts/login/").content.decode()
    assert 'id="passkey_login"' in page
    assert 'action="/auth/2fa/webauthn/login/"' in page
    assert inline_scripts(page) == []
