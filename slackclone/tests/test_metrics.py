"""GET /metrics: what a scraper reads after requests, who may read it, and the labels it carries."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from slackclone.metrics import collectors
from slackclone.testing.api import token_client
from slackclone.testing.processes import free_port

LOOPBACK, OUTSIDE = "127.0.0.1", "203.0.113.9"


def scrape(address: str = LOOPBACK, **headers: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """The metrics a scraper at `address` reads: family name -> {sorted labels: value} (samples by name)."""
    response = Client(REMOTE_ADDR=address, **headers).get("/metrics")
    assert response.status_code == 200, response.status_code
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def request_count(samples, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(value for key, value in samples.get("slackclone_http_requests_total", {}).items() if wanted <= set(key))


@pytest.mark.django_db
def test_metrics_from_the_loopback_count_a_request_by_its_route_and_status(client):
    before = request_count(scrape(), route="healthz", status="200")
    assert client.get("/healthz").status_code == 200
    samples = scrape()
    assert request_count(samples, route="healthz", method="GET", status="200") == before + 1
    latency = samples["slackclone_http_request_duration_seconds_count"]
    assert latency[(("method", "GET"), ("route", "healthz"))] >= 1
    for family in ("slackclone_sockets_open", "slackclone_events_published_total", "slackclone_frames_delivered_total"):
        assert family in samples, family


@pytest.mark.django_db
def test_metrics_are_not_found_for_an_address_outside_the_allowed_networks():
    response = Client(REMOTE_ADDR=OUTSIDE).get("/metrics")
    assert response.status_code == 404
    assert b"slackclone_" not in response.content


@pytest.mark.django_db
def test_metrics_are_read_from_an_allowed_network_or_with_the_token(settings):
    settings.METRICS_ALLOWED_NETWORKS = [*settings.METRICS_ALLOWED_NETWORKS, "203.0.113.0/24"]
    assert "slackclone_http_requests_total" in scrape(OUTSIDE)
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.METRICS_TOKEN = "scrape-secret"
    assert "slackclone_http_requests_total" in scrape("198.51.100.7", HTTP_AUTHORIZATION="Bearer scrape-secret")
    wrong = Client(REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer nope").get("/metrics")
    assert wrong.status_code == 404


@pytest.mark.django_db
def test_two_channels_are_one_series_labelled_by_the_url_pattern(team):
    client = token_client(team.member, team.workspace)
    route = "api:messages"
    before = request_count(scrape(), route=route, method="GET", status="200")
    for channel in (team.general, team.random):
        assert client.get(f"/api/v1/channels/{channel.public_id}/messages").status_code == 200
    samples = scrape()
    assert request_count(samples, route=route, method="GET", status="200") == before + 2
    values = " ".join(value for key in samples["slackclone_http_requests_total"] for _, value in key)
    assert team.general.public_id not in values
    assert team.random.public_id not in values


@pytest.mark.django_db
def test_a_path_no_pattern_takes_is_counted_as_unmatched(client):
    before = request_count(scrape(), route="unmatched", status="404")
    client.get("/no/such/page/anywhere")
    assert request_count(scrape(), route="unmatched", status="404") == before + 1


@pytest.mark.django_db
def test_the_database_collectors_report_each_outbox_backlog(settings):
    settings.METRICS_DATABASE_COLLECTORS = True
    samples = scrape()
    assert samples["slackclone_outbox_backlog"][(("outbox", "app_events"),)] == 0
    assert samples["slackclone_outbox_oldest_age_seconds"][(("outbox", "app_events"),)] == 0
    assert any(value >= 1 for value in samples["slackclone_db_connections"].values())


@pytest.mark.django_db
def test_a_request_id_is_taken_from_the_proxy_only_when_one_is_trusted_to_set_it(settings):
    settings.REQUEST_ID_FROM_PROXY = False
    response = Client(HTTP_X_REQUEST_ID="client-chosen-id-123").get("/healthz")
    assert response["X-Request-ID"] != "client-chosen-id-123"
    assert len(response["X-Request-ID"]) == 32
    settings.REQUEST_ID_FROM_PROXY = True
    assert Client(HTTP_X_REQUEST_ID="proxy-set-id-12345").get("/healthz")["X-Request-ID"] == "proxy-set-id-12345"
    assert Client(HTTP_X_REQUEST_ID="bad id\n").get("/healthz")["X-Request-ID"] != "bad id\n"


@pytest.mark.django_db
def test_every_metric_the_operations_guide_and_dashboard_name_is_exposed(settings):
    settings.METRICS_DATABASE_COLLECTORS = True
    text = Client(REMOTE_ADDR=LOOPBACK).get("/metrics").content.decode()
    families = {family.name for family in text_string_to_metric_families(text)}
    docs = settings.BASE_DIR / "docs"
    named = set(re.findall(r"slackclone_[a-z_]+", (docs / "operations.md").read_text()))
    named |= set(re.findall(r"slackclone_[a-z_]+", (docs / "grafana" / "slackclone.json").read_text()))
    named -= {"slackclone_"}  # the prefix itself, in prose

    def family_of(name: str) -> str:
        for suffix in ("_total", "_bucket", "_count", "_sum"):
            if name.endswith(suffix) and name.removesuffix(suffix) in families:
                return name.removesuffix(suffix)
        return name

    assert {family_of(name) for name in named} - families == set()


def test_the_replica_lag_is_read_once_per_cache_period(settings, monkeypatch):
    settings.DATABASE_REPLICA_URL = "postgres://postgres@127.0.0.1:5432/replica"
    settings.METRICS_REPLICA_LAG_CACHE_SECONDS = 5.0
    answers = iter([(True, 1.5), (True, 7.0)])
    monkeypatch.setattr(collectors, "_ask_replica", lambda url: next(answers))
    now = [100.0]
    collector = collectors.ReplicaLagCollector(clock=lambda: now[0])
    assert collector.reading() == (True, 1.5)
    now[0] += 4.9
    assert collector.reading() == (True, 1.5)
    now[0] += 0.2
    assert collector.reading() == (True, 7.0)


def test_a_replica_that_cannot_be_asked_reports_no_lag(settings):
    settings.DATABASE_REPLICA_URL = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    lag, standby = collectors.ReplicaLagCollector().collect()
    assert lag.samples == []
    assert standby.samples == []


def test_a_replica_url_that_reaches_a_primary_reports_no_standby_and_no_lag(settings):
    database = connections["default"].settings_dict  # the local PostgreSQL server: a primary, not in recovery
    settings.DATABASE_REPLICA_URL = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/postgres"
    lag, standby = collectors.ReplicaLagCollector().collect()
    assert [(sample.name, sample.value) for sample in standby.samples] == [("slackclone_replica_is_standby", 0)]
    assert lag.samples == []
