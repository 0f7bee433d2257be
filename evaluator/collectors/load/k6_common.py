"""Shared k6 reading: located JSON errors, content detection, and k6 summary metrics into a `load` item.

The three k6 summary files (`--summary-export`, handleSummary's `data`, the v2 machine-readable
summary) hold the same aggregates in different shapes; each collector turns its shape into
`SummaryMetric` values and `summary_load` builds the item from them, so the counting rules live here:

- requests are `http_reqs`' count; failures are `http_req_failed`'s `passes` (the metric is a rate of
  failed requests, so a "pass" of it is a failed request); a summary that counts requests but has no
  `http_req_failed` (k6 before v0.31) is refused, since its failures are unknown;
- latencies are `http_req_duration`'s stats (k6's own, linear-interpolated percentiles); a run with no
  request has no latency at all (k6 writes zeros for an empty trend, which are not measurements);
- endpoints exist only when the script declared submetrics tagged by `name` (or `url`) and optionally
  `method`, e.g. thresholds on `http_req_duration{name:GET /items}`: an endpoint is reported when both
  its request count (`http_reqs{…}`, `http_req_failed{…}` or a trend `count`) and its failures
  (`http_req_failed{…}`) are known; otherwise the file says nothing reliable about it and it is left out;
- a threshold is (metric as written, expression, held); checks are named by their group path
  (`group::check`, the root group's checks by name alone).
"""

from __future__ import annotations

import codecs
import json
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluator.collectors.load.stats import error_rate_bp, ms_to_us, throughput_mrps
from evaluator.errors import InputError
from evaluator.evidence.load import Check, Endpoint, Latency, LoadTest, Threshold, Traffic

TOOL = "k6"
MAX_NAME = 512
"""Longest endpoint or check name kept (the schema's bound); longer names are cut."""
MAX_SUMMARY_BYTES = 256 * 1024 * 1024
"""A k6 summary is a few kilobytes to a few megabytes; anything larger is not one."""

_K6_NAMES = re.compile(
    r'"(?:root_group|http_reqs|http_req_duration|http_req_failed|iteration_duration|iterations|vus_max|'
    r'data_sent|data_received)["{]'
)
_V2_METRICS = re.compile(r'"metrics"\s*:\s*\[')
_V2_RESULTS = re.compile(r'"results"\s*:\s*\{')
_HANDLE_VALUES = re.compile(r'"values"\s*:\s*\{')
_NDJSON_START = re.compile(r'\A\{\s*"(?:type|metric|data)"\s*:')
_ENDPOINT_TAGS = frozenset({"name", "url", "method"})
_COUNTERS_FOR_DURATION = ("http_reqs", "iterations", "data_sent", "data_received")


# ---- detection ------------------------------------------------------------------------------------


def head_text(head: bytes) -> str:
    """The head as text without BOM and leading whitespace; a multi-byte character cut at the end is dropped."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("utf-8", errors="ignore").lstrip()


def gunzip_head(head: bytes) -> bytes | None:
    """The decompressed start of a gzip head (as much as the head holds); None when it is not gzip."""
    if not head.startswith(b"\x1f\x8b"):
        return None
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(head) * 64 + 65536)
    except zlib.error:
        return None


def is_ndjson_head(text: str) -> bool:
    """True when the first line is a k6 `--out json` record ({"type": "Metric"|"Point", "metric": …})."""
    first = text.split("\n", 1)[0].strip()
    if "\n" not in text and len(first) > 4096:
        return _NDJSON_START.match(first) is not None and '"metric"' in first
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return (
        isinstance(record, dict)
        and record.get("type") in ("Metric", "Point")
        and isinstance(record.get("metric"), str)
        and isinstance(record.get("data"), dict)
    )


def summary_shape(head: bytes) -> str | None:
    """Which k6 summary the head starts: "export", "handle", "v2"; None when it is no k6 summary."""
    text = head_text(head)
    if not text.startswith("{") or not _K6_NAMES.search(text) or is_ndjson_head(text):
        return None
    if _V2_METRICS.search(text) or (_V2_RESULTS.search(text) and '"metadata"' in text):
        return "v2"
    if _HANDLE_VALUES.search(text) or '"testRunDurationMs"' in text or '"summaryTrendStats"' in text:
        return "handle"
    return "export"


# ---- reading --------------------------------------------------------------------------------------


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in `path`; InputError (with line and column when malformed) otherwise."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SUMMARY_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, expected {what}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_SUMMARY_BYTES:
        raise InputError(path, f"larger than {MAX_SUMMARY_BYTES // (1024 * 1024)} MiB: not {what}")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}): not {what}") from None
    if not text.strip():
        raise InputError(path, f"file is empty, expected {what}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise json_error(path, exc, text) from None
    if not isinstance(document, dict):
        raise InputError(path, f"not {what}: the top level is a JSON {json_type(document)}, expected an object")
    return document


def json_error(path: Path, exc: json.JSONDecodeError, text: str, line: int | None = None) -> InputError:
    """One located error for malformed JSON; `line` overrides the line for a document that is one line of a file."""
    reason = exc.msg
    if not text[exc.pos :].strip():
        reason += " (the file ends before the JSON does: truncated?)"
    return InputError(path, f"malformed JSON: {reason}", line if line is not None else exc.lineno, exc.colno)


def json_type(value: object) -> str:
    """JSON's name for the type of `value`."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def number(value: object) -> float | None:
    """`value` as a finite float, None when it is not a JSON number (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    as_float = float(value)
    return as_float if math.isfinite(as_float) else None


def cut(text: str, limit: int = MAX_NAME) -> str:
    """`text` cut to `limit` characters."""
    return text[:limit]


# ---- summaries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryMetric:
    """One metric or submetric of a k6 summary, whatever the file's shape."""

    key: str
    """As written, e.g. `http_req_duration{name:GET /items}`."""
    name: str
    """The metric, e.g. `http_req_duration`."""
    tags: dict[str, str]
    """The submetric's tag selector ({} for the metric itself)."""
    values: dict[str, Any]
    """Aggregates: count, rate, avg, min, med, max, p(N), passes, fails, value."""
    thresholds: list[tuple[str, bool]] = field(default_factory=list)
    """(expression, held) per threshold on this metric."""


def split_metric_key(key: str) -> tuple[str, dict[str, str]]:
    """`http_req_duration{name:GET /a,method:GET}` as ("http_req_duration", {"name": "GET /a", "method": "GET"})."""
    if not key.endswith("}") or "{" not in key:
        return key, {}
    name, _, selector = key[:-1].partition("{")
    tags: dict[str, str] = {}
    for part in selector.split(","):
        tag, sep, value = part.partition(":")
        if not sep:
            return name, {"": selector}  # not a tag list we understand: never an endpoint
        tags[tag.strip()] = value.strip()
    return name, tags


def check_name(name: str, path: str | None) -> str:
    """A check's name qualified by its group path, as `group::sub::check` (root checks by name alone)."""
    if isinstance(path, str) and path.startswith("::") and path.endswith(name):
        return path[2:]
    return name


def walk_group_checks(group: object, path: Path) -> Iterator[Check]:
    """Every check of a k6 `root_group` and its subgroups (objects keyed by name, or arrays)."""
    if not isinstance(group, dict):
        return
    checks = group.get("checks") or {}
    for check in checks.values() if isinstance(checks, dict) else checks:
        yield check_from(check, path)
    groups = group.get("groups") or {}
    for sub in groups.values() if isinstance(groups, dict) else groups:
        yield from walk_group_checks(sub, path)


def check_from(check: object, path: Path) -> Check:
    """One check object ({name, path, passes, fails}) as a Check; InputError when it lacks them."""
    if not isinstance(check, dict) or not isinstance(check.get("name"), str):
        raise InputError(path, f"a check is not an object with a name: {json.dumps(check)[:120]}")
    name = check["name"]
    counts = [check.get("passes"), check.get("fails")]
    if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
        raise InputError(path, f"check {name!r}: passes and fails must be counts, got {counts}")
    qualified = check_name(name, check.get("path")) or "(unnamed check)"
    return Check(name=cut(qualified), passes=counts[0], fails=counts[1])


def sorted_checks(checks: list[Check]) -> list[Check]:
    """Checks in a stable order (k6 writes JSON objects in random key order)."""
    return sorted(checks, key=lambda c: c.name)


def duration_from_counters(metrics: dict[str, SummaryMetric]) -> int | None:
    """The run's duration in ms as k6 implies it (a counter's count / its per-second rate); None if no counter says."""
    for name in _COUNTERS_FOR_DURATION:
        metric = metrics.get(name)
        if metric is None:
            continue
        count, rate = number(metric.values.get("count")), number(metric.values.get("rate"))
        if count and rate and count > 0 and rate > 0:
            return math.floor(count / rate * 1000 + 0.5)
    return None


class _Reader:
    """Reads values from summary metrics, refusing what is not a number with the metric named."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def value(self, metric: SummaryMetric | None, stat: str) -> float | None:
        """Statistic `stat` of `metric`, None when absent; InputError when it is not a non-negative number."""
        if metric is None or stat not in metric.values or metric.values[stat] is None:
            return None
        value = number(metric.values[stat])
        if value is None or value < 0:
            raise InputError(self.path, f"metric {metric.key!r}: {stat} is {metric.values[stat]!r}, expected a number")
        return value

    def count(self, metric: SummaryMetric | None, stat: str) -> int | None:
        """A count statistic as an integer (k6 writes counts as whole numbers)."""
        value = self.value(metric, stat)
        if value is None or metric is None:
            return None
        if value != int(value):
            raise InputError(self.path, f"metric {metric.key!r}: {stat} is {value}, expected a whole count")
        return int(value)

    def requests(
        self, reqs: SummaryMetric | None, failed: SummaryMetric | None, trend: SummaryMetric | None
    ) -> int | None:
        """Requests counted by `http_reqs`, else by `http_req_failed`, else by the duration trend's count."""
        count = self.count(reqs, "count")
        if count is not None:
            return count
        passes, fails = self.count(failed, "passes"), self.count(failed, "fails")
        if passes is not None and fails is not None:
            return passes + fails
        return self.count(trend, "count")

    def latency(self, trend: SummaryMetric | None) -> Latency:
        """k6's trend stats in µs; absent ones (and every one of a missing trend) stay absent."""

        def stat(*names: str) -> int | None:
            for name in names:
                value = self.value(trend, name)
                if value is not None:
                    return ms_to_us(value)
            return None

        return Latency(
            min=stat("min"),
            mean=stat("avg"),
            p50=stat("med", "p(50)"),
            p90=stat("p(90)"),
            p95=stat("p(95)"),
            p99=stat("p(99)"),
            max=stat("max"),
        )

    def throughput(self, reqs: SummaryMetric | None, requests: int, duration_ms: int) -> int | None:
        """k6's own request rate × 1000 when it states one, else requests over the duration."""
        rate = self.value(reqs, "rate")
        if rate is not None:
            return math.floor(rate * 1000 + 0.5)
        return throughput_mrps(requests, duration_ms)


def _traffic_fields(
    reader: _Reader,
    requests: int,
    failures: int,
    reqs: SummaryMetric | None,
    trend: SummaryMetric | None,
    duration_ms: int,
    where: str,
) -> dict[str, Any]:
    if failures > requests:
        raise InputError(reader.path, f"{where}: {failures} failed requests out of {requests}")
    return {
        "requests": requests,
        "failures": failures,
        "error_rate_bp": error_rate_bp(failures, requests),
        "throughput_mrps": reader.throughput(reqs, requests, duration_ms) if requests else None,
        "latency_us": reader.latency(trend) if requests else Latency(),
    }


def summary_load(path: Path, metrics: list[SummaryMetric], checks: list[Check], duration_ms: int | None) -> LoadTest:
    """The `load` data of a k6 summary: totals, tagged endpoints, checks, thresholds (see the module docstring)."""
    reader = _Reader(path)
    plain = {m.name: m for m in metrics if not m.tags}
    if duration_ms is None:
        duration_ms = duration_from_counters(plain) or 0
    reqs, failed, trend = plain.get("http_reqs"), plain.get("http_req_failed"), plain.get("http_req_duration")
    requests = reader.requests(reqs, failed, trend) or 0
    failures = reader.count(failed, "passes")
    if failures is None:
        if requests:
            raise InputError(
                path,
                f"the summary counts {requests} requests but has no http_req_failed metric "
                "(k6 before v0.31?): failed requests are unknown",
            )
        failures = 0
    totals = Traffic(**_traffic_fields(reader, requests, failures, reqs, trend, duration_ms, "totals"))
    vus = reader.count(plain.get("vus"), "max")
    if vus is None:
        vus = reader.count(plain.get("vus_max"), "max")
    if vus is None:
        vus = reader.count(plain.get("vus_max"), "value")
    thresholds = sorted(
        (
            Threshold(metric=cut(m.key, 256), expression=cut(expression), ok=ok)
            for m in metrics
            for expression, ok in m.thresholds
        ),
        key=lambda t: (t.metric, t.expression),
    )
    return LoadTest(
        duration_ms=duration_ms,
        vus_max=vus,
        totals=totals,
        endpoints=_endpoints(reader, metrics, duration_ms),
        checks=sorted_checks(checks),
        thresholds=thresholds,
        percentiles="tool",
    )


def _endpoints(reader: _Reader, metrics: list[SummaryMetric], duration_ms: int) -> list[Endpoint]:
    tagged: dict[tuple[str, str | None], dict[str, SummaryMetric]] = {}
    for metric in metrics:
        if metric.name not in ("http_reqs", "http_req_failed", "http_req_duration"):
            continue
        if not metric.tags or not set(metric.tags) <= _ENDPOINT_TAGS:
            continue
        name = metric.tags.get("name") or metric.tags.get("url")
        if not name:
            continue
        tagged.setdefault((name, metric.tags.get("method") or None), {})[metric.name] = metric
    endpoints = []
    for (name, method), found in tagged.items():
        reqs, failed, trend = found.get("http_reqs"), found.get("http_req_failed"), found.get("http_req_duration")
        requests = reader.requests(reqs, failed, trend)
        failures = reader.count(failed, "passes")
        if requests is None or failures is None:
            continue
        fields = _traffic_fields(reader, requests, failures, reqs, trend, duration_ms, f"endpoint {name!r}")
        endpoints.append(Endpoint(name=cut(name), method=cut(method, 16) if method else None, **fields))
    return sorted(endpoints, key=lambda e: (e.name, e.method or ""))


def thresholds_from(raw: object, path: Path, key: str, export: bool) -> list[tuple[str, bool]]:
    """(expression, held) per threshold of a metric, from any of the shapes k6 writes (see below)."""
    # --summary-export: {expr: crossed} (true = FAILED); handleSummary: {expr: {"ok": held}};
    # v2: the same, or [{"source"|"expression": expr, "ok": held}]. A bare boolean outside an export is ambiguous.
    if raw is None:
        return []
    if not isinstance(raw, dict | list):
        raise InputError(path, f"metric {key!r}: thresholds is a JSON {json_type(raw)}, expected an object")
    pairs: list[tuple[object, object]] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        for entry in raw:
            expression = entry.get("source", entry.get("expression")) if isinstance(entry, dict) else None
            pairs.append((expression, entry))
    result = []
    for expression, outcome in pairs:
        ok = None
        if isinstance(outcome, dict):
            ok = outcome.get("ok")
        elif isinstance(outcome, bool) and export:
            ok = not outcome
        if not isinstance(expression, str) or not expression or not isinstance(ok, bool):
            raise InputError(path, f"metric {key!r}: unreadable threshold {json.dumps(outcome)[:120]}")
        result.append((expression, ok))
    return result


def keyed_summary(path: Path, what: str, export: bool) -> tuple[dict[str, Any], list[SummaryMetric], list[Check]]:
    """A k6 summary whose `metrics` are keyed by name: the document, its metrics and its checks.

    `export` selects the `--summary-export` shape (aggregates flat in each metric, thresholds true = crossed);
    otherwise the handleSummary shape (aggregates under `values`, thresholds with `ok`).
    """
    document = read_json_object(path, what)
    raw_metrics = document.get("metrics")
    if not isinstance(raw_metrics, dict):
        raise InputError(path, f"not {what}: no `metrics` object")
    metrics = []
    for key, raw in raw_metrics.items():
        if export:
            if not isinstance(raw, dict):
                raise InputError(path, f"metric {key!r} is not an object")
            if isinstance(raw.get("values"), dict) and "type" in raw:
                raise InputError(path, f"not {what}: metric {key!r} nests its values (a handleSummary file?)")
            values = {stat: value for stat, value in raw.items() if stat != "thresholds"}
        else:
            if not isinstance(raw, dict) or not isinstance(raw.get("values"), dict):
                raise InputError(path, f"not {what}: metric {key!r} has no `values` object")
            values = raw["values"]
        name, tags = split_metric_key(key)
        thresholds = thresholds_from(raw.get("thresholds"), path, key, export=export)
        metrics.append(SummaryMetric(key=key, name=name, tags=tags, values=values, thresholds=thresholds))
    return document, metrics, list(walk_group_checks(document.get("root_group"), path))
