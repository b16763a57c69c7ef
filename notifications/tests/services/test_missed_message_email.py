"""Missed-message emails, with time passed as `now`: one email per batch, only what is still unread, never twice."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import user_set_language
from chat.services import channel_mark_read, dm_open, message_post
from notifications.models import EmailState, MissedMessageEmail, Notification
from notifications.services import (
    missed_email_send,
    missed_emails_claim_due,
    notification_mark_read,
    notify_message_posted,
)
from notifications.tests.conftest import NOON

pytestmark = pytest.mark.django_db

DELAY = timedelta(seconds=120)


@pytest.fixture(autouse=True)
def _delay(settings):
    settings.NOTIFY_EMAIL_DELAY_SECONDS = int(DELAY.total_seconds())
    settings.SITE_URL = "https://chat.example.com"


def post_and_notify(sender, channel, text, at=NOON, **kwargs):
    message = message_post(sender=sender, channel=channel, text=text, **kwargs)
    notify_message_posted(message_id=message.pk, now=at)
    return message


def send_due(at):
    """What the email sweep and its send tasks do at `at`."""
    for email_id in missed_emails_claim_due(now=at):
        missed_email_send(email_id=email_id, now=at)


def test_one_email_summarises_every_unread_mention_and_dm_after_the_delay(team):
    first = post_and_notify(
        team.member, team.general, f"<@{team.owner.public_id}> can you review <#{team.general.public_id}>?"
    )
    dm, _ = dm_open(actor=team.admin, workspace=team.workspace, users=[team.owner])
    post_and_notify(team.admin, dm, "and the budget?", at=NOON + timedelta(seconds=60))

    send_due(NOON + DELAY - timedelta(seconds=1))
    assert mail.outbox == []

    send_due(NOON + DELAY)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [team.owner.email]
    assert email.subject == f"[{team.workspace.name}] 2 unread messages from {team.member.name}, {team.admin.name}"
    assert "@" + team.owner.name + " can you review #general?" in email.body
    assert f"Direct message with {team.admin.name}" in email.body
    permalink = (
        f"https://chat.example.com/{team.workspace.slug}/archives/{team.general.public_id}/p{first.ts.replace('.', '')}"
    )
    assert permalink in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{permalink}"' in html
    unsubscribe = re.search(r"https://chat\.example\.com/notifications/unsubscribe/[^/\s]+/", email.body).group(0)
    assert unsubscribe in html
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    batch = MissedMessageEmail.objects.get(user=team.owner)
    assert (batch.state, batch.message_count) == (EmailState.SENT, 2)


def test_no_email_when_the_channel_was_read_meanwhile(team):
    message = post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> ping")
    channel_mark_read(actor=team.owner, channel=team.general, seq=message.seq)

    send_due(NOON + DELAY)

    assert mail.outbox == []
    assert MissedMessageEmail.objects.get(user=team.owner).state == EmailState.SKIPPED
    assert not Notification.objects.get(user=team.owner).email_wanted


def test_no_email_when_the_notification_was_marked_read(team):
    message = post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> ping")
    notification_mark_read(actor=team.owner, workspace=team.workspace, message=message)

    send_due(NOON + DELAY)

    assert mail.outbox == []


def test_only_what_is_still_unread_is_in_the_email(team):
    read = post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> first")
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> second")
    notification_mark_read(actor=team.owner, workspace=team.workspace, message=read)

    send_due(NOON + DELAY)

    (email,) = mail.outbox
    assert "second" in email.body
    assert "first" not in email.body


def test_never_two_emails_about_the_same_message(team):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> one")
    send_due(NOON + DELAY)
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> two", at=NOON + DELAY + timedelta(seconds=5))

    later = NOON + 2 * DELAY + timedelta(seconds=5)
    send_due(later)
    send_due(later + DELAY)

    assert len(mail.outbox) == 2
    assert "one" in mail.outbox[0].body
    assert "two" in mail.outbox[1].body
    assert "one" not in mail.outbox[1].body


def test_sending_the_same_batch_twice_sends_one_email(team):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> once")
    (email_id,) = missed_emails_claim_due(now=NOON + DELAY)

    missed_email_send(email_id=email_id, now=NOON + DELAY)
    assert missed_email_send(email_id=email_id, now=NOON + DELAY) is None

    assert len(mail.outbox) == 1


def test_a_claimed_batch_is_not_claimed_again(team):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> hi")

    assert len(missed_emails_claim_due(now=NOON + DELAY)) == 1
    assert missed_emails_claim_due(now=NOON + DELAY + timedelta(seconds=30)) == []


def test_no_email_for_someone_who_turned_email_off_after_the_message(team):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> hi")
    User.objects.filter(pk=team.owner.pk).update(email_notifications=False)

    send_due(NOON + DELAY)

    assert mail.outbox == []
    assert MissedMessageEmail.objects.get(user=team.owner).state == EmailState.SKIPPED


def test_an_email_falling_due_during_dnd_waits_until_dnd_ends(team):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> before quiet hours")
    # Quiet hours start one minute after the message, in the owner's (UTC) day.
    User.objects.filter(pk=team.owner.pk).update(timezone="UTC", dnd_start=time(12, 1), dnd_end=time(13, 0))

    send_due(NOON + DELAY)
    assert mail.outbox == []
    assert MissedMessageEmail.objects.get(user=team.owner).due_at == NOON + timedelta(hours=1)

    send_due(NOON + timedelta(hours=1))
    assert len(mail.outbox) == 1


def test_the_unsubscribe_link_turns_email_off_without_signing_in(team, client):
    post_and_notify(team.member, team.general, f"<@{team.owner.public_id}> hi")
    send_due(NOON + DELAY)
    path = re.search(r"/notifications/unsubscribe/[^/\s]+/", mail.outbox[0].body).group(0)

    page = client.get(path)
    assert page.status_code == 200
    assert User.objects.get(pk=team.owner.pk).email_notifications  # a GET changes nothing

    # RFC 8058 one-click, as a mail client sends it: no session, no CSRF token.
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not User.objects.get(pk=team.owner.pk).email_notifications

    client.post(path, {"action": "resubscribe"})
    assert User.objects.get(pk=team.owner.pk).email_notifications


def test_a_tampered_unsubscribe_link_changes_nothing(team, client):
    response = client.post("/notifications/unsubscribe/not-a-real-token/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 404
    assert User.objects.get(pk=team.owner.pk).email_notifications


def test_the_email_names_only_the_channels_and_people_the_recipient_can_see(team, outsider):
    from chat.services import channel_create

    elsewhere = outsider.memberships.get().workspace
    their_secret = channel_create(actor=outsider, workspace=elsewhere, name="their-secret", is_private=True)
    our_secret = channel_create(actor=team.admin, workspace=team.workspace, name="our-secret", is_private=True)
    post_and_notify(
        team.member,
        team.general,
        f"<@{team.owner.public_id}> see <#{their_secret.public_id}>, <#{our_secret.public_id}>, "
        f"<#{team.random.public_id}> and ask <@{outsider.public_id}> or <@{team.admin.public_id}>",
    )

    send_due(NOON + DELAY)

    body = mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    for text in (body, html):
        assert "their-secret" not in text
        assert "our-secret" not in text
        assert outsider.name not in text
    words = " ".join(body.split())
    assert f"<@{team.owner.public_id}>" not in words
    assert "see private channel, private channel, #random and ask" in words
    assert f"@{outsider.public_id} or @{team.admin.name}" in words


def test_a_guests_email_names_no_one_they_do_not_share_a_conversation_with(team):
    from chat.services import channel_invite

    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    post_and_notify(
        team.owner,
        team.random,
        f"<@{team.guest.public_id}> ask <@{team.other_member.public_id}> in <#{team.general.public_id}>",
    )

    send_due(NOON + DELAY)

    words = " ".join(mail.outbox[0].body.split())
    assert team.other_member.name not in words
    assert "#general" not in words
    assert f"@{team.guest.name} ask @{team.other_member.public_id} in private channel" in words


def test_the_email_renders_markdown_as_the_app_does_and_escapes_the_rest(team):
    post_and_notify(
        team.member,
        team.general,
        f"<@{team.owner.public_id}> **please** read [the plan](https://example.com/plan?a=1&amp;b=2):\n"
        "1. ship ~~friday~~ monday\n2. <script>alert(1)</script>\n- nested? *yes*\n"
        "```python\nif a &lt; b:\n    print('<b>')\n```",
    )

    send_due(NOON + DELAY)

    email = mail.outbox[0]
    assert (
        f"  @{team.owner.name} please read the plan (https://example.com/plan?a=1&b=2):\n"
        "  1. ship friday monday\n  2. <script>alert(1)</script>\n  • nested? yes\n"
        "  if a < b:\n      print('<b>')\n"
    ) in email.body
    html = email.alternatives[0][0]
    assert "<strong>please</strong>" in html
    assert '<a href="https://example.com/plan?a=1&amp;b=2" style="color:#1264a3;">the plan</a>' in html
    assert "<li>ship <s>friday</s> monday</li><li>&lt;script&gt;alert(1)&lt;/script&gt;</li></ol>" in html
    assert "<script" not in html
    assert "if a &lt; b:\n    print(&#x27;&lt;b&gt;&#x27;)</pre>" in html


def test_the_email_speaks_the_recipients_language_with_local_times(team):
    user_set_language(actor=team.owner, language="de")
    dm, _ = dm_open(actor=team.admin, workspace=team.workspace, users=[team.owner])
    post_and_notify(team.admin, dm, "Kurze Frage")
    send_due(NOON + DELAY)
    (email,) = mail.outbox
    assert email.subject == f"[{team.workspace.name}] {team.admin.name}: Direktnachricht mit {team.admin.name}"
    assert "Sie haben 1 ungelesene Nachricht in" in email.body
    months = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    german_date = rf"\d{{1,2}}\. ({months}) \d{{4}}"
    assert re.search(german_date, email.body)  # the message's time, as German writes dates
    html, _ = email.alternatives[0]
    assert '<html lang="de">' in html
    assert "Sie haben 1 ungelesene Nachricht</h1>" in html
