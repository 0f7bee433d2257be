"""The k6 v2 machine-readable end-of-test summary (`--new-machine-readable-summary`) into a `load` item.

Documented shape: {version, config, metadata: {k6Version, …}, results: {checks, metrics: [{name, type,
contains, values, thresholds?}]}}, metrics as an ARRAY. No k6 this project could install writes it
(k6 1.1.0 predates it), so the reading is deliberately tolerant where the shape is not pinned down:
a metric's submetric selector may be in its `name` (`http_req_duration{name:…}`) or in a `tags`
object; thresholds may be {expression: {"ok": bool}} or [{"source"|"expression", "ok"}]; checks may
be an array of {name, path?, passes, fails} or an object keyed by name, or a `root_group`-like tree.
The duration is `testRunDurationMs` where the file states it, else what k6's counters imply. The
observed window is unknown. Counting rules: see `k6_common`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.k6_common import (
    TOOL,
    SummaryMetric,
    check_from,
    json_type,
    number,
    read_json_object,
    split_metric_key,
    summary_load,
    summary_shape,
    thresholds_from,
    walk_group_checks,
)
from evaluator.errors import InputError
from evaluator.evidence.load import Check

_WHAT = "a k6 v2 machine-readable summary"


class K6SummaryV2Collector(Collector):
    """The k6 v2 machine-readable summary: metrics as an array under `results`, version in `metadata`."""

    format: ClassVar[str] = "k6-summary-v2"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "k6 v2 machine-readable end-of-test summary (--new-machine-readable-summary)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` starts a k6 summary with `results` and an array of metrics."""
        return summary_shape(head) == "v2"

    def collect(self, path: Path) -> Collected:
        """Read the summary at `path`; InputError when it is not a k6 v2 machine-readable summary."""
        document = read_json_object(path, _WHAT)
        results = document.get("results")
        if not isinstance(results, dict) or not isinstance(results.get("metrics"), list):
            raise InputError(path, f"not {_WHAT}: no `results.metrics` array")
        metrics = [_metric(raw, index, path) for index, raw in enumerate(results["metrics"])]
        checks = _checks(results.get("checks"), path)
        metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        version = metadata.get("k6Version", metadata.get("k6_version"))
        duration_ms = _duration_ms(document, results, metadata)
        return Collected(
            data=summary_load(path, metrics, checks, duration_ms),
            tool=TOOL,
            tool_version=version.removeprefix("v") if isinstance(version, str) and version else None,
        )


def _metric(raw: object, index: int, path: Path) -> SummaryMetric:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise InputError(path, f"results.metrics[{index}] is not an object with a name")
    key = raw["name"]
    if not isinstance(raw.get("values"), dict):
        raise InputError(path, f"metric {key!r}: `values` is a JSON {json_type(raw.get('values'))}, expected an object")
    name, tags = split_metric_key(key)
    extra = raw.get("tags")
    if isinstance(extra, dict) and not tags:
        tags = {str(tag): str(value) for tag, value in extra.items()}
        if tags:
            key = f"{name}{{{','.join(f'{tag}:{value}' for tag, value in tags.items())}}}"
    thresholds = thresholds_from(raw.get("thresholds"), path, key, export=False)
    return SummaryMetric(key=key, name=name, tags=tags, values=raw["values"], thresholds=thresholds)


def _checks(raw: object, path: Path) -> list[Check]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [check_from(check, path) for check in raw]
    if isinstance(raw, dict):
        if "checks" in raw or "groups" in raw:
            return list(walk_group_checks(raw, path))
        return [
            check_from({"name": name, **check} if isinstance(check, dict) else check, path)
            for name, check in raw.items()
        ]
    raise InputError(path, f"results.checks is a JSON {json_type(raw)}, expected an array or an object")


def _duration_ms(*places: dict[str, Any]) -> int | None:
    for place in places:
        for key in ("testRunDurationMs", "duration_ms", "durationMs"):
            value = number(place.get(key))
            if value is not None and value >= 0:
                return math.floor(value + 0.5)
    return None
