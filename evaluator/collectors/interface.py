"""The collector plugin family: one tool output format in, one evidence item's content out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

HEAD_BYTES = 64 * 1024
"""How much of a file `detect` sees."""


@dataclass(frozen=True)
class Collected:
    """What a collector read from one file, before it is wrapped into an evidence item."""

    data: BaseModel
    """The kind's `data` model, filled from the file."""
    tool: str
    """Tool that wrote the file (pytest, surefire, k6 …), as precise as the file allows."""
    tool_version: str | None = None
    """Tool version, when the file says it."""
    observed_start: datetime | None = None
    """Start of what the file describes, when it says (timezone-aware)."""
    observed_end: datetime | None = None
    """End of what the file describes, when it says (timezone-aware)."""


class Collector(ABC):
    """Turns one tool's output file into the content of one evidence item."""

    format: ClassVar[str]
    """The name users pass to --format, e.g. 'junit-xml'."""
    kind: ClassVar[str]
    """Evidence kind produced, e.g. 'tests'."""
    schema: ClassVar[str]
    """Versioned data schema produced, e.g. 'tests/v1'."""
    description: ClassVar[str]
    """One line for `readiness collect --list`."""

    @classmethod
    @abstractmethod
    def detect(cls, head: bytes) -> bool:
        """True when the first bytes of a file look like this format (cheap, no full parse)."""

    @abstractmethod
    def collect(self, path: Path) -> Collected:
        """Parse `path`; raise InputError(path, message, line, column) on anything malformed."""
