"""/healthz and /readyz, as a load balancer calls them: anonymous GETs on the real database and Redis."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.test import override_settings
from psycopg_pool import ConnectionPool

from slackclone import health, lifespan
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


def test_readyz_description_names_every_server_of_a_multi_host_url_and_why_it_failed():
    dead, standby_only = free_port(), settings.DATABASES["default"]["PORT"] or "5432"
    conninfo = f"host=127.0.0.1,127.0.0.1 port={dead},{standby_only} dbname=postgres user=postgres"
    with pytest.raises(psycopg.OperationalError) as failure:
        psycopg.connect(f"{conninfo} target_session_attrs=standby connect_timeout=2")

    description = health._describe(failure.value)

    assert description.startswith("OperationalError: ")
    assert f"127.0.0.1:{dead} Connection refused" in description
    assert f"127.0.0.1:{standby_only} server is not in hot standby mode" in description


def test_a_pool_that_cannot_connect_reports_why_for_each_server_not_only_that_it_timed_out():
    first, second = free_port(), free_port()
    kwargs = {"host": "127.0.0.1,127.0.0.1", "port": f"{first},{second}", "dbname": "postgres", "user": "postgres"}
    pool = ConnectionPool(kwargs=kwargs, min_size=1, open=False)
    try:
        with pytest.raises(psycopg.OperationalError) as failure:
            health._query_pool(pool)
    finally:
        pool.close()

    description = health._describe(failure.value)
    assert f"127.0.0.1:{first} Connection refused" in description
    assert f"127.0.0.1:{second} Connection refused" in description
