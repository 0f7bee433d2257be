"""Locust `--json` / `--json-file` output into a `load` evidence item.

Locust 2.x (`--json` to stdout, e.g. 2.15.1; `--json-file NAME` to NAME.json in later 2.x, e.g.
2.47.0) writes a list with one object per endpoint: `name`, `method`, `start_time` (when the
endpoint's first request was logged) and `last_request_timestamp` (epoch seconds), `num_requests`, `num_none_requests`,
`num_failures`, `total_response_time`, `min_response_time`, `max_response_time` (milliseconds) and
`response_times`, a histogram {rounded milliseconds: count}. There is no total row: the collector adds
the endpoints up. A run with no requests writes `[]`, which cannot be recognised from its content:
name the format (`--format locust-json`) for it.

Latency: min, max and mean are exact (Locust keeps them unrounded); the percentiles are computed from
the histograms with `LatencyHistogram` (nearest rank; `percentiles: "histogram"`). Locust rounds every
response time into its bucket before counting it (`bucket_response_time`: to the millisecond below
100 ms, then to two significant figures: 147 -> 150, 3432 -> 3400), so a percentile is off the true
sample by up to 0.5 ms below 100 ms and up to 5 % above (half a bucket), plus the histogram's 0.1 %.
Each percentile is clamped between the exact min and max. The values match Locust's own percentile
columns in the CSV of the same run, except that Locust takes the sample of rank floor(n·p)+1 where
nearest rank takes ceil(n·p): when n·p is a whole number Locust's value is the next sample's (with 20
requests, its 95% is the slowest one, ours the 19th).

The window runs from the earliest `start_time` to the latest `last_request_timestamp` (so it ends at
the last request's start: its response time is not included); the duration is that window and the
throughput is requests over it. The peak user count is not in the file (left unknown). Every count
must agree with the histogram (`num_requests - num_none_requests` samples), else the file is refused.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.stats import LatencyHistogram, error_rate_bp, ms_to_us, throughput_mrps
from evaluator.collectors.progress import reading
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic
from evaluator.redact import redact

_REQUIRED = ("name", "num_requests", "num_failures", "response_times")
_START = re.compile(r"\A\s*\[\s*\{")
_KEYS = (b'"num_requests"', b'"num_failures"', b'"response_times"')


class LocustJsonCollector(Collector):
    """Locust's `--json` / `--json-file` per-endpoint statistics with their response-time histograms."""

    format: ClassVar[str] = "locust-json"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "Locust --json / --json-file output (per-endpoint stats with response-time histograms)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` opens a JSON list of objects with Locust's stats keys."""
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        return _START.match(head[:1024].decode("utf-8", "replace")) is not None and all(key in head for key in _KEYS)

    def collect(self, path: Path) -> Collected:
        """Parse the list at `path`; InputError when it is not Locust's JSON stats or contradicts itself."""
        document = _load(path)
        if not isinstance(document, list):
            found = "an object" if isinstance(document, dict) else f"a {type(document).__name__}"
            raise InputError(path, f"not Locust --json output: the top level is {found}, expected a list of endpoints")
        entries = [_Entry.parse(path, index, value) for index, value in enumerate(document)]

        starts = [e.start for e in entries if e.start is not None]
        ends = [e.last for e in entries if e.last is not None]
        start = min(starts) if starts else None
        end = max(ends) if ends else None
        if start is not None and end is not None and end < start:
            raise InputError(path, "the last request is before the first one: timestamps are inconsistent")
        duration_ms = round((end - start) * 1000) if start is not None and end is not None else 0

        total = _Entry.total(entries)
        data = LoadTest(
            duration_ms=duration_ms,
            totals=total.traffic(duration_ms),
            endpoints=sorted((e.endpoint(duration_ms) for e in entries), key=lambda e: (e.name, e.method or "")),
            checks=[],
            thresholds=[],
            percentiles="histogram",
        )
        observed_start = _utc(start) if start is not None and end is not None else None
        observed_end = _utc(end) if start is not None and end is not None else None
        return Collected(data=data, tool="locust", observed_start=observed_start, observed_end=observed_end)


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as fh, reading(path, fh):
            raw = fh.read()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected Locust's JSON stats") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    text = raw.decode("utf-8-sig", "replace")
    if not text.strip():
        raise InputError(path, "file is empty, expected Locust's JSON stats")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        reason = exc.msg
        if exc.pos >= len(text.rstrip()):
            reason += " (the file ends early: truncated?)"
        raise InputError(path, f"malformed JSON: {reason}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise InputError(path, f"malformed JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _utc(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


@dataclass
class _Entry:
    """One endpoint's statistics (or, added up, the whole test's)."""

    name: str
    method: str | None
    requests: int
    failures: int
    histogram: LatencyHistogram
    start: float | None = None
    last: float | None = None
    exact_min_us: int | None = None
    exact_max_us: int | None = None
    total_ms: float | None = None
    """Exact sum of the response times, when given."""

    @classmethod
    def parse(cls, path: Path, index: int, value: object) -> _Entry:
        """The entry at position `index`; InputError naming it when it is not Locust's."""
        where = f"entry {index + 1}"
        if not isinstance(value, dict):
            raise InputError(path, f"not Locust --json output: {where} is not an object with endpoint stats")
        missing = [key for key in _REQUIRED if key not in value]
        if missing:
            names = ", ".join(repr(key) for key in missing)
            raise InputError(path, f"not Locust --json output: {where} has no {names}")
        name = value["name"]
        if not isinstance(name, str):
            raise InputError(path, f"{where}: 'name' is not a string")
        where = f"{where} ({name[:80]!r})"
        method = value.get("method")
        if method is not None and not isinstance(method, str):
            raise InputError(path, f"{where}: 'method' is not a string")
        requests = _count(path, where, value, "num_requests")
        failures = _count(path, where, value, "num_failures")
        none_requests = _count(path, where, value, "num_none_requests", 0)
        if failures > requests or none_requests > requests:
            raise InputError(path, f"{where}: {failures} failures, {none_requests} untimed of {requests} requests")
        buckets = value["response_times"]
        if not isinstance(buckets, dict):
            raise InputError(path, f"{where}: 'response_times' is not an object {{milliseconds: count}}")
        histogram = LatencyHistogram()
        for key, count in buckets.items():
            try:
                bucket_ms = float(key)
            except ValueError:
                bucket_ms = math.nan
            if not math.isfinite(bucket_ms) or bucket_ms < 0 or not _is_count(count):
                raise InputError(path, f"{where}: response_times has {key!r}: {count!r}, expected milliseconds: count")
            histogram.add(ms_to_us(bucket_ms), count)
        if histogram.count != requests - none_requests:
            raise InputError(
                path,
                f"{where}: response_times hold {histogram.count} samples but num_requests - num_none_requests "
                f"is {requests - none_requests}",
            )
        entry = cls(
            name=name,
            method=method or None,
            requests=requests,
            failures=failures,
            histogram=histogram,
            start=_seconds(path, where, value, "start_time"),
            last=_seconds(path, where, value, "last_request_timestamp"),
        )
        if histogram.count:
            low = _seconds(path, where, value, "min_response_time")
            high = _seconds(path, where, value, "max_response_time")
            entry.exact_min_us = ms_to_us(low) if low is not None else None
            entry.exact_max_us = ms_to_us(high) if high is not None else None
            entry.total_ms = _seconds(path, where, value, "total_response_time")
        if requests == 0:
            entry.start = entry.last = None  # an entry with only failures logged has no request window
        return entry

    @classmethod
    def total(cls, entries: list[_Entry]) -> _Entry:
        """All endpoints added up; an exact min, max or sum stays exact only when every timed endpoint gives it."""
        total = cls(name="", method=None, requests=0, failures=0, histogram=LatencyHistogram())
        timed = [e for e in entries if e.histogram.count]
        for entry in entries:
            total.requests += entry.requests
            total.failures += entry.failures
            total.histogram.merge(entry.histogram)
        mins = [e.exact_min_us for e in timed if e.exact_min_us is not None]
        maxes = [e.exact_max_us for e in timed if e.exact_max_us is not None]
        sums = [e.total_ms for e in timed if e.total_ms is not None]
        total.exact_min_us = min(mins) if timed and len(mins) == len(timed) else None
        total.exact_max_us = max(maxes) if timed and len(maxes) == len(timed) else None
        total.total_ms = sum(sums) if timed and len(sums) == len(timed) else None
        return total

    def latency(self) -> Latency:
        """Exact min, max and mean where Locust kept them; percentiles from the histogram, clamped to them."""
        histogram = self.histogram
        if not histogram.count:
            return Latency()
        low = self.exact_min_us if self.exact_min_us is not None else histogram.min
        high = self.exact_max_us if self.exact_max_us is not None else histogram.max
        assert low is not None and high is not None
        mean = ms_to_us(self.total_ms / histogram.count) if self.total_ms is not None else histogram.mean()
        percentiles = {}
        for key, p in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
            value = histogram.percentile(p)
            percentiles[key] = min(max(value if value is not None else high, low), high)
        return Latency(min=low, mean=mean, max=high, **percentiles)

    def traffic(self, duration_ms: int) -> Traffic:
        """As the test's totals."""
        return Traffic(
            requests=self.requests,
            failures=self.failures,
            error_rate_bp=error_rate_bp(self.failures, self.requests),
            throughput_mrps=throughput_mrps(self.requests, duration_ms),
            latency_us=self.latency(),
        )

    def endpoint(self, duration_ms: int) -> Endpoint:
        """As one endpoint; a method longer than the model allows (a custom request type) is left out."""
        method = self.method if self.method and len(self.method) <= 16 else None
        name = redact(self.name)[:512] or "(empty name)"
        return Endpoint(name=name, method=method, **self.traffic(duration_ms).model_dump(exclude_none=True))


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count(path: Path, where: str, entry: dict[str, Any], key: str, default: int | None = None) -> int:
    value = entry.get(key, default)
    if not _is_count(value):
        raise InputError(path, f"{where}: {key!r} is {value!r}, expected a whole number >= 0")
    assert isinstance(value, int)
    return value


def _seconds(path: Path, where: str, entry: dict[str, Any], key: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InputError(path, f"{where}: {key!r} is {value!r}, expected a number >= 0")
    return float(value)
