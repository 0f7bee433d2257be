"""k6 `--summary-export` JSON (the legacy end-of-test summary) into a `load` evidence item.

The file holds `metrics` keyed by metric (or submetric, `http_req_duration{name:…}`), each with its
aggregates flat (`avg`, `min`, `med`, `max`, `p(90)` …, `count`, `rate`, `passes`, `fails`, `value`)
and `thresholds` as {expression: crossed}: `true` means the threshold FAILED. `root_group` nests
groups and checks as objects keyed by name. The file states neither the k6 version nor the test's
start and end, so the observed window is unknown and the duration is what k6's counters imply
(count / rate). Counting rules: see `k6_common`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.k6_common import (
    TOOL,
    SummaryMetric,
    read_json_object,
    split_metric_key,
    summary_load,
    summary_shape,
    thresholds_from,
    walk_group_checks,
)
from evaluator.errors import InputError

_WHAT = "a k6 --summary-export JSON file"


class K6SummaryExportCollector(Collector):
    """k6 `--summary-export` files (flat metrics, checks keyed by name, thresholds true = crossed)."""

    format: ClassVar[str] = "k6-summary-export"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "k6 end-of-test summary written by `k6 run --summary-export` (legacy JSON)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` starts a k6 summary whose metrics hold their aggregates flat."""
        return summary_shape(head) == "export"

    def collect(self, path: Path) -> Collected:
        """Read the summary at `path`; InputError when it is not a k6 summary export."""
        document = read_json_object(path, _WHAT)
        raw_metrics = document.get("metrics")
        if not isinstance(raw_metrics, dict):
            raise InputError(path, f"not {_WHAT}: no `metrics` object")
        metrics = []
        for key, raw in raw_metrics.items():
            if not isinstance(raw, dict):
                raise InputError(path, f"metric {key!r} is not an object")
            if isinstance(raw.get("values"), dict) and "type" in raw:
                raise InputError(path, f"not {_WHAT}: metric {key!r} nests its values (a handleSummary file?)")
            name, tags = split_metric_key(key)
            values = {stat: value for stat, value in raw.items() if stat != "thresholds"}
            thresholds = thresholds_from(raw.get("thresholds"), path, key, export=True)
            metrics.append(SummaryMetric(key=key, name=name, tags=tags, values=values, thresholds=thresholds))
        checks = list(walk_group_checks(document.get("root_group"), path))
        return Collected(data=summary_load(path, metrics, checks, None), tool=TOOL)
