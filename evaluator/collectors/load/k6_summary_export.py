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
from evaluator.collectors.load.k6_common import TOOL, keyed_summary, summary_load, summary_shape

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
        _, metrics, checks = keyed_summary(path, _WHAT, export=True)
        return Collected(data=summary_load(path, metrics, checks, None), tool=TOOL)
