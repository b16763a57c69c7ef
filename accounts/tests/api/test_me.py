"""Me: profile, status and notification preferences over the API."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from slackclone.testing.api import error_code


def test_me_shows_profile_and_preferences(team, client_for):
    body = client_for(team.member).get("/api/v1/me").json()
    assert body["user"]["id"] == team.member.public_id
    assert body["preferences"] == {
        "email_notifications": True,
        "language": "",
        "dnd_start": None,
        "dnd_end": None,
        "send_read_receipts": True,
    }
    assert body["token_workspace"] is None


def test_me_with_a_token_names_its_workspace(team, client_for):
    body = client_for(team.member, team.workspace).get("/api/v1/me").json()
    assert body["token_workspace"] == team.workspace.public_id


def test_update_profile(team, client_for):
    response = client_for(team.member).patch(
        "/api/v1/me", {"display_name": " mia ", "title": "Engineer", "timezone": "Europe/Paris"}
    )
    assert response.status_code == 200
    team.member.refresh_from_db()
    assert (team.member.display_name, team.member.title, team.member.timezone) == ("mia", "Engineer", "Europe/Paris")


def test_unknown_timezone_is_400_invalid_timezone(team, client_for):
    response = client_for(team.member).patch("/api/v1/me", {"timezone": "Mars/Olympus"})
    assert (response.status_code, error_code(response)) == (400, "invalid_timezone")


def test_too_long_display_name_is_400(team, client_for):
    response = client_for(team.member).patch("/api/v1/me", {"display_name": "x" * 81})
    assert response.json()["error"]["fields"] == {"display_name": "too_long"}


def test_set_and_clear_status(team, client_for):
    client = client_for(team.member)
    until = (timezone.now() + timedelta(hours=1)).isoformat()
    body = client.put("/api/v1/me/status", {"emoji": "palm_tree", "text": "On holiday", "expires_at": until}).json()
    profile = body["user"]["profile"]
    assert (profile["status_emoji"], profile["status_text"]) == (":palm_tree:", "On holiday")
    assert profile["status_expiration"] > 0
    cleared = client.delete("/api/v1/me/status").json()["user"]["profile"]
    assert (cleared["status_emoji"], cleared["status_text"], cleared["status_expiration"]) == ("", "", 0)


def test_status_expiring_in_the_past_is_400(team, client_for):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = client_for(team.member).put("/api/v1/me/status", {"text": "x", "expires_at": past})
    assert response.json()["error"]["fields"] == {"expires_at": "past"}


def test_status_with_a_bad_emoji_is_400(team, client_for):
    response = client_for(team.member).put("/api/v1/me/status", {"emoji": "not an emoji"})
    assert error_code(response) == "invalid_emoji"


def test_notification_preferences(team, client_for):
    client = client_for(team.member)
    body = client.patch(
        "/api/v1/me/preferences", {"email_notifications": False, "dnd_start": "22:00", "dnd_end": "07:30"}
    ).json()
    assert body["preferences"] == {
        "email_notifications": False,
        "language": "",
        "dnd_start": "22:00",
        "dnd_end": "07:30",
        "send_read_receipts": True,
    }
    team.member.refresh_from_db()
    assert (team.member.dnd_start, team.member.dnd_end) == (time(22, 0), time(7, 30))
    cleared = client.patch("/api/v1/me/preferences", {"dnd_start": None, "dnd_end": None}).json()
    assert cleared["preferences"]["dnd_start"] is None


def test_half_a_dnd_window_is_400(team, client_for):
    response = client_for(team.member).patch("/api/v1/me/preferences", {"dnd_start": "22:00"})
    assert response.json()["error"]["fields"] == {"dnd_end": "required"}


def test_me_requires_authentication(team):
    from slackclone.testing.api import ApiClient

    assert ApiClient().get("/api/v1/me").status_code == 401


def test_choose_a_language_or_follow_the_browser(team, client_for):
    client = client_for(team.member)
    assert client.patch("/api/v1/me/preferences", {"language": "de"}).json()["preferences"]["language"] == "de"
    team.member.refresh_from_db()
    assert team.member.language == "de"
    assert client.patch("/api/v1/me/preferences", {"language": ""}).json()["preferences"]["language"] == ""


def test_a_language_the_site_does_not_speak_is_refused_and_changes_nothing(team, client_for):
    response = client_for(team.member).patch("/api/v1/me/preferences", {"language": "xx"})
    assert response.status_code == 400
    assert error_code(response) == "invalid_arguments"
    assert response.json()["error"]["fields"] == {"language": "invalid"}
    team.member.refresh_from_db()
    assert team.member.language == ""


def test_api_errors_speak_the_language_the_request_asks_for(team, client_for):
    client = client_for(team.member)
    response = client.patch("/api/v1/me/preferences", {"language": "xx"}, HTTP_ACCEPT_LANGUAGE="de")
    assert error_code(response) == "invalid_arguments"
    assert response.json()["error"]["message"].startswith("Die Sprache")
