"""k6 handleSummary(data) JSON (what `JSON.stringify(data)` writes) into a `load` evidence item.

The document holds `metrics` keyed by metric or submetric, each as {type, contains, values: {…},
thresholds: {expression: {"ok": bool}}}, `root_group` with groups and checks as arrays, and `state`
with `testRunDurationMs`, the test's duration. It states neither the k6 version nor when the test
ran, so the observed window is unknown. Counting rules: see `k6_common`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.k6_common import TOOL, keyed_summary, number, summary_load, summary_shape

_WHAT = "a k6 handleSummary JSON file"


class K6HandleSummaryCollector(Collector):
    """The `data` k6 passes to handleSummary(), written as JSON (nested values, thresholds with ok)."""

    format: ClassVar[str] = "k6-summary"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "k6 end-of-test summary data written as JSON by a handleSummary() function"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` starts a k6 summary whose metrics nest their aggregates in `values`."""
        return summary_shape(head) == "handle"

    def collect(self, path: Path) -> Collected:
        """Read the summary data at `path`; InputError when it is not k6 handleSummary data."""
        document, metrics, checks = keyed_summary(path, _WHAT, export=False)
        state = document.get("state")
        duration = number(state.get("testRunDurationMs")) if isinstance(state, dict) else None
        duration_ms = math.floor(duration + 0.5) if duration is not None and duration >= 0 else None
        return Collected(data=summary_load(path, metrics, checks, duration_ms), tool=TOOL)
