"""k6's `--out json=FILE` metric stream (NDJSON, plain or gzip) into a `load` evidence item.

Each line is a record: {"type": "Metric", "metric": NAME, "data": {type, contains, thresholds, …}}
declaring a metric, or {"type": "Point", "metric": NAME, "data": {time, value, tags}} carrying one
sample. The file is streamed line by line (gzip decompressed on the fly), so memory stays bounded
whatever its size: per endpoint only counts and a `LatencyHistogram` are kept.

- Requests and latencies come from the raw `http_req_duration` samples, per endpoint keyed by the
  `name` tag (else `url`) and the `method` tag; percentiles are the histogram's ("histogram": the nearest-rank sample
  value kept to 3 significant digits, so under 1 % below it; k6's own summary interpolates between samples).
- Failed requests are the `http_req_failed` samples with value 1; a stream without any (k6 before
  v0.31) counts a request failed when its `status` tag is 0 (no response) or 400 and above.
- Checks come from the `checks` samples (1 = passed), named by their group path like the summaries.
- vus_max is the largest `vus` sample; the observed window runs from the earliest to the latest
  sample time, and the duration is that window.
- Threshold outcomes are not in the stream (only their expressions are), so none are reported.
- The stream does not name the k6 version.

DuckDB reads the stream first (`sql.py`), in two aggregating scans (everything per metric, endpoint, status
and check; then request durations per endpoint and `stats.bucket`), and the collector builds the same
histograms from them; a stream DuckDB refuses, or whose values break a rule above, is read again line by line
by the collector's own reader, which names the offending line.

More than `MAX_ENDPOINTS` distinct endpoints means unnamed dynamic URLs: the file is refused with a
hint to tag requests with `name`, rather than holding an unbounded number of histograms.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, ClassVar

import msgspec

from evaluator.collectors import progress
from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load import sql
from evaluator.collectors.load.k6_common import TOOL, cut, gunzip_head, head_text, is_ndjson_head, json_error, number
from evaluator.collectors.load.stats import LatencyHistogram, error_rate_bp, ms_to_us, throughput_mrps
from evaluator.errors import InputError
from evaluator.evidence.load import Check, Endpoint, Latency, LoadTest, Traffic

MAX_ENDPOINTS = 10_000
"""Distinct (name, method) pairs kept; more means untagged dynamic URLs."""
_WHAT = "a k6 --out json metric stream"
_DECODER = msgspec.json.Decoder()
_MILLISECOND = timedelta(milliseconds=1)


@dataclass
class _EndpointStats:
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    failed_samples: int = 0
    status_failures: int = 0


@dataclass
class _CheckCounts:
    passes: int = 0
    fails: int = 0


class K6JsonCollector(Collector):
    """k6 `--out json` NDJSON metric streams, plain or gzip-compressed, read in one streaming pass."""

    format: ClassVar[str] = "k6-json"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "k6 raw metric stream written by `k6 run --out json=FILE` (NDJSON, optionally .gz)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the (decompressed) first line is a k6 Metric or Point record."""
        unzipped = gunzip_head(head)
        return is_ndjson_head(head_text(head if unzipped is None else unzipped))

    def collect(self, path: Path) -> Collected:
        """Stream the records of `path`; InputError naming the line when one is malformed."""
        fast = _duckdb_stream(path)
        if fast is not None:
            return fast.result()
        stream = _Stream(path)
        try:
            with open(path, "rb") as raw, progress.reading(path, raw):
                compressed = raw.read(2) == b"\x1f\x8b"
                raw.seek(0)
                if compressed:
                    with gzip.GzipFile(fileobj=raw, mode="rb") as text:
                        stream.read(text)
                else:
                    stream.read(raw)
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, f"is a directory, expected {_WHAT}") from None
        except EOFError:
            raise InputError(
                path, f"the gzip stream ends early (truncated file?) after line {stream.line_number}"
            ) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise InputError(path, f"corrupt gzip data after line {stream.line_number}: {exc}") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        return stream.result()


class _Stream:
    """The running aggregates of one k6 metric stream."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_number = 0
        self.records = 0
        self.endpoints: dict[tuple[str, str | None], _EndpointStats] = {}
        self.checks: dict[str, _CheckCounts] = {}
        self.saw_failed_metric = False
        self.vus_max: int | None = None
        self.first: datetime | None = None
        self.last: datetime | None = None
        self._last_time_text = ""
        self._last_time: datetime | None = None

    def read(self, handle: IO[bytes]) -> None:
        """Consume every line of `handle`."""
        for line in handle:
            self.line_number += 1
            if line.strip():
                self._record(self._decode(line))
        if not self.records:
            raise InputError(self.path, f"file is empty, expected {_WHAT}")

    def _decode(self, line: bytes) -> dict[str, Any]:
        try:
            record = _DECODER.decode(line)
        except msgspec.DecodeError:
            text = line.decode("utf-8", errors="replace")
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                raise json_error(self.path, exc, text, self.line_number) from None
            raise InputError(self.path, "malformed JSON line", self.line_number) from None
        if not isinstance(record, dict) or not isinstance(record.get("metric"), str):
            raise InputError(self.path, f"not {_WHAT}: the line is not a k6 record with a metric", self.line_number)
        return record

    def _record(self, record: dict[str, Any]) -> None:
        self.records += 1
        if record.get("type") != "Point":
            return
        data = record.get("data")
        if not isinstance(data, dict):
            raise self._bad("a Point without a data object")
        value = number(data.get("value"))
        if value is None:
            raise self._bad(f"the {record['metric']} sample's value is {data.get('value')!r}, expected a number")
        self._time(data.get("time"))
        tags = data.get("tags") or {}
        if not isinstance(tags, dict):
            raise self._bad("the sample's tags are not an object")
        metric = record["metric"]
        if metric == "http_req_duration":
            if value < 0:
                raise self._bad(f"negative request duration {value}")
            stats = self._endpoint(tags)
            stats.latency.add(ms_to_us(value))
            status = str(tags.get("status", ""))
            if status.isdigit() and (int(status) == 0 or int(status) >= 400):
                stats.status_failures += 1
        elif metric == "http_req_failed":
            self.saw_failed_metric = True
            if value:
                self._endpoint(tags).failed_samples += 1
        elif metric == "checks":
            name = str(tags.get("check") or "(unnamed check)")
            group = str(tags.get("group") or "")
            counts = self.checks.setdefault(f"{group[2:]}::{name}" if group.startswith("::") else name, _CheckCounts())
            if value:
                counts.passes += 1
            else:
                counts.fails += 1
        elif metric == "vus":
            self.vus_max = max(self.vus_max or 0, int(value))

    def _endpoint(self, tags: dict[str, Any]) -> _EndpointStats:
        name = tags.get("name") or tags.get("url") or "(unnamed request)"
        method = tags.get("method") or None
        key = (cut(str(name)), cut(str(method), 16) if method else None)
        stats = self.endpoints.get(key)
        if stats is None:
            if len(self.endpoints) >= MAX_ENDPOINTS:
                raise InputError(
                    self.path,
                    f"more than {MAX_ENDPOINTS} distinct request names: tag requests with `name` so that "
                    "dynamic URLs group into endpoints (k6 docs: URL grouping)",
                    self.line_number,
                )
            stats = self.endpoints[key] = _EndpointStats()
        return stats

    def _time(self, text: object) -> None:
        if text == self._last_time_text:
            return
        if not isinstance(text, str):
            raise self._bad(f"the sample's time is {text!r}, expected an RFC 3339 timestamp")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self._bad(f"the sample's time {text!r} is not an RFC 3339 timestamp") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        self._last_time_text, self._last_time = text, moment
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment

    def _bad(self, reason: str) -> InputError:
        return InputError(self.path, f"malformed k6 record: {reason}", self.line_number)

    def result(self) -> Collected:
        """The item content of everything read."""
        duration_ms = 0
        if self.first is not None and self.last is not None:
            duration_ms = (self.last - self.first) // _MILLISECOND
        total = LatencyHistogram()
        endpoints = []
        requests = failures = 0
        for (name, method), stats in sorted(self.endpoints.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            failed = stats.failed_samples if self.saw_failed_metric else stats.status_failures
            count = stats.latency.count
            if not count and not failed:
                continue
            if failed > count:
                raise InputError(
                    self.path, f"endpoint {name!r}: {failed} failed samples but only {count} request durations"
                )
            total.merge(stats.latency)
            requests += count
            failures += failed
            endpoints.append(Endpoint(name=name, method=method, **_traffic(stats.latency, failed, duration_ms)))
        data = LoadTest(
            duration_ms=duration_ms,
            vus_max=self.vus_max,
            totals=Traffic(**_traffic(total, failures, duration_ms)),
            endpoints=endpoints,
            checks=[Check(name=cut(n), passes=c.passes, fails=c.fails) for n, c in sorted(self.checks.items())],
            thresholds=[],
            percentiles="histogram",
        )
        return Collected(data=data, tool=TOOL, observed_start=self.first, observed_end=self.last)


def _traffic(latency: LatencyHistogram, failures: int, duration_ms: int) -> dict[str, Any]:
    requests = latency.count
    return {
        "requests": requests,
        "failures": failures,
        "error_rate_bp": error_rate_bp(failures, requests),
        "throughput_mrps": throughput_mrps(requests, duration_ms) if requests else None,
        "latency_us": Latency(**latency.summary()),
    }


_SCALE_SQL = " ".join(
    ["CASE"] + [f"WHEN us < {10 ** (digits + 1)} THEN {10 ** (digits - 3)}" for digits in range(4, 18)] + ["END"]
)
_BUCKET_SQL = f"CASE WHEN us < 10000 THEN greatest(us, 0) ELSE us // ({_SCALE_SQL}) * ({_SCALE_SQL}) END"
"""stats.bucket() in SQL: exact below 10 ms, else four significant digits (checked against it in the tests)."""
_RECORDS = f"""
    WITH records AS (
        SELECT type = 'Point' AS point, metric, TRY_CAST(data.value AS DOUBLE) AS v, json_type(data.value) AS vt,
               try_cast(data.time AS TIMESTAMPTZ) AS ts, data.time AS t, data.tags AS tags,
               TRY_CAST(floor(TRY_CAST(data.value AS DOUBLE) * 1000 + 0.5) AS BIGINT) AS us,
               metric IN ('http_req_duration', 'http_req_failed') AS request
        FROM read_json($path, format = 'newline_delimited', compression = $compression,
                       maximum_object_size = 1048576,
                       columns = {{'type': 'VARCHAR', 'metric': 'VARCHAR', 'data': 'STRUCT("time" VARCHAR, value JSON,
                                  tags STRUCT(name VARCHAR, url VARCHAR, method VARCHAR, status VARCHAR,
                                              "check" VARCHAR, "group" VARCHAR))'}})
    ), keyed AS (
        SELECT *,
               CASE WHEN request THEN coalesce(nullif(tags.name, ''), nullif(tags.url, '')) END AS name,
               CASE WHEN request THEN nullif(tags.method, '') END AS method,
               CASE WHEN point AND metric = 'http_req_duration' THEN hash(
                   coalesce(nullif(tags.name, ''), nullif(tags.url, '')), nullif(tags.method, '')) END AS endpoint,
               CASE WHEN point AND metric = 'http_req_duration' THEN {_BUCKET_SQL} END AS bucket
        FROM records
    )
"""
_QUERY = (
    _RECORDS
    + """
    SELECT point, metric, endpoint, name, method,
           CASE WHEN metric = 'http_req_duration' THEN tags.status END AS status,
           CASE WHEN metric = 'checks' THEN tags."check" END AS check_name,
           CASE WHEN metric = 'checks' THEN tags."group" END AS check_group,
           count(*), sum(us), min(us), max(us), count_if(v <> 0), max(v), min(epoch_us(ts)), max(epoch_us(ts)),
           count_if(point AND (vt NOT IN ('UBIGINT', 'BIGINT', 'DOUBLE') OR v IS NULL OR NOT isfinite(v)
                               OR t IS NULL OR ts IS NULL
                               OR (metric = 'http_req_duration' AND v < 0))),
           count_if(metric IS NULL)
    FROM keyed
    GROUP BY ALL
"""
)
"""Everything but the latency buckets: one row per metric, endpoint, status, check."""
_BUCKETS_QUERY = _RECORDS + "SELECT endpoint, bucket, count(*) FROM keyed WHERE bucket IS NOT NULL GROUP BY ALL"
"""Request durations per endpoint and latency bucket (a separate scan: its groups are many, its rows narrow)."""
_BUCKETS_MEMORY = "160MB"
"""Hundreds of thousands of (endpoint, bucket) groups next to the JSON reader's buffers need a little more."""


def _duckdb_stream(path: Path) -> _Stream | None:
    """The stream's aggregates by DuckDB (see sql.py); None when DuckDB or a value check rejects the file."""
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
    except OSError:
        return None  # the streaming reader reports it
    stream = _Stream(path)
    state = {"valid": True}

    buckets: dict[int, Counter[int]] = {}
    names: dict[int, _EndpointStats] = {}

    def consume(rows: list[tuple[Any, ...]]) -> None:
        for (point, metric, endpoint, name, method, status, check, group, times, total, low, high, nonzero, peak,
             first, last, bad, unnamed) in rows:  # fmt: skip
            stream.records += times
            if bad or unnamed:
                state["valid"] = False
                return
            if not point:
                continue
            if first is not None:
                _widen(stream, first, last)
            if metric == "http_req_duration":
                stats = _endpoint_of(stream, name, method)
                if stats is None or names.setdefault(endpoint, stats) is not stats:
                    state["valid"] = False  # past MAX_ENDPOINTS, or two endpoints with one hash
                    return
                stats.latency.add_totals(times, total, low, high)
                if status is not None and status.isdigit() and (int(status) == 0 or int(status) >= 400):
                    stats.status_failures += times
            elif metric == "http_req_failed":
                stream.saw_failed_metric = True
                if nonzero:
                    stats = _endpoint_of(stream, name, method)
                    if stats is None:
                        state["valid"] = False
                        return
                    stats.failed_samples += nonzero
            elif metric == "checks":
                label = check or "(unnamed check)"
                key = f"{group[2:]}::{label}" if group and group.startswith("::") else label
                counts = stream.checks.setdefault(key, _CheckCounts())
                counts.passes += nonzero
                counts.fails += times - nonzero
            elif metric == "vus":
                stream.vus_max = max(stream.vus_max or 0, int(peak))

    parameters = {"compression": "gzip" if compressed else "none"}

    def consume_buckets(rows: list[tuple[Any, ...]]) -> None:
        for endpoint, bucket_us, times in rows:
            buckets.setdefault(endpoint, Counter())[bucket_us] += times

    if not sql.scan(path, _QUERY, parameters, consume) or not state["valid"] or not stream.records:
        return None
    if names and not sql.scan(path, _BUCKETS_QUERY, parameters, consume_buckets, _BUCKETS_MEMORY):
        return None
    if set(buckets) != set(names):
        return None
    for endpoint, counts in buckets.items():
        stats = names.get(endpoint)
        if stats is None or not stats.latency.set_buckets(counts):
            return None
    return stream


def _endpoint_of(stream: _Stream, name: str | None, method: str | None) -> _EndpointStats | None:
    """The stream's stats of an endpoint, as _Stream._endpoint keys it; None past MAX_ENDPOINTS."""
    key = (cut(name or "(unnamed request)"), cut(method, 16) if method else None)
    stats = stream.endpoints.get(key)
    if stats is None:
        if len(stream.endpoints) >= MAX_ENDPOINTS:
            return None
        stats = stream.endpoints[key] = _EndpointStats()
    return stats


def _widen(stream: _Stream, first_us: int, last_us: int) -> None:
    first = _EPOCH + timedelta(microseconds=first_us)
    last = _EPOCH + timedelta(microseconds=last_us)
    stream.first = first if stream.first is None else min(stream.first, first)
    stream.last = last if stream.last is None else max(stream.last, last)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
