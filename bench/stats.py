"""Figures the benchmarks share: percentiles and a latency summary in milliseconds."""

from __future__ import annotations

import statistics


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0 to 100) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summary(values_s: list[float]) -> dict:
    """Latencies given in seconds, summarised in milliseconds."""
    ms = [v * 1000 for v in values_s] or [0.0]
    return {
        "n": len(values_s),
        "mean_ms": round(statistics.fmean(ms), 2),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }
