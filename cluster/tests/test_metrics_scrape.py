"""The cluster's Prometheus scrapes every process: each ASGI process, each Celery worker and beat are up, a
request through nginx shows in slackclone_http_requests_total, and nginx itself never hands out /metrics."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from cluster.layout import Layout

pytestmark = pytest.mark.cluster


def _query(layout: Layout, promql: str) -> list[dict[str, Any]]:
    url = f"{layout.prometheus_url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


def _eventually(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """check()'s first truthy answer; Prometheus scrapes every 5 s, so a few scrapes at most."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(1)


def test_prometheus_scrapes_every_process_and_counts_requests_through_nginx(cluster: Layout):
    expected = {f"127.0.0.1:{port}" for port in [*cluster.asgi_ports, *cluster.metrics_ports.values()]}

    def up_targets() -> set[str] | None:
        results = _query(cluster, "up")
        up = {result["metric"]["instance"] for result in results if result["value"][1] == "1"}
        return up if up >= expected else None

    assert _eventually(up_targets) == expected
    with urllib.request.urlopen(f"{cluster.base_url}/healthz", timeout=5) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{cluster.base_url}/metrics", timeout=5)
    assert refused.value.code == 404

    def healthz_counted() -> float:
        results = _query(cluster, 'sum(slackclone_http_requests_total{route="healthz"})')
        return float(results[0]["value"][1]) if results else 0.0

    assert _eventually(healthz_counted) >= 1
    assert _query(cluster, 'slackclone_outbox_backlog{outbox="app_events"}'), "beat reports the Events API outbox"
