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

More than `MAX_ENDPOINTS` distinct endpoints means unnamed dynamic URLs: the file is refused with a
hint to tag requests with `name`, rather than holding an unbounded number of histograms.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, ClassVar

import msgspec

from evaluator.collectors import progress
from evaluator.collectors.interface import Collected, Collector
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
