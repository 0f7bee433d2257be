"""Real OPA in process: the OPA Go engine as a shared library (PyPI opa-golib-python-bindings, optional)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from evaluator.engine.interface import Engine, EngineError, EngineUnavailable, Undefined
from evaluator.policy.model import PolicyModule

_LOCATION = re.compile(r"(?P<file>[^\s:]+\.rego):(?P<line>\d+)")
_OPA_VERSION = re.compile(rb"open-policy-agent/opa@v(\d+\.\d+\.\d+)")


class OpaEngine(Engine):
    """OPA itself, for identical-verdict checks and for teams that standardise on it."""

    name = "opa"
    description = "real OPA in process (needs the optional opa-golib-python-bindings)"

    def __init__(self) -> None:
        try:
            from opa_bindings import OpaEngine as _Native
        except Exception as exc:
            raise EngineUnavailable(f"--engine opa needs opa-golib-python-bindings: {exc}") from None
        self._engine = _Native()
        self._engine.print_handler = lambda message, location: None
        self._coverage = False
        self._covered: dict[str, tuple[set[int], set[int]]] = {}

    @classmethod
    def version(cls) -> str:
        """'opa <version>' read from the bundled library, with the bindings' version."""
        try:
            bindings = metadata.version("opa-golib-python-bindings")
            import opa_bindings
        except Exception as exc:
            raise EngineUnavailable(f"--engine opa needs opa-golib-python-bindings: {exc}") from None
        library = Path(opa_bindings.__file__).with_name("libopabridge.so")
        found = _OPA_VERSION.search(library.read_bytes()) if library.exists() else None
        opa = found.group(1).decode() if found else "unknown"
        return f"opa {opa} (opa-golib-python-bindings {bindings})"

    def load(self, modules: Sequence[PolicyModule], data: dict[str, Any]) -> None:
        """Add every module, then the data document."""
        from opa_bindings import OpaError

        for module in modules:
            try:
                self._engine.add_policy(module.path, module.source)
            except OpaError as exc:
                match = _LOCATION.search(exc.message)
                raise EngineError(exc.message, module.path, int(match["line"]) if match else None) from None
        try:
            self._engine.add_data(data)
        except OpaError as exc:
            raise EngineError(f"data document refused: {exc.message}") from None

    def evaluate(self, path: str, input_document: dict[str, Any]) -> Any:
        """Evaluate one document path ('data.pkg.rule')."""
        from opa_bindings import OpaError, OpaUndefinedError

        document = path.removeprefix("data.")
        try:
            value = self._engine.eval_document(document, input_document, coverage=self._coverage)
        except OpaUndefinedError:
            raise Undefined(f"{path} is undefined") from None
        except OpaError as exc:
            match = _LOCATION.search(exc.message)
            raise EngineError(
                exc.message, match["file"] if match else None, int(match["line"]) if match else None
            ) from None
        if self._coverage:
            self._merge_coverage(self._engine.last_coverage or {})
        return value

    def _merge_coverage(self, report: dict[str, Any]) -> None:
        for path, entry in (report.get("files") or {}).items():
            covered = {line for span in entry.get("covered") or [] for line in _lines(span)}
            missed = {line for span in entry.get("not_covered") or [] for line in _lines(span)}
            have = self._covered.setdefault(path, (set(), set()))
            have[0].update(covered)
            have[1].update(missed)

    def enable_coverage(self) -> None:
        """Record coverage on each following evaluation."""
        self._coverage = True

    def coverage(self) -> dict[str, tuple[set[int], set[int]]]:
        """Covered and not covered lines per module (a line covered by any evaluation counts as covered)."""
        return {path: (covered, missed - covered) for path, (covered, missed) in self._covered.items()}


def _lines(span: dict[str, Any]) -> range:
    start = span.get("start", {}).get("row", 0)
    end = span.get("end", {}).get("row", start)
    return range(start, end + 1)
