"""Timing: HTTP requests on one keep-alive connection, in-process queries, and EXPLAIN ANALYZE plans."""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass
class Timing:
    name: str
    samples_ms: list[float]
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "n": len(self.samples_ms),
            "p50_ms": round(self.p50, 2),
            "p99_ms": round(self.p99, 2),
            "max_ms": round(max(self.samples_ms), 2),
            "note": self.note,
        }


class Http:
    """One persistent HTTP/1.1 connection to the server under test, with the bench token."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path: str, params: dict | None = None) -> tuple[int, dict]:
        url = path + ("?" + urlencode(params) if params else "")
        try:
            self.connection.request("GET", url, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed a keep-alive connection left idle (Uvicorn: after 5 s) while the
            # in-process measurements ran: open a new one, as any HTTP client would.
            self.connection.close()
            self.connection.request("GET", url, headers=self.headers)
            response = self.connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body else {}

    def time_get(self, name: str, path: str, params_list: list[dict], *, repeat: int, warmup: int = 3) -> Timing:
        """Time `repeat` rounds over `params_list`; every answer must be 200."""
        for params in params_list[:warmup]:
            self.get(path, params)
        samples = []
        for _ in range(repeat):
            for params in params_list:
                started = time.perf_counter()
                status, body = self.get(path, params)
                samples.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path} {params} answered {status}: {body}")
        return Timing(name, samples)


def time_call(name: str, call: Callable[[], object], *, repeat: int, warmup: int = 2, note: str = "") -> Timing:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(name, samples, note)


def explain(sql: str, params: list | dict) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_queryset(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return explain(sql, list(params))
