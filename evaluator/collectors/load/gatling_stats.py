"""Gatling's HTML-report statistics (`js/stats.json`, `js/global_stats.json`) into a `load` evidence item.

Read:

- `js/stats.json` (Gatling 2.x and 3.x): a tree whose root is `{"type": "GROUP", "name", "path", "stats",
  "contents"}`; `contents` maps ids to REQUEST nodes (`{"type": "REQUEST", "name", "path", "stats"}`) and to
  nested GROUP nodes. Totals come from the root's `stats`, one endpoint from each REQUEST node at any depth,
  named by its `path` ("Group / Request" inside groups, the request name at the top level).
- `js/global_stats.json` (2.x, 3.x, 3.10+ with `htmlName`): the root's `stats` only, so no endpoints.

Each statistic is `{"total", "ok", "ko"}`; only `total` is read (failures are `numberOfRequests.ko`). Values
are numbers or numeric strings; "-" and -1 (2.x) mean "none", as does 0 for a statistic of a node without
requests (3.x writes its "no value" marker as 0 in these files). Response times are milliseconds, turned into
integer microseconds; throughput is `meanNumberOfRequestsPerSecond`, times 1000.

Which percentile `percentilesN` holds is set by gatling.conf (`charting.indicators.percentile1..4`) and is not
written into these files. The collector decides, in order:

1. from a `name` inside the `percentilesN` object ("95th percentile", "p99", "99.9th pct") when present;
2. otherwise from Gatling's defaults, recognised by which keys the file has: `percentiles1..4` is Gatling
   2.1+ / 3.x, whose defaults are 50, 75, 95, 99; `percentiles1..2` alone is Gatling 2.0, whose defaults are
   95, 99. A run with a customised gatling.conf cannot be told apart from these files alone: its percentiles
   are reported under the default labels;
3. any other set of keys: the percentiles are left out.

Only 50, 90, 95 and 99 have a place in the evidence; other percentiles (75 by default) are dropped.

The files carry no timestamps, no user counts and no version: the observed window, `vus_max` and the tool
version are left unknown, and the duration is derived as requests / mean requests per second (Gatling
computes that rate over the run's duration; the rate is rounded to 3 decimals in 3.x files, so the derived
duration is approximate).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.stats import error_rate_bp
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic

DEFAULT_PERCENTILES: dict[frozenset[str], dict[str, float]] = {
    frozenset({"percentiles1", "percentiles2", "percentiles3", "percentiles4"}): {
        "percentiles1": 50,
        "percentiles2": 75,
        "percentiles3": 95,
        "percentiles4": 99,
    },
    frozenset({"percentiles1", "percentiles2"}): {"percentiles1": 95, "percentiles2": 99},
}
"""gatling.conf's default `charting.indicators.percentileN`, keyed by the percentile keys each version writes."""

_LATENCY_FIELDS: dict[float, str] = {50: "p50", 90: "p90", 95: "p95", 99: "p99"}
_PERCENTILE_KEY = re.compile(r"^percentiles\d+$")
_PERCENTILE_NAME = re.compile(r"(?:^|\b)p?(\d{1,2}(?:\.\d+)?)(?:st|nd|rd|th)?\s*(?:percentile|pct|%|$)", re.I)
_STATS_KEYS = (b'"numberOfRequests"', b'"minResponseTime"', b'"meanResponseTime"')
_MAX_VALUE = Decimal(10**15)
"""Larger statistics (32 000 years in ms) are garbage, read as none."""
_MAX_DEPTH = 64
"""Deeper group nesting than this is not a Gatling report."""


class GatlingStatsCollector(Collector):
    """Gatling HTML-report statistics: js/stats.json (request tree) and js/global_stats.json (totals)."""

    format: ClassVar[str] = "gatling-stats"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = (
        "Gatling 2.x/3.x HTML report statistics: js/stats.json (per request) or js/global_stats.json (totals)"
    )

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` is a JSON object with Gatling's statistic names near its start."""
        text = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
        if not text.lstrip().startswith(b"{"):
            return False
        window = text[:8192]
        return all(key in window for key in _STATS_KEYS)

    def collect(self, path: Path) -> Collected:
        """Read the statistics at `path`; InputError when it is not well-formed Gatling statistics JSON."""
        document = _load_json(path)
        if not isinstance(document, dict):
            raise InputError(path, "not Gatling statistics: the JSON is not an object")
        if "stats" in document and "type" in document:
            root_stats = document["stats"]
            endpoints = [_endpoint(path, name, stats) for name, stats in _requests(path, document)]
        elif "numberOfRequests" in document:
            root_stats = document
            endpoints = []
        else:
            raise InputError(
                path, "not Gatling statistics: expected js/stats.json (a GROUP tree) or js/global_stats.json"
            )
        totals = _traffic(path, "the root", root_stats)
        rps = _number(_total(root_stats, "meanNumberOfRequestsPerSecond"))
        duration_ms = 0
        if rps is not None and rps > 0 and totals.requests:
            duration_ms = _round(Decimal(totals.requests) * 1000 / rps)
        endpoints.sort(key=lambda e: (e.name, e.method or ""))
        data = LoadTest(
            duration_ms=duration_ms,
            totals=totals,
            endpoints=endpoints,
            checks=[],
            thresholds=[],
            percentiles="tool",
        )
        return Collected(data=data, tool="gatling")


def _load_json(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected Gatling's js/stats.json or js/global_stats.json") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(path, "file is empty, expected Gatling statistics JSON")
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        reason = exc.msg
        if exc.pos >= len(text.rstrip()):
            reason += " (the file ends early: truncated?)"
        raise InputError(path, f"malformed JSON: {reason}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(path, "malformed JSON: nested too deeply") from None


def _requests(path: Path, node: dict[str, Any], depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(endpoint name, stats) for every REQUEST node under `node`, groups included, in file order."""
    if depth > _MAX_DEPTH:
        raise InputError(path, f"not Gatling statistics: groups nested deeper than {_MAX_DEPTH}")
    contents = node.get("contents") or {}
    if not isinstance(contents, dict):
        raise InputError(path, f"not Gatling statistics: `contents` of {node.get('name')!r} is not an object")
    for key, child in contents.items():
        if not isinstance(child, dict):
            raise InputError(path, f"not Gatling statistics: entry {key!r} is not an object")
        kind = child.get("type")
        if kind == "REQUEST":
            name = child.get("path") or child.get("name")
            if not isinstance(name, str) or not name.strip():
                raise InputError(path, f"request entry {key!r} has no name")
            yield name[:512], child.get("stats")
        elif kind == "GROUP":
            yield from _requests(path, child, depth + 1)
        else:
            raise InputError(path, f"not Gatling statistics: entry {key!r} has type {kind!r}, expected REQUEST/GROUP")


def _endpoint(path: Path, name: str, stats: Any) -> Endpoint:
    traffic = _traffic(path, f"request {name!r}", stats)
    return Endpoint(name=name, **traffic.model_dump())


def _traffic(path: Path, where: str, stats: Any) -> Traffic:
    if not isinstance(stats, dict) or not isinstance(stats.get("numberOfRequests"), dict):
        raise InputError(path, f"not Gatling statistics: {where} has no numberOfRequests")
    requests = _count(path, where, "total", _total(stats, "numberOfRequests"))
    failures = _count(path, where, "ko", stats["numberOfRequests"].get("ko"))
    if failures > requests:
        raise InputError(path, f"{where}: {failures} failed requests out of {requests}")
    rps = _number(_total(stats, "meanNumberOfRequestsPerSecond"))
    return Traffic(
        requests=requests,
        failures=failures,
        error_rate_bp=error_rate_bp(failures, requests),
        throughput_mrps=_round(rps * 1000) if rps is not None else None,
        latency_us=_latency(stats) if requests else Latency(),
    )


def _latency(stats: dict[str, Any]) -> Latency:
    values: dict[str, int | None] = {
        "min": _us(_total(stats, "minResponseTime")),
        "mean": _us(_total(stats, "meanResponseTime")),
        "max": _us(_total(stats, "maxResponseTime")),
    }
    for key, percentile in _percentile_labels(stats).items():
        field = _LATENCY_FIELDS.get(percentile)
        if field is not None:
            values[field] = _us(_total(stats, key))
    return Latency(**values)


def _percentile_labels(stats: dict[str, Any]) -> dict[str, float]:
    """Which percentile each `percentilesN` key holds: named in the file, else the defaults; {} when unknowable."""
    keys = {key for key in stats if _PERCENTILE_KEY.match(key)}
    named: dict[str, float] = {}
    for key in keys:
        label = stats[key].get("name") if isinstance(stats[key], dict) else None
        match = _PERCENTILE_NAME.search(label) if isinstance(label, str) else None
        if match:
            named[key] = float(match.group(1))
    if named:
        return named
    return dict(DEFAULT_PERCENTILES.get(frozenset(keys), {}))


def _total(stats: dict[str, Any], key: str) -> Any:
    entry = stats.get(key)
    return entry.get("total") if isinstance(entry, dict) else None


def _number(value: Any) -> Decimal | None:
    """A statistic as a Decimal; None for Gatling's "no value" markers ("-", -1, absent) and non-numbers."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and 0 <= number <= _MAX_VALUE else None


def _count(path: Path, where: str, field: str, value: Any) -> int:
    if value in (-1, "-"):
        return 0
    number = _number(value)
    if number is None or number != number.to_integral_value():
        raise InputError(path, f"{where}: numberOfRequests.{field} is {value!r}, expected a count")
    return int(number)


def _us(value: Any) -> int | None:
    number = _number(value)
    return _round(number * 1000) if number is not None else None


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
