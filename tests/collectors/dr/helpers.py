"""What the dr collector tests share: sample roots, collecting a schema-checked item, the one-line InputError."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect
from evaluator.errors import InputError
from evaluator.evidence import item_problems

TESTS_DATA = Path(__file__).parent.parent.parent / "data"
DR_DATA = TESTS_DATA / "dr"
SHARED = Path("/work/shared/samples")


def collect_valid(path: Path, format_name: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Collect `path`, check it has no schema problem and is a dr/v1 item; the item and its JSON form."""
    item = collect(path, format_name=format_name)
    document = item.to_json_dict()
    assert item_problems(document) == []
    assert document["kind"] == "dr" and document["schema"] == "dr/v1"
    return item, document


def input_error(path: Path, format_name: str | None = None) -> InputError:
    """The InputError collecting `path` raises, checked to be one line."""
    with pytest.raises(InputError) as caught:
        collect(path, format_name=format_name)
    assert "\n" not in str(caught.value)
    return caught.value


def z(text: str) -> str:
    """An ISO time with an offset (or naive = UTC) as UTC text with Z, written independently of the collector."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    out = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        out += f".{value.microsecond:06d}"
    return out + "Z"


def seconds_up(start: str, end: str) -> int:
    """Whole seconds from start to end, rounded up."""
    return math.ceil((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
