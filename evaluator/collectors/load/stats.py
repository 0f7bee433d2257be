"""Streaming latency statistics shared by the load collectors: bounded memory, documented error.

`LatencyHistogram` keeps counts per bucket. Values below 10 ms (10,000 µs) are kept exactly; above,
a bucket keeps four significant digits (rounding down), so any percentile it reports is at most
0.1 % below the true sample value, whatever the number of samples. A histogram holds at most
9,000 buckets per decade of latency actually seen, so ten million samples cost about the same
memory as ten thousand. Percentiles use the nearest-rank
definition (the smallest value with at least p % of the samples at or below it), which is what
k6, Locust and JMeter report within their own rounding.
"""

from __future__ import annotations

import math
from collections import Counter

EXACT_BELOW_US = 10_000
"""Values below this many microseconds are kept exactly."""

SIGNIFICANT_DIGITS = 4
"""Digits a larger value keeps: the relative error is below 10 ** (1 - SIGNIFICANT_DIGITS) = 0.1 %."""


def bucket(value_us: int) -> int:
    """The bucket's representative value for a latency in µs: exact below 10 ms, else 4 significant digits."""
    if value_us < EXACT_BELOW_US:
        return max(value_us, 0)
    scale = 10 ** (len(str(value_us)) - SIGNIFICANT_DIGITS)
    return (value_us // scale) * scale


class LatencyHistogram:
    """Counts of latencies in µs buckets, with exact count, sum, min and max."""

    __slots__ = ("_buckets", "count", "max", "min", "total")

    def __init__(self) -> None:
        self._buckets: Counter[int] = Counter()
        self.count = 0
        """Samples added."""
        self.total = 0
        """Sum of all samples in µs (exact)."""
        self.min: int | None = None
        """Smallest sample (exact)."""
        self.max: int | None = None
        """Largest sample (exact)."""

    def add(self, value_us: int, times: int = 1) -> None:
        """Record `times` samples of `value_us` microseconds."""
        if times <= 0:
            return
        self._buckets[bucket(value_us)] += times
        self.count += times
        self.total += value_us * times
        self.min = value_us if self.min is None else min(self.min, value_us)
        self.max = value_us if self.max is None else max(self.max, value_us)

    def add_totals(self, times: int, total_us: int, min_us: int, max_us: int) -> None:
        """Record the count, sum and extremes of samples whose buckets `set_buckets` gives (an aggregating reader)."""
        if times <= 0:
            return
        self.count += times
        self.total += total_us
        self.min = min_us if self.min is None else min(self.min, min_us)
        self.max = max_us if self.max is None else max(self.max, max_us)

    def set_buckets(self, counts: Counter[int]) -> bool:
        """Take per-bucket counts computed elsewhere; False (and nothing kept) unless they match `add_totals`."""
        if sum(counts.values()) != self.count or any(bucket(b) != b for b in counts):
            return False
        self._buckets = Counter(counts)
        return True

    def merge(self, other: LatencyHistogram) -> None:
        """Add every sample of `other`."""
        self._buckets.update(other._buckets)
        self.count += other.count
        self.total += other.total
        for value in (other.min, other.max):
            if value is not None:
                self.min = value if self.min is None else min(self.min, value)
                self.max = value if self.max is None else max(self.max, value)

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile `p` (0 < p <= 100) in µs, None when empty; exact min/max at the ends."""
        if not self.count:
            return None
        rank = max(1, math.ceil(p / 100 * self.count))
        if rank >= self.count:
            return self.max
        seen = 0
        for value in sorted(self._buckets):
            seen += self._buckets[value]
            if seen >= rank:
                return max(value, self.min or 0)
        return self.max  # pragma: no cover - counts always reach rank

    def mean(self) -> int | None:
        """Mean in µs, rounded half up; None when empty."""
        return (self.total * 2 + self.count) // (2 * self.count) if self.count else None

    def summary(self) -> dict[str, int | None]:
        """min, mean, p50, p90, p95, p99, max in µs: the fields of the `load` kind's Latency."""
        return {
            "min": self.min,
            "mean": self.mean(),
            "p50": self.percentile(50),
            "p90": self.percentile(90),
            "p95": self.percentile(95),
            "p99": self.percentile(99),
            "max": self.max,
        }


def error_rate_bp(failures: int, requests: int) -> int:
    """failures / requests in basis points, rounded up so any failure shows; 0 without requests."""
    return -(-failures * 10000 // requests) if requests else 0


def throughput_mrps(requests: int, duration_ms: int) -> int | None:
    """Requests per second × 1000 over `duration_ms`; None when the duration is unknown or zero."""
    return requests * 1_000_000 // duration_ms if duration_ms > 0 else None


def ms_to_us(value_ms: float) -> int:
    """A tool's millisecond value (possibly fractional) as integer microseconds, rounded half up."""
    return math.floor(value_ms * 1000 + 0.5)
