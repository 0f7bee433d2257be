"""The embedded engine: regorus, Microsoft's Rust Rego interpreter (PyPI gordon-to-regorus), in process."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from evaluator.engine.interface import Engine, EngineError, EngineUnavailable, Undefined
from evaluator.policy.model import PolicyModule

_LOCATION = re.compile(r"(?P<file>[^\s:]+\.rego):(?P<line>\d+):(?P<col>\d+)")


class RegorusEngine(Engine):
    """Embedded, zero set-up; measured against OPA's conformance cases (see evaluator/policy/builtins.py)."""

    name = "embedded"
    description = "regorus, the embedded Rust Rego engine (default)"

    def __init__(self) -> None:
        try:
            import regorus
        except ImportError as exc:  # pragma: no cover - a hard dependency
            raise EngineUnavailable(f"regorus is not installed: {exc}") from None
        self._engine = regorus.Engine()
        self._coverage = False
        self._input: dict[str, Any] | None = None

    @classmethod
    def version(cls) -> str:
        """'regorus <version>' from the installed wheel."""
        try:
            return f"regorus {metadata.version('gordon-to-regorus')}"
        except metadata.PackageNotFoundError as exc:  # pragma: no cover
            raise EngineUnavailable("gordon-to-regorus is not installed") from exc

    def load(self, modules: Sequence[PolicyModule], data: dict[str, Any]) -> None:
        """Add every module, then the data document."""
        for module in modules:
            try:
                self._engine.add_policy(module.path, module.source)
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise _located(exc, module.path) from None
        try:
            self._engine.add_data_json(json.dumps(data))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise EngineError(f"data document refused: {exc}") from None

    def evaluate(self, path: str, input_document: dict[str, Any]) -> Any:
        """Evaluate one rule path; an empty result is Undefined."""
        try:
            # Every query of a run sees the same input: serialise and hand it over once, not per query.
            if input_document is not self._input:
                self._engine.set_input_json(json.dumps(input_document))
                self._input = input_document
            raw = self._engine.eval_query_as_json(path)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise _located(exc, None) from None
        results = json.loads(raw).get("result") or []
        if not results or not results[0].get("expressions"):
            raise Undefined(f"{path} is undefined")
        return results[0]["expressions"][0]["value"]

    def enable_coverage(self) -> None:
        """Record covered lines from now on."""
        self._engine.set_enable_coverage(True)
        self._coverage = True

    def coverage(self) -> dict[str, tuple[set[int], set[int]]]:
        """Covered and not covered lines per module."""
        if not self._coverage:
            return {}
        report = json.loads(self._engine.get_coverage_report_as_json())
        return {f["path"]: (set(f.get("covered", [])), set(f.get("not_covered", []))) for f in report.get("files", [])}


def _located(exc: BaseException, fallback_file: str | None) -> EngineError:
    text = str(exc)
    match = _LOCATION.search(text)
    # regorus puts the location first and the reason on an 'error: ...' line after a source excerpt.
    reason = next((line.split("error:", 1)[1].strip() for line in text.splitlines() if "error:" in line), None)
    if match:
        return EngineError(reason or text, match["file"], int(match["line"]))
    kind = type(exc).__name__
    message = text if kind in ("RuntimeError", "ValueError") else f"{kind}: {text}"
    return EngineError(message, fallback_file)
