"""The shared latency histogram: nearest-rank percentiles within the documented 0.1 % error."""

from __future__ import annotations

import math
import random

from evaluator.collectors.load.stats import LatencyHistogram, bucket, error_rate_bp, ms_to_us, throughput_mrps


def _nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def test_percentiles_stay_within_a_tenth_of_a_percent_below_the_true_value():
    rng = random.Random(7)
    values = [int(rng.lognormvariate(11, 1.2)) for _ in range(50_000)]  # ~60 ms median, long tail
    histogram = LatencyHistogram()
    for value in values:
        histogram.add(value)
    for p in (50, 90, 95, 99, 99.9):
        true = _nearest_rank(values, p)
        got = histogram.percentile(p)
        assert got <= true and (true - got) <= true * 0.001, (p, true, got)
    assert (histogram.min, histogram.max, histogram.count) == (min(values), max(values), len(values))
    assert histogram.mean() == round(sum(values) / len(values))


def test_small_values_are_exact_and_buckets_keep_four_digits():
    assert [bucket(v) for v in (0, 999, 9_999, 10_000, 12_345, 1_009_000, 98_765_432)] == [
        0, 999, 9_999, 10_000, 12_340, 1_009_000, 98_760_000,
    ]  # fmt: skip
    histogram = LatencyHistogram()
    for value in (5, 1, 3, 2, 4):
        histogram.add(value * 1000)
    assert histogram.summary() == {"min": 1000, "mean": 3000, "p50": 3000, "p90": 5000, "p95": 5000, "p99": 5000,
                                   "max": 5000}  # fmt: skip


def test_merge_weights_and_empty():
    left, right, both = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    left.add(100, times=3)
    right.add(900, times=1)
    both.add(100, times=3)
    both.add(900)
    left.merge(right)
    assert left.summary() == both.summary()
    assert LatencyHistogram().summary() == dict.fromkeys(("min", "mean", "p50", "p90", "p95", "p99", "max"))
    left.add(5, times=0)
    assert left.count == 4


def test_rates_round_so_that_any_failure_shows():
    assert error_rate_bp(0, 0) == 0 and error_rate_bp(1, 1_000_000) == 1 and error_rate_bp(5, 100) == 500
    assert throughput_mrps(1500, 60_000) == 25_000 and throughput_mrps(10, 0) is None
    assert ms_to_us(12.3456) == 12346 and ms_to_us(0.0004) == 0
