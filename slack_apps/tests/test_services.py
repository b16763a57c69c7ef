"""Apps: made by a workspace's owners and admins, with a scoped bot token, an app-level token and a
signing secret shown once; rotated, disabled and deleted with their access ended at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.models import ApiToken, hash_token
from slack_apps.manifest import spec_from_options
from slack_apps.models import App, AppToken, SlashCommand
from slack_apps.sealing import UnsealError, seal, unseal
from slack_apps.selectors import app_for_app_token, app_get, workspace_apps
from slack_apps.services import app_create, app_delete, app_rotate, app_set_enabled
from slackclone.testing.assertions import refused
from workspaces.models import Membership
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def make_app(team, **options):
    options.setdefault("commands", ["/deploy"])
    return app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Deploy", **options))


def test_an_admin_makes_an_app_with_its_bot_tokens_and_secret(team):
    app, credentials = make_app(team, socket_mode=True)

    assert app.public_id.startswith("A")
    assert credentials.app_id == app.public_id
    assert credentials.bot_user_id == app.bot_user.public_id
    assert app.bot_user.is_bot
    assert app.bot_user.full_name == "Deploy"
    assert Membership.objects.get(workspace=team.workspace, user=app.bot_user).is_active
    assert credentials.bot_token.startswith("xoxb-")
    assert credentials.app_token.startswith(f"xapp-1-{app.public_id}-")
    assert len(credentials.signing_secret) == 32
    bot_token = api_token_authenticate(credentials.bot_token)
    assert bot_token.user == app.bot_user
    assert bot_token.scopes == list(app.scopes)
    assert app_for_app_token(credentials.app_token) == app
    assert list(SlashCommand.objects.filter(app=app).values_list("command", flat=True)) == ["/deploy"]


def test_secrets_are_stored_only_hashed_or_sealed(team):
    app, credentials = make_app(team)
    stored = App.objects.get(pk=app.pk)
    assert credentials.signing_secret not in stored.signing_secret_sealed
    assert unseal(stored.signing_secret_sealed) == credentials.signing_secret
    assert AppToken.objects.get(app=app).token_hash == hash_token(credentials.app_token)
    assert ApiToken.objects.get(user=app.bot_user).token_hash == hash_token(credentials.bot_token)


def test_a_sealed_secret_survives_a_new_secret_key_kept_as_a_fallback():
    sealed = seal("s3cret")
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=["x"]), pytest.raises(UnsealError):
        unseal(sealed)
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert unseal(sealed) == "s3cret"


def test_only_owners_and_admins_of_the_workspace_make_or_see_apps(team, outsider):
    spec = spec_from_options(name="Nope")
    for person in (team.member, team.guest, outsider):
        with refused("restricted_action" if person != outsider else "workspace_not_found"):
            app_create(actor=person, workspace=team.workspace, spec=spec)
    app, _ = make_app(team)
    for person in (team.member, team.guest):
        with refused("restricted_action"):
            app_get(actor=person, workspace=team.workspace, public_id=app.public_id)
    assert list(workspace_apps(actor=team.owner, workspace=team.workspace)) == [app]


def test_an_app_of_another_workspace_does_not_exist_here(team, outsider):
    app, _ = make_app(team)
    other = Membership.objects.get(user=outsider).workspace
    with refused("app_not_found"):
        app_get(actor=outsider, workspace=other, public_id=app.public_id)


def test_a_command_another_app_answers_is_refused_and_nothing_is_made(team):
    make_app(team)
    with refused("command_taken"):
        make_app(team)


def test_rotating_a_secret_ends_the_old_one_at_once(team):
    app, credentials = make_app(team)

    new_bot_token = app_rotate(actor=team.admin, app=app, secret="bot_token")
    with refused("invalid_auth"):
        api_token_authenticate(credentials.bot_token)
    assert api_token_authenticate(new_bot_token).scopes == list(app.scopes)

    new_app_token = app_rotate(actor=team.owner, app=app, secret="app_token")
    with refused("invalid_auth"):
        app_for_app_token(credentials.app_token)
    assert app_for_app_token(new_app_token) == app

    new_secret = app_rotate(actor=team.admin, app=app, secret="signing_secret")
    assert unseal(App.objects.get(pk=app.pk).signing_secret_sealed) == new_secret != credentials.signing_secret

    with refused("restricted_action"):
        app_rotate(actor=team.member, app=app, secret="signing_secret")
    with refused("invalid_arguments"):
        app_rotate(actor=team.admin, app=app, secret="password")


def test_a_disabled_app_acts_no_more_until_enabled_again(team):
    app, credentials = make_app(team)

    app_set_enabled(actor=team.admin, app=app, enabled=False)
    with refused("account_inactive"):
        api_token_authenticate(credentials.bot_token)
    with refused("invalid_auth"):
        app_for_app_token(credentials.app_token)

    app_set_enabled(actor=team.admin, app=app, enabled=True)
    assert api_token_authenticate(credentials.bot_token).user == app.bot_user
    assert app_for_app_token(credentials.app_token) == app


def test_deleting_an_app_keeps_its_bot_as_an_author_and_revokes_everything(team):
    app, credentials = make_app(team)
    bot = app.bot_user

    app_delete(actor=team.owner, app=app)

    assert not App.objects.filter(pk=app.pk).exists()
    assert not SlashCommand.objects.exists()
    assert not Membership.objects.get(workspace=team.workspace, user=bot).is_active
    with refused("invalid_auth"):
        api_token_authenticate(credentials.bot_token)
    assert not AppToken.objects.filter(revoked_at__isnull=True).exists()
