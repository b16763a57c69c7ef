"""/healthz and /readyz, as a load balancer calls them: anonymous GETs on the real database and Redis."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from slackclone import lifespan
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_ok_when_database_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_readyz_names_redis_when_redis_is_unreachable(client):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    caches = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
    with override_settings(CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert set(body["failed"]) == {"redis"}
    assert "ConnectionError" in body["failed"]["redis"]


def test_readyz_is_503_while_the_process_drains(client, monkeypatch):
    monkeypatch.setattr(lifespan, "_draining", True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == {"shutdown": "draining"}
    assert client.get("/healthz").status_code == 200


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
