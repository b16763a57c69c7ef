from __future__ import annotations

import pytest
from slack_sdk import WebClient

from integrations.tokens import api_token_create
from slackclone.testing.factories import BotFactory, add_member


def token_for(user, workspace) -> str:
    return api_token_create(actor=None, user=user, workspace=workspace)[1]


@pytest.fixture
def web(live_server, team):
    """slack_sdk WebClients against the live server: make(user) gives one with that user's token."""

    def make(user=None, *, token: str | None = None) -> WebClient:
        raw = token if token is not None else token_for(user or team.member, team.workspace)
        return WebClient(token=raw, base_url=live_server.url + "/api/")

    return make


@pytest.fixture
def bot(team):
    return add_member(team.workspace, BotFactory(bot_workspace=team.workspace))
