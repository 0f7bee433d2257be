"""What the security collector tests share: the sample roots, collecting an item and checking it against the
schema, the one-line InputError of a failure path, the "no secret reaches the item" check, and the
"detect claims exactly its own files" check over every sample file. Per-tool expectations stay in the tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect
from evaluator.collectors.interface import HEAD_BYTES, Collector
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.evidence.model import EvidenceItem

TESTS_DATA = Path(__file__).parent.parent.parent / "data"
"""tests/data: every tool's samples, security and other kinds."""
SECURITY_DATA = TESTS_DATA / "security"
SHARED = Path("/work/shared/samples")
"""The workplace's shared samples (may be absent)."""
SEVERITIES = ("critical", "high", "medium", "low", "info", "unknown")
ZERO = dict.fromkeys(SEVERITIES, 0)


def collect_valid(
    path: Path, format_name: str | None = None, now: datetime | None = None
) -> tuple[EvidenceItem, dict[str, Any]]:
    """Collect `path` and check the item: no schema problem, kind security, schema security/v1.

    Returns the item and its JSON form (`["data"]` is the scan).
    """
    item = collect(path, format_name=format_name, now=now)
    document = item.to_json_dict()
    assert item_problems(document) == []
    assert item.kind == "security" and item.schema_ == "security/v1"
    assert document["kind"] == "security" and document["schema"] == "security/v1"
    return item, document


def input_error(path: Path, format_name: str | None = None) -> InputError:
    """The InputError collecting `path` raises, checked to be one line without a traceback."""
    with pytest.raises(InputError) as caught:
        collect(path, format_name=format_name)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return caught.value


def write_json(tmp_path: Path, document: Any, name: str = "report.json") -> Path:
    """`document` as a JSON file in `tmp_path`."""
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_raw(tmp_path: Path, content: str | bytes, name: str = "report.json") -> Path:
    """`content` (text as UTF-8) as a file in `tmp_path`."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def strings(value: Any) -> list[str]:
    """Every string (keys and values) of a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_never_copied(item_json: dict[str, Any], values: Iterable[str]) -> None:
    """None of `values` appears in the item: not in its JSON text, not inside any of its strings."""
    dumped = json.dumps(item_json)
    unescaped = json.dumps(item_json, ensure_ascii=False)
    texts = strings(item_json)
    for value in values:
        assert value not in dumped and value not in unescaped, value
        assert not any(value in text for text in texts), value


def every_sample_file() -> list[Path]:
    """Every file under the shared samples and tests/data, sorted."""
    return sorted({p for root in (SHARED, TESTS_DATA) if root.is_dir() for p in root.rglob("*") if p.is_file()})


def head(path: Path) -> bytes:
    """What `detect` sees of `path`."""
    with open(path, "rb") as handle:
        return handle.read(HEAD_BYTES)


def assert_detect_is_specific(
    collector: type[Collector],
    mine: Iterable[Path],
    minimum: int = 0,
    skip: Callable[[Path], bool] | None = None,
) -> None:
    """`detect` is True for exactly the files in `mine` among every sample file (`skip`ped ones aside), and
    more than `minimum` other files were checked."""
    own = {p.resolve() for p in mine}
    files = [p for p in every_sample_file() if not (skip and skip(p))]
    others = [p for p in files if p.resolve() not in own]
    assert len(others) > minimum
    assert own <= {p.resolve() for p in files}, sorted(own - {p.resolve() for p in files})
    wrong = [str(p) for p in files if collector.detect(head(p)) is not (p.resolve() in own)]
    assert wrong == []


def collector_error(collector: type[Collector], path: Path) -> InputError:
    """The InputError `collector` itself raises on `path` (no detection or format lookup before it)."""
    with pytest.raises(InputError) as caught:
        collector().collect(path)
    return caught.value


def cvss_band(score: float) -> str:
    """The CVSS v3 band of a 0-10 score, written out here for the tests' own expected counts (not the collector's)."""
    for floor, band in ((9.0, "critical"), (7.0, "high"), (4.0, "medium")):
        if score >= floor:
            return band
    return "low" if score > 0 else "info"


NOW = datetime(2026, 1, 1, tzinfo=UTC)
"""The collection time of `item_and_data`."""


def item_and_data(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checked item's JSON (see `collect_valid`), collected at NOW, and its data."""
    _, document = collect_valid(path, now=NOW)
    return document, document["data"]


def one_finding(
    data: dict[str, Any], rule_id: str, package_name: str | None = None, installed: str | None = None
) -> dict[str, Any]:
    """The only finding of `rule_id` (in the package of that name and installed version, when given)."""
    found = [
        f
        for f in data["findings"]
        if f["rule_id"] == rule_id
        and (package_name is None or f.get("package", {}).get("name") == package_name)
        and (installed is None or f.get("package", {}).get("installed") == installed)
    ]
    assert len(found) == 1, (rule_id, package_name, installed, found)
    return found[0]


def assert_empty_refused(path: Path, collector: type[Collector], what: str, format_name: str) -> None:
    """An empty or blank file is refused as empty: when detected, when its format is named, and by the
    collector itself (which names what it expected)."""
    assert str(input_error(path)) == f"{path}: file is empty"
    assert str(input_error(path, format_name)) == f"{path}: file is empty"
    assert str(collector_error(collector, path)) == f"{path}: file is empty, expected {what}"


def assert_malformed_json_located(path: Path, format_name: str | None = None) -> InputError:
    """Collecting `path` fails at the line and column, and with the message, Python's own JSON parser gives."""
    with pytest.raises(json.JSONDecodeError) as std:
        json.loads(path.read_text(encoding="utf-8"))
    error = input_error(path, format_name)
    assert str(error) == f"{path}:{std.value.lineno}:{std.value.colno}: malformed JSON: {std.value.msg}"
    return error


def assert_refused(tmp_path: Path, document: Any, format_name: str, message: str, name: str = "report.json") -> None:
    """`document`, written as JSON and read as `format_name`, is refused with exactly `message` (one line)."""
    path = write_json(tmp_path, document, name)
    assert str(input_error(path, format_name)) == f"{path}: {message}"


def cut_copy(tmp_path: Path, source: Path, size: int | None = None, name: str = "truncated.json") -> Path:
    """The first `size` bytes of `source` (half of it by default) as a file in `tmp_path`: JSON cut short."""
    raw = source.read_bytes()
    return write_raw(tmp_path, raw[: len(raw) // 2 if size is None else size], name)
