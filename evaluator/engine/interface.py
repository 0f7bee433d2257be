"""The engine plugin family: load Rego modules and data, evaluate documents, report coverage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from evaluator.policy.model import PolicyModule


class EngineError(Exception):
    """The engine failed: a load error, an evaluation error, or an unexpected result."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.message = first_line(message)
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return f"{place}{self.message}"


class Undefined(EngineError):
    """The document evaluated to undefined."""


class EngineUnavailable(EngineError):
    """The backend's library is not installed or cannot load here."""


def first_line(text: object) -> str:
    """The first non-empty line of an engine message (engines append backtraces and context)."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or "unknown engine error"


class Engine(ABC):
    """One Rego evaluator instance holding modules and data."""

    name: ClassVar[str]
    """The name users pass to --engine."""
    description: ClassVar[str]
    """One line for help texts."""

    @classmethod
    @abstractmethod
    def version(cls) -> str:
        """Engine name and version as shown in reports; raises EngineUnavailable when it cannot load."""

    @abstractmethod
    def load(self, modules: Sequence[PolicyModule], data: dict[str, Any]) -> None:
        """Add modules and the data document; raise EngineError naming file and line on a compile error."""

    @abstractmethod
    def evaluate(self, path: str, input_document: dict[str, Any]) -> Any:
        """The JSON value of document `path` ('data.pkg.rule') for this input; Undefined or EngineError otherwise."""

    @abstractmethod
    def enable_coverage(self) -> None:
        """Start recording which policy lines evaluation touches."""

    @abstractmethod
    def coverage(self) -> dict[str, tuple[set[int], set[int]]]:
        """Per module path: (covered lines, not covered lines) since coverage was enabled."""
