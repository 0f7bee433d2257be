"""The `load` kind: results of a load test (k6, Locust, JMeter, Gatling), overall and per endpoint.

Every number is an integer: latencies in microseconds, rates in basis points (1 bp = 0.01 %),
throughput in milli-requests per second, so policies never depend on float formatting.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Latency(_Data):
    """Response-time statistics in integer microseconds; a statistic the source cannot give is absent."""

    min: int | None = Field(default=None, ge=0)
    """Fastest response."""
    mean: int | None = Field(default=None, ge=0)
    """Arithmetic mean."""
    p50: int | None = Field(default=None, ge=0)
    """Median."""
    p90: int | None = Field(default=None, ge=0)
    """90th percentile."""
    p95: int | None = Field(default=None, ge=0)
    """95th percentile."""
    p99: int | None = Field(default=None, ge=0)
    """99th percentile."""
    max: int | None = Field(default=None, ge=0)
    """Slowest response."""


class Traffic(_Data):
    """Request counts, error rate, throughput and latency, for the whole test or one endpoint."""

    requests: int = _Count
    """Requests sent (successful and failed)."""
    failures: int = _Count
    """Requests that failed (transport error, error status, or the tool's own failure verdict)."""
    error_rate_bp: int = Field(ge=0, le=10000)
    """failures / requests in basis points, rounded up (0 when there were no requests)."""
    throughput_mrps: int | None = Field(default=None, ge=0)
    """Requests per second over the test duration, times 1000 (milli-requests per second)."""
    latency_us: Latency
    """Response times."""


class Endpoint(Traffic):
    """One endpoint (a request name, or method + URL)."""

    name: str = Field(min_length=1, max_length=512)
    """Request name as the tool reports it (k6 `name` tag or URL, Locust name, JMeter label, Gatling request)."""
    method: str | None = Field(default=None, min_length=1, max_length=16)
    """HTTP method, when known."""


class Check(_Data):
    """A tool-native check (k6 check, Gatling assertion, JMeter assertion) and its outcome."""

    name: str = Field(min_length=1, max_length=512)
    """Check name as the tool reports it."""
    passes: int = _Count
    """Times it held."""
    fails: int = _Count
    """Times it did not."""


class Threshold(_Data):
    """A tool-native pass/fail threshold (k6 thresholds, Gatling assertions) and whether it held."""

    metric: str = Field(min_length=1, max_length=256)
    """Metric it is about, e.g. http_req_duration."""
    expression: str = Field(min_length=1, max_length=512)
    """The condition as written, e.g. p(95)<500."""
    ok: bool
    """True when the threshold held."""


class LoadTest(_Data):
    """What a `load` item holds in `data`."""

    duration_ms: int = _Count
    """Wall time of the test in milliseconds (first request start to last response end, or as the tool states)."""
    vus_max: int | None = Field(default=None, ge=0)
    """Peak number of concurrent virtual users / threads, when known."""
    totals: Traffic
    """The whole test."""
    endpoints: list[Endpoint]
    """Per endpoint, sorted by name then method."""
    checks: list[Check]
    """Tool-native checks (empty when the tool has none)."""
    thresholds: list[Threshold]
    """Tool-native thresholds (empty when none were defined)."""
    percentiles: Literal["exact", "histogram", "tool"]
    """How percentiles were obtained: exact, from a histogram (under 0.1 % error, see load/stats.py), or the tool's."""


KIND = EvidenceKind(
    name="load",
    version=1,
    model=LoadTest,
    schema_file="evidence/load.v1.schema.json",
    description="load test results: duration, users, totals, latency percentiles overall and per endpoint",
)
