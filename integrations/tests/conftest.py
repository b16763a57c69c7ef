from __future__ import annotations

import pytest

from integrations.services import webhook_create


@pytest.fixture
def hook(team):
    """A live webhook into #general made by the workspace admin: (webhook, its URL path)."""
    webhook, secret = webhook_create(actor=team.admin, channel=team.general, name="Deploys")
    return webhook, webhook.url_path(secret)
