"""A person's sessions page: each browser with its device, address and last activity; the current one
marked; signing out one of them (its requests become anonymous) or all the others."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession

from audit.models import AuditAction, AuditEvent
from identity.user_agents import parse_user_agent
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db

MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def signed_in(person, user_agent: str):
    """A browser that signed in through the login page, as a person would."""
    client = web_client()
    client.defaults["HTTP_USER_AGENT"] = user_agent
    answer = client.post("/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.mark.parametrize(
    ("user_agent", "label", "device"),
    [
        (MAC_CHROME, "Chrome on macOS", "computer"),
        (IPHONE_SAFARI, "Safari on iOS", "phone"),
        (WINDOWS_FIREFOX, "Firefox on Windows", "computer"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
            "computer",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
            "phone",
        ),
        ("curl/8.5.0", "Unknown browser", "computer"),
    ],
)
def test_a_user_agent_reads_as_browser_on_system(user_agent, label, device):
    client = parse_user_agent(user_agent)
    assert (client.label, client.device) == (label, device)


def test_the_page_lists_each_session_with_device_address_and_marks_this_one():
    person = UserFactory()
    laptop = signed_in(person, MAC_CHROME)
    signed_in(person, IPHONE_SAFARI)
    html = laptop.get("/auth/sessions/").content.decode()
    assert "Chrome on macOS" in html
    assert "Safari on iOS" in html
    assert "Phone" in html
    assert "Computer" in html
    assert html.count('aria-current="true"') == 1
    current = html.split('aria-current="true"', 1)[1].split("</tr>", 1)[0]
    assert "Chrome on macOS" in current
    assert "This session" in current
    for session in UserSession.objects.filter(user=person):
        assert session.ip in html
    assert "Sign out of all other sessions" in html


def test_signing_one_session_out_makes_its_requests_anonymous_and_leaves_the_others():
    person = UserFactory()
    laptop = signed_in(person, MAC_CHROME)
    phone = signed_in(person, IPHONE_SAFARI)
    desktop = signed_in(person, WINDOWS_FIREFOX)
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)

    answer = laptop.post(f"/auth/sessions/{phone_session.pk}/end/")

    assert answer.status_code == 302
    assert phone.get("/accounts/profile/").status_code == 302  # to the sign-in page
    assert laptop.get("/accounts/profile/").status_code == 200
    assert desktop.get("/accounts/profile/").status_code == 200
    assert not UserSession.objects.filter(pk=phone_session.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.SESSIONS_ENDED)
    assert (event.actor, event.data["ended"]) == (person, "one")


def test_nobody_signs_out_another_persons_session_nor_their_own_current_one():
    person, stranger = UserFactory(), UserFactory()
    laptop = signed_in(person, MAC_CHROME)
    theirs = signed_in(stranger, WINDOWS_FIREFOX)
    their_session = UserSession.objects.get(session_key=theirs.session.session_key)
    own = UserSession.objects.get(session_key=laptop.session.session_key)

    laptop.post(f"/auth/sessions/{their_session.pk}/end/")
    laptop.post(f"/auth/sessions/{own.pk}/end/")

    assert theirs.get("/accounts/profile/").status_code == 200
    assert laptop.get("/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(pk__in=[their_session.pk, own.pk]).count() == 2


def test_signing_out_all_others_keeps_this_one():
    person = UserFactory()
    laptop = signed_in(person, MAC_CHROME)
    phone = signed_in(person, IPHONE_SAFARI)

    laptop.post("/auth/sessions/end-others/")

    assert phone.get("/accounts/profile/").status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 200
    assert list(UserSession.objects.filter(user=person).values_list("session_key", flat=True)) == [
        laptop.session.session_key
    ]


def test_a_password_change_on_the_security_page_ends_the_other_sessions():
    person = UserFactory()
    laptop = signed_in(person, MAC_CHROME)
    phone = signed_in(person, IPHONE_SAFARI)

    answer = laptop.post(
        "/accounts/security/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a new long passphrase 42",
            "new_password2": "a new long passphrase 42",
        },
    )

    assert answer.status_code == 302
    assert phone.get("/accounts/profile/").status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 200
    listed = laptop.get("/auth/sessions/").content.decode()
    assert "Safari on iOS" not in listed
    assert "Chrome on macOS" in listed


def test_the_sessions_pages_need_a_signed_in_person():
    client = web_client()
    assert client.get("/auth/sessions/")["Location"].startswith("/accounts/login/")
    assert client.post("/auth/sessions/end-others/")["Location"].startswith("/accounts/login/")


def _push_device(person, name: str):
    from notifications.models import PushSubscription

    return PushSubscription.objects.create(
        user=person, endpoint=f"https://push.example.com/{name}", p256dh="k" * 87, auth="a" * 22, device=name
    )


def test_signing_one_session_out_keeps_desktop_notifications_but_signing_out_everywhere_ends_them(team):
    from identity.sessions import member_sign_out_everywhere
    from notifications.models import PushSubscription

    laptop = signed_in(team.member, MAC_CHROME)
    phone = signed_in(team.member, IPHONE_SAFARI)
    _push_device(team.member, "laptop")
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)

    laptop.post(f"/auth/sessions/{phone_session.pk}/end/")
    assert PushSubscription.objects.filter(user=team.member).count() == 1

    member_sign_out_everywhere(actor=team.owner, workspace=team.workspace, user=team.member)
    assert not PushSubscription.objects.filter(user=team.member).exists()
