"""Where the shipped data files (JSON Schemas) live, installed or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def schemas_dir() -> Path:
    """The folder holding the JSON Schemas: inside the wheel, or `schemas/` of a source checkout."""
    for candidate in (_PACKAGE / "_data" / "schemas", _PACKAGE.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("readiness is installed without its schemas folder")
