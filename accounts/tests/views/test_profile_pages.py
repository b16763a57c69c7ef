"""The profile page: names, title, time zone, photo and custom status; and notification preferences."""

from __future__ import annotations

import zoneinfo
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from slackclone.testing.web import image_upload, web_client


def test_profile_page_shows_the_current_profile(team):
    team.member.title = "Engineer"
    team.member.save()
    response = web_client(team.member).get("/accounts/profile/")
    assert response.status_code == 200
    assert b"<title>Profile \xc2\xb7 Slackclone</title>" in response.content
    assert response.context["form"].initial["title"] == "Engineer"
    assert b'aria-current="page">Profile<' in response.content


def test_profile_pages_need_a_signed_in_user(db):
    for url in ("/accounts/profile/", "/accounts/preferences/", "/accounts/tokens/", "/accounts/workspaces/"):
        response = web_client().get(url)
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_saving_the_profile_changes_it(team):
    client = web_client(team.member)
    response = client.post(
        "/accounts/profile/",
        {"full_name": "Mia M.", "display_name": "mia", "title": "Designer", "timezone": "Europe/Paris"},
        follow=True,
    )
    assert "Your profile has been updated." in [str(m) for m in response.context["messages"]]
    team.member.refresh_from_db()
    assert (team.member.display_name, team.member.title, team.member.timezone) == ("mia", "Designer", "Europe/Paris")


def test_an_unknown_time_zone_is_refused_and_nothing_changes(team):
    response = web_client(team.member).post(
        "/accounts/profile/", {"full_name": "X", "display_name": "x", "title": "T", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["timezone"][0]
    team.member.refresh_from_db()
    assert team.member.title == ""


def test_uploading_a_photo_stores_a_square_png_that_is_served(team, media_root):
    client = web_client(team.member)
    response = client.post("/accounts/profile/photo/", {"avatar": image_upload(size=(1200, 800))})
    assert response["Location"] == "/accounts/profile/"
    team.member.refresh_from_db()
    assert team.member.avatar.name.startswith("avatars/")
    assert team.member.avatar.name.endswith(".png")
    with Image.open(media_root / team.member.avatar.name) as stored:
        assert (stored.format, stored.size) == ("PNG", (512, 512))
    served = web_client().get(team.member.avatar.url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")


def test_replacing_a_photo_removes_the_old_file_after_commit(team, media_root, django_capture_on_commit_callbacks):
    client = web_client(team.member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/profile/photo/", {"avatar": image_upload()})
    team.member.refresh_from_db()
    first = media_root / team.member.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/profile/photo/", {"avatar": image_upload("b.png", fmt="PNG")})
    assert not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/profile/photo/", {"remove": "1"})
    team.member.refresh_from_db()
    assert not team.member.avatar
    assert list((media_root / "avatars").iterdir()) == []


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_error(team, media_root):
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = web_client(team.member).post("/accounts/profile/photo/", {"avatar": fake})
    assert response.status_code == 400
    assert response.context["avatar_form"].errors["avatar"] == [
        "This file is not an image we can read; upload a PNG, JPEG, GIF or WebP."
    ]
    team.member.refresh_from_db()
    assert not team.member.avatar
    assert not (media_root / "avatars").exists()


def test_setting_a_status_for_an_hour(team):
    before = timezone.now()
    response = web_client(team.member).post(
        "/accounts/profile/status/", {"emoji": ":palm_tree:", "text": "Vacationing", "expiry": "1h"}
    )
    assert response["Location"] == "/accounts/profile/"
    team.member.refresh_from_db()
    assert (team.member.status_emoji, team.member.status_text) == (":palm_tree:", "Vacationing")
    assert before + timedelta(minutes=59) < team.member.status_expires_at < before + timedelta(minutes=61)


def test_a_status_for_today_clears_at_local_midnight(team):
    team.member.timezone = "Asia/Tokyo"
    team.member.save()
    web_client(team.member).post("/accounts/profile/status/", {"text": "Focusing", "expiry": "today"})
    team.member.refresh_from_db()
    local = team.member.status_expires_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (0, 0)
    assert timedelta(0) < team.member.status_expires_at - timezone.now() <= timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"emoji": "not an emoji!", "text": "x"}, "emoji", "'not an emoji!' is not an emoji name"),
        ({"emoji": "", "text": ""}, "__all__", "Choose an emoji or write a status"),
        ({"text": "x", "expiry": "forever"}, "expiry", "Select a valid choice"),
    ],
)
def test_a_bad_status_shows_the_error_and_changes_nothing(team, data, field, message):
    response = web_client(team.member).post("/accounts/profile/status/", {"expiry": "never", **data})
    assert response.status_code == 400
    assert message in response.context["status_form"].errors[field][0]
    team.member.refresh_from_db()
    assert (team.member.status_emoji, team.member.status_text) == ("", "")


def test_clearing_the_status(team):
    client = web_client(team.member)
    client.post("/accounts/profile/status/", {"text": "Out sick", "expiry": "never"})
    client.post("/accounts/profile/status/", {"clear": "1"})
    team.member.refresh_from_db()
    assert (team.member.status_text, team.member.status_expires_at) == ("", None)


def test_preferences_turn_email_off_and_set_do_not_disturb(team):
    client = web_client(team.member)
    assert client.get("/accounts/preferences/").status_code == 200
    response = client.post(
        "/accounts/preferences/", {"dnd_enabled": "on", "dnd_start": "22:00", "dnd_end": "07:00"}, follow=True
    )
    assert "Your preferences have been saved." in [str(m) for m in response.context["messages"]]
    team.member.refresh_from_db()
    assert team.member.email_notifications is False
    assert (team.member.dnd_start, team.member.dnd_end) == (time(22, 0), time(7, 0))


def test_turning_do_not_disturb_off_clears_the_window(team):
    team.member.dnd_start, team.member.dnd_end = time(22), time(7)
    team.member.save()
    web_client(team.member).post("/accounts/preferences/", {"email_notifications": "on"})
    team.member.refresh_from_db()
    assert (team.member.email_notifications, team.member.dnd_start, team.member.dnd_end) == (True, None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"dnd_start": "22:00"}, "dnd_end", "Choose a time."),
        (
            {"dnd_start": "09:00", "dnd_end": "09:00"},
            "dnd_end",
            "Do not disturb cannot start and end at the same time.",
        ),
        ({"dnd_start": "25:00", "dnd_end": "07:00"}, "dnd_start", "Enter a valid time."),
    ],
)
def test_a_bad_do_not_disturb_window_is_refused(team, data, field, message):
    response = web_client(team.member).post("/accounts/preferences/", {"dnd_enabled": "on", **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    team.member.refresh_from_db()
    assert (team.member.dnd_start, team.member.email_notifications) == (None, True)


def test_the_theme_is_chosen_in_preferences_and_marks_every_page(team):
    client = web_client(team.member)
    assert 'data-theme="system"' in client.get("/accounts/preferences/").content.decode()
    client.post("/accounts/preferences/", {"theme": "dark", "email_notifications": "on"})
    team.member.refresh_from_db()
    assert (team.member.theme, team.member.email_notifications) == ("dark", True)
    assert 'data-theme="dark"' in client.get("/accounts/profile/").content.decode()
    refused = client.post("/accounts/preferences/", {"theme": "neon"})
    assert refused.status_code == 400
    team.member.refresh_from_db()
    assert team.member.theme == "dark"


def test_a_theme_that_is_not_one_is_refused_by_the_service(team):
    from accounts.services import user_set_theme
    from slackclone.testing.assertions import refused

    with refused("invalid_arguments"):
        user_set_theme(actor=team.member, theme="neon")


def test_preferences_turn_sending_read_receipts_off_and_on(team):
    client = web_client(team.member)
    assert "Let others see when I have read their direct messages" in client.get("/accounts/preferences/").text
    client.post("/accounts/preferences/", {"email_notifications": "on"})
    team.member.refresh_from_db()
    assert team.member.send_read_receipts is False
    client.post("/accounts/preferences/", {"email_notifications": "on", "send_read_receipts": "on"})
    team.member.refresh_from_db()
    assert team.member.send_read_receipts is True
