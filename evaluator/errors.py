"""Error values that carry a place; the CLI renders each as one line and maps it to an exit code."""

from __future__ import annotations

from pathlib import Path


class ReadinessError(Exception):
    """Base class of every error the tool reports to a user."""

    exit_code = 2


class InputError(ReadinessError):
    """A file the user gave us is missing, unreadable, malformed or of the wrong kind."""

    exit_code = 2

    def __init__(
        self, path: str | Path | None, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.path or "<input>"
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place}: {self.message}"


class UsageError(ReadinessError):
    """The command line asks for something that cannot be done (conflicting or missing options)."""

    exit_code = 2
