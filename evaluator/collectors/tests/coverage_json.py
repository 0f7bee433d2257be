"""coverage.py JSON reports (`coverage json`) into a `coverage` evidence item.

Read: coverage.py 6.x (no `meta.format`) and 7.x (`meta.format` 2 and 3); the root has `meta`, `files`
and `totals`.

Mapping (counts come from each file's `summary`; `totals.percent_covered` is never used, since it
mixes lines and branches):

- `files` key -> file path; its directory (`.` for the top) -> package name;
- `summary.num_statements` -> lines_valid; `summary.covered_lines` -> lines_covered;
- `summary.num_branches` -> branches_valid; `summary.covered_branches` -> branches_covered, only when
  `meta.branch_coverage` is true (otherwise branch fields are absent);
- rates are floor(covered * 10000 / valid) basis points, 10000 when nothing was measured;
- tool "coverage.py", version `meta.version`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.tests.cobertura import FileCounts, build_coverage
from evaluator.errors import InputError

_META = re.compile(rb'\A\s*\{\s*"meta"\s*:\s*\{[^{}]*"branch_coverage"\s*:[^{}]*"show_contexts"\s*:', re.DOTALL)
_FORMATS = (2, 3)


class CoverageJsonCollector(Collector):
    """coverage.py JSON reports (`coverage json`, 6.x and 7.x)."""

    format: ClassVar[str] = "coverage-json"
    kind: ClassVar[str] = "coverage"
    schema: ClassVar[str] = "coverage/v1"
    description: ClassVar[str] = "coverage.py JSON coverage report (`coverage json`, 6.x and 7.x)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` starts with coverage.py's `meta` object."""
        return _META.match(head.removeprefix(b"\xef\xbb\xbf")) is not None

    def collect(self, path: Path) -> Collected:
        """Read the report at `path`; InputError when it is not a coverage.py JSON report."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a coverage.py JSON report") from None
        except UnicodeDecodeError:
            raise InputError(path, "not UTF-8 text, expected a coverage.py JSON report") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        if not text.strip():
            raise InputError(path, "file is empty, expected a coverage.py JSON report")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("meta"), dict) or "files" not in doc:
            raise InputError(path, "not a coverage.py JSON report: expected an object with 'meta' and 'files'")
        meta = doc["meta"]
        fmt = meta.get("format")
        if fmt is not None and fmt not in _FORMATS:
            raise InputError(path, f"unsupported coverage.py JSON format {fmt!r} (read: 2, 3, or none for 6.x)")
        branches = meta.get("branch_coverage")
        if not isinstance(branches, bool):
            raise InputError(path, "meta.branch_coverage must be true or false")
        files_doc = doc["files"]
        if not isinstance(files_doc, dict):
            raise InputError(path, "'files' must be an object of file path -> report")
        files = [_file(path, name, report, branches) for name, report in files_doc.items()]
        version = meta.get("version")
        tool_version = version[:64] if isinstance(version, str) and version else None
        return Collected(data=build_coverage(files, branches), tool="coverage.py", tool_version=tool_version)


def _count(path: Path, where: str, summary: dict[str, Any], key: str) -> int:
    value = summary.get(key)
    if type(value) is not int or value < 0:
        raise InputError(path, f"{where}: summary.{key} must be a non-negative integer, got {value!r}"[:300])
    return value


def _file(path: Path, name: str, report: Any, branches: bool) -> FileCounts:
    where = f"files[{name[:200]!r}]"
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        raise InputError(path, f"{where} has no 'summary' object")
    summary = report["summary"]
    lv = _count(path, where, summary, "num_statements")
    lc = _count(path, where, summary, "covered_lines")
    bv = _count(path, where, summary, "num_branches") if branches else 0
    bc = _count(path, where, summary, "covered_branches") if branches else 0
    if lc > lv or bc > bv:
        raise InputError(path, f"{where}: more lines or branches covered than measured")
    parent = str(PurePosixPath(name.replace("\\", "/")).parent)
    return FileCounts(
        path=name, package=parent[:1024], lines_valid=lv, lines_covered=lc, branches_valid=bv, branches_covered=bc
    )
