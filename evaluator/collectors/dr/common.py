"""Helpers shared by the `dr` collectors: UTC times, whole seconds, and typed look-ups with one-line errors."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluator.errors import InputError
from evaluator.timeutil import format_time


def parse_utc(path: Path, value: Any, where: str, naive_is_utc: bool = False) -> datetime:
    """An ISO 8601 / RFC 3339 timestamp as an aware UTC datetime; InputError naming `where` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{where} is not a timestamp: {str(value)[:60]!r}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise InputError(path, f"{where} is not a timestamp: {value[:60]!r}") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise InputError(path, f"{where} has no UTC offset: {value[:60]!r}")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def utc_text(value: datetime) -> str:
    """RFC 3339 UTC text with a Z suffix."""
    return format_time(value)


def whole_seconds(start: datetime, end: datetime) -> int:
    """Seconds from `start` to `end`, rounded up to a whole second (never negative)."""
    return max(0, math.ceil((end - start).total_seconds()))


def seconds_value(path: Path, value: Any, where: str) -> int:
    """A non-negative whole number of seconds; InputError naming `where` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(path, f"{where} must be a whole number of seconds >= 0, got {value!r}")
    return value


def text_value(path: Path, value: Any, where: str, limit: int = 512) -> str:
    """A non-empty string, cut to `limit` characters; InputError naming `where` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{where} must be a non-empty string, got {str(value)[:60]!r}")
    return value.strip()[:limit]


def seconds_text(path: Path, value: Any, where: str) -> int:
    """Whole seconds >= 0 given as digits in text (e.g. a Kubernetes annotation) or an integer; InputError otherwise."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,12}", value.strip()):
        return int(value.strip())
    return seconds_value(path, value, where)
