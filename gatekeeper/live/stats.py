"""Latency percentiles and the latency histogram of the scorecard.

Percentiles use the nearest-rank method: p95 is the smallest observed latency that at least
95 % of the requests did not exceed. That is exactly the persona's promise ("< 200 ms for 95 %
of requests"), needs no interpolation and is never lower than an observed value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["HISTOGRAM_BOUNDS_MS", "histogram", "percentile", "summary"]

#: Upper bounds (ms) of the histogram buckets; the last bucket is everything slower.
HISTOGRAM_BOUNDS_MS = (5, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(latencies_s: Sequence[float]) -> dict[str, float | int | None]:
    """count, p50/p95/p99/max in milliseconds (rounded to 0.1 ms)."""
    values = sorted(latencies_s)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    return {
        "count": len(values),
        "p50_ms": ms(percentile(values, 50)),
        "p95_ms": ms(percentile(values, 95)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(values[-1] if values else None),
    }


def histogram(latencies_s: Sequence[float]) -> list[dict[str, object]]:
    """Counts per bucket: ``[{"le_ms": 5, "count": n}, ..., {"le_ms": None, "count": n}]``."""
    counts = [0] * (len(HISTOGRAM_BOUNDS_MS) + 1)
    for v in latencies_s:
        ms = v * 1000
        for i, bound in enumerate(HISTOGRAM_BOUNDS_MS):
            if ms <= bound:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    bounds: list[int | None] = [*HISTOGRAM_BOUNDS_MS, None]
    return [{"le_ms": b, "count": c} for b, c in zip(bounds, counts, strict=True)]
