"""The `statistics.json` of JMeter's HTML dashboard (`jmeter -g results.jtl -o report/`) into a `load` item.

The file maps each transaction (label) to its statistics, plus a "Total" entry: sampleCount, errorCount,
errorPct (0-100), meanResTime, minResTime, maxResTime, medianResTime, pct1ResTime / pct2ResTime /
pct3ResTime, throughput (requests per second), receivedKBytesPerSec, sentKBytesPerSec. Times are
milliseconds, possibly fractional (JMeter interpolates percentiles).

Mapping:

- pct1 / pct2 / pct3 are read as p90 / p95 / p99: JMeter's defaults
  (`aggregate_rpt_pct1=90`, `aggregate_rpt_pct2=95`, `aggregate_rpt_pct3=99`). A dashboard generated with
  other percentiles cannot be told apart from its statistics.json; the item would then be wrong;
- percentiles are the tool's (`percentiles: "tool"`); failures are errorCount, the error rate is computed
  from the counts (not from the rounded errorPct);
- the duration is not in the file: it is derived from the "Total" entry as sampleCount / throughput
  (JMeter computes throughput over the run's window), rounded to the millisecond; peak users and the
  observed window are unknown. Throughput is JMeter's, in milli-requests per second;
- the totals are the "Total" entry (which leaves out transaction controllers, as JMeter decides);
  every other entry is an endpoint.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.stats import error_rate_bp, ms_to_us
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic

TOTAL = "Total"
_MAX_BYTES = 256 * 1024 * 1024
_STAT_KEYS = ("sampleCount", "errorCount", "meanResTime", "minResTime", "maxResTime", "medianResTime")
_DETECT = re.compile(r'^\s*\{\s*"[^"]*"\s*:\s*\{\s*"transaction"\s*:')
_METHOD = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)\s")


class JMeterDashboardCollector(Collector):
    """JMeter HTML dashboard statistics.json (per transaction and Total)."""

    format: ClassVar[str] = "jmeter-dashboard"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "JMeter HTML dashboard statistics.json (jmeter -e -o / -g … -o)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file opens like statistics.json and names JMeter's statistics keys."""
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        return _DETECT.match(text) is not None and '"sampleCount"' in text and '"pct1ResTime"' in text

    def collect(self, path: Path) -> Collected:
        """Read the statistics at `path`; InputError when it is not a JMeter dashboard statistics.json."""
        try:
            if path.stat().st_size > _MAX_BYTES:
                raise InputError(path, "larger than 256 MiB: not a dashboard statistics.json")
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a JMeter dashboard statistics.json") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        if not text.strip():
            raise InputError(path, "file is empty, expected a JMeter dashboard statistics.json")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
        expected = "expected JMeter's statistics.json (an object of transactions with sampleCount, pct1ResTime …)"
        if not isinstance(document, dict) or TOTAL not in document:
            raise InputError(path, f"not a JMeter dashboard statistics.json: no {TOTAL!r} entry; {expected}")
        total = _entry(path, TOTAL, document[TOTAL])
        endpoints = [_endpoint(path, name, entry) for name, entry in document.items() if name != TOTAL]
        endpoints.sort(key=lambda e: (e.name, e.method or ""))
        requests, throughput = _number(total, "sampleCount"), _number(total, "throughput")
        duration = math.floor(requests / throughput * 1000 + 0.5) if throughput > 0 else 0
        data = LoadTest(
            duration_ms=duration,
            totals=_traffic(total),
            endpoints=endpoints,
            checks=[],
            thresholds=[],
            percentiles="tool",
        )
        return Collected(data=data, tool="jmeter")


def _entry(path: Path, name: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise InputError(path, f"not a JMeter dashboard statistics.json: entry {name!r} is not an object")
    for key in (*_STAT_KEYS, "throughput"):
        value = entry.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise InputError(path, f"not a JMeter dashboard statistics.json: entry {name!r} has no valid {key!r}")
    return entry


def _number(entry: dict[str, Any], key: str) -> float:
    return float(entry[key])


def _traffic(entry: dict[str, Any]) -> Traffic:
    requests, failures = int(entry["sampleCount"]), int(entry["errorCount"])
    return Traffic(
        requests=requests,
        failures=failures,
        error_rate_bp=error_rate_bp(failures, requests),
        throughput_mrps=math.floor(_number(entry, "throughput") * 1000 + 0.5),
        latency_us=_latency(entry),
    )


def _latency(entry: dict[str, Any]) -> Latency:
    fields = {"min": "minResTime", "mean": "meanResTime", "p50": "medianResTime", "max": "maxResTime"}
    fields |= {"p90": "pct1ResTime", "p95": "pct2ResTime", "p99": "pct3ResTime"}
    values: dict[str, int] = {}
    for name, key in fields.items():
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
            values[name] = ms_to_us(value)
    return Latency(**values)


def _endpoint(path: Path, name: str, entry: Any) -> Endpoint:
    entry = _entry(path, name, entry)
    label = str(entry.get("transaction") or name)
    match = _METHOD.match(label)
    traffic = _traffic(entry)
    return Endpoint(name=label[:512] or "(empty label)", method=match.group(1) if match else None, **dict(traffic))
