"""import_slack_export: a Slack export (built by the tests) into a workspace, then again, changing nothing."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.signup import user_sign_up
from chat.models import Channel, ChannelKind, ChannelMember, Mention, Message, Pin, Reaction
from chat.services import message_post
from integrations.slack_export.importer import import_slack_export
from integrations.tests.slack_export_fixture import ROOT_TS, build_export
from slackclone.testing.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from slackclone.testing.web import web_client
from workspaces.models import Invitation, Membership
from workspaces.services import invitation_sign_up

pytestmark = pytest.mark.django_db

COUNTED = (User, Membership, Invitation, Channel, ChannelMember, Message, Mention, Reaction, Pin)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def export(tmp_path, team):
    return build_export(tmp_path / "export.zip", member_email=team.member.email)


def run_command(export, team) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_slack_export", str(export), workspace=team.workspace.slug, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_people_are_matched_by_verified_email_and_new_ones_are_inactive_placeholders(export, team):
    import_slack_export(workspace=team.workspace, path=export)
    newbie = User.objects.get(email="newbie@example.test")
    assert not newbie.is_active
    assert not newbie.has_usable_password()
    assert (newbie.full_name, newbie.title) == ("New Person", "Chef")
    assert Membership.objects.filter(user=newbie, workspace=team.workspace).exists()
    assert not Invitation.objects.filter(email="newbie@example.test").exists(), "only --invite sends invitations"
    gone = User.objects.get(email="gone@example.test")
    assert not gone.is_active
    assert not Invitation.objects.filter(email="gone@example.test").exists()
    assert User.objects.get(email__startswith="ubot@").is_bot
    assert Message.objects.filter(author=team.member, channel=team.general).exists()  # U1 is the existing member


def test_invite_mails_each_new_person_once_and_the_link_claims_their_history(
    export, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_slack_export(workspace=team.workspace, path=export, invite=True)
        import_slack_export(workspace=team.workspace, path=export, invite=True)
    (invitation,) = Invitation.objects.filter(email="newbie@example.test")
    assert [m.to for m in mail.outbox] == [["newbie@example.test"]]
    assert invitation.token in mail.outbox[0].body
    assert not Invitation.objects.filter(email__in=["gone@example.test", team.member.email]).exists()

    newbie = invitation_sign_up(token=invitation.token, password="a long enough passphrase")
    assert newbie.is_active
    assert newbie.email_verified
    secret = Channel.objects.get(workspace=team.workspace, name="secret")
    assert ChannelMember.objects.filter(channel=secret, user=newbie).exists()


def test_an_account_that_never_proved_the_address_is_not_handed_private_history(export, team):
    """Registering someone's address before the import used to make the import add you to their
    private channels and DMs. Now that account becomes the placeholder, and its sessions end."""
    squatter = UserFactory(email="newbie@example.test", email_verified_at=None)

    import_slack_export(workspace=team.workspace, path=export)

    squatter.refresh_from_db()
    assert not squatter.is_active
    assert not squatter.has_usable_password()
    assert not web_client().login(username="newbie@example.test", password=DEFAULT_PASSWORD)
    assert not Membership.objects.filter(user=squatter, is_active=True, user__is_active=True).exists()


def test_signing_up_after_the_import_never_claims_the_placeholder(export, team, django_capture_on_commit_callbacks):
    import_slack_export(workspace=team.workspace, path=export)
    with django_capture_on_commit_callbacks(execute=True):
        user_sign_up(email="newbie@example.test", password="a long enough passphrase")
    newbie = User.objects.get(email="newbie@example.test")
    assert not newbie.is_active
    assert not newbie.has_usable_password()
    (message,) = mail.outbox
    assert "ask an admin" in message.body.lower()


def test_an_unverified_account_that_is_already_somewhere_is_skipped_not_taken_over(export, team):
    holder = UserFactory(email="newbie@example.test", email_verified_at=None)
    MembershipFactory(user=holder)

    report = import_slack_export(workspace=team.workspace, path=export)

    holder.refresh_from_db()
    assert holder.is_active
    assert not Membership.objects.filter(user=holder, workspace=team.workspace).exists()
    assert any("has not verified this address" in line for line in report.lines())


def test_general_keeps_slack_order_ts_threads_reactions_edits_and_mentions(export, team):
    import_slack_export(workspace=team.workspace, path=export)
    history = list(Message.objects.filter(channel=team.general).order_by("seq"))
    assert [m.seq for m in history] == list(range(1, len(history) + 1))
    assert [m.ts for m in history] == sorted(m.ts for m in history)
    root = history[0]
    newbie = User.objects.get(email="newbie@example.test")
    assert (root.ts, root.text) == (ROOT_TS, f"hello <@{newbie.public_id}>")
    assert (root.reply_count, root.latest_reply_ts) == (2, "1700000003.000000")
    assert [r.text for r in root.replies.order_by("seq")] == [f"a reply to <@{team.member.public_id}>", "broadcast"]
    assert root.replies.get(text="broadcast").reply_broadcast
    assert sorted(root.reactions.values_list("emoji", "user__email")) == sorted(
        [("tada", team.member.email), ("tada", "newbie@example.test")]
    )
    assert Pin.objects.filter(message=root, channel=team.general).exists()
    assert Mention.objects.filter(channel=team.general, user=team.member).exists()
    assert Message.objects.get(text="typo fixed").edited_at is not None
    bot = Message.objects.get(channel=team.general, text="Deployed\nenv: prod")
    assert (bot.author.is_bot, bot.bot_username, bot.bot_icon_emoji) == (True, "deploy", ":rocket:")
    assert (
        Message.objects.get(text__startswith="the plan").text == "the plan\n<https://files.slack.com/plan.pdf|plan.pdf>"
    )
    team.general.refresh_from_db()
    assert (team.general.last_seq, team.general.last_ts) == (history[-1].seq, history[-1].ts)
    assert ChannelMember.objects.get(channel=team.general, user=team.member).last_read_seq == team.general.last_seq


def test_channels_dms_and_what_was_skipped(export, team, capsys):
    out, err = run_command(export, team)
    launch = Channel.objects.get(workspace=team.workspace, name="launch")
    assert (launch.topic, launch.purpose, launch.kind) == ("Ship it", "Launches", ChannelKind.PUBLIC)
    assert launch.memberships.count() == 3
    assert Message.objects.get(channel=launch, text__startswith="see").text == (
        f"see <#{team.general.public_id}|general>"
    )
    assert Channel.objects.get(workspace=team.workspace, name="old-stuff").is_archived
    assert Channel.objects.get(workspace=team.workspace, name="secret").kind == ChannelKind.PRIVATE
    dm = Channel.objects.get(workspace=team.workspace, kind=ChannelKind.DM)
    assert set(dm.memberships.values_list("user__email", flat=True)) == {team.member.email, "newbie@example.test"}
    assert dm.messages.get().text == "hi in private"
    group = Channel.objects.get(workspace=team.workspace, kind=ChannelKind.GROUP_DM)
    assert group.memberships.count() == 3
    assert "skipped 1 messages: channel event (channel_join)" in out
    assert "skipped 1 messages: author not in users.json" in out
    assert "skipped 1 messages: msg_too_long" in out
    assert "skipped 1 users: no email address in the export" in out
    assert "skipped 1 channels: invalid_name" in out
    assert "100%" in err
    assert "[##############################]" in err


def test_running_the_same_import_again_changes_nothing(export, team):
    run_command(export, team)
    before = counts()
    out, _ = run_command(export, team)
    assert counts() == before
    assert "messages: 0 created" in out


def test_history_older_than_a_channels_messages_is_restamped_after_them(export, team):
    existing = message_post(sender=team.owner, channel=team.general, text="already here")
    import_slack_export(workspace=team.workspace, path=export)
    history = list(Message.objects.filter(channel=team.general).order_by("seq"))
    assert history[0] == existing
    assert [m.seq for m in history] == list(range(1, len(history) + 1))
    assert all(a.ts < b.ts for a, b in itertools.pairwise(history))
    root = Message.objects.get(channel=team.general, text__startswith="hello")
    assert root.ts > existing.ts
    assert root.reply_count == 2
    assert root.created_at.year == 2023  # the original time is kept


def test_bad_archives_and_workspaces_are_refused_writing_nothing(tmp_path, team):
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    before = counts()
    with pytest.raises(CommandError, match="invalid_arguments"):
        call_command("import_slack_export", str(junk), workspace=team.workspace.slug, stdout=StringIO())
    with pytest.raises(CommandError, match="workspace_not_found"):
        call_command("import_slack_export", str(junk), workspace="nope", stdout=StringIO())
    assert counts() == before
