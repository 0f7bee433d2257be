"""Locust `--csv PREFIX` results into a `load` evidence item.

The user passes `PREFIX_stats.csv`, the request statistics (one row per endpoint, then the `Aggregated`
row: the whole test). Its siblings, found by name beside it, add what the stats file cannot say:

- `PREFIX_stats_history.csv` gives the test window (its first and last timestamps) and the peak user
  count (the largest `User Count`). Locust appends a row every second or two, but some releases
  (seen with 1.6.0 and 2.15.1; 1.1.1 and 2.47.0 write every row) flush it only every ten seconds and
  not at exit, so it may stop early (a 10 s run keeps one row) or in the middle of a row (dropped).
  The history is complete only when its last `Total Request Count` equals the stats' total (and is
  not 0): then it gives the window's end and the peak user count; otherwise only its start is used
  and the peak user count is left unknown. A history counting more requests than the stats is from
  another run: refused.
- `PREFIX_failures.csv` lists failures per endpoint and message. `load/v1` has no field for messages, so
  they do not enter the item; the collector checks that their occurrences add up to the stats' failure
  count (a mismatch means the files are from different runs: refused). `read_failures` gives the
  messages, with credentials masked and cut short, for reports.

Neither sibling is hashed into the item's `source` (only the stats file is), so both only ever add the
window and the user count. Passing the history or the failures file itself is refused with a line
naming the stats file to pass instead: the item's `source` must be the file its numbers come from.

Columns are matched by name, case-insensitively, so the versions people run are read alike: Locust 1.x
and 2.x (`Request Count` / `Failure Count`; 0.x's `# requests` / `# failures` are accepted but untested),
quoted or not, with or without the `99.999%` column (1.1). Required: Name, Request Count, Failure Count,
Average, Min and Max Response Time, Requests/s. The percentile columns (`50%`, `90%`, `95%`, `99%`) are
used when present: Locust itself rounds them to two significant figures (147 ms -> 150 ms) before
writing, so the item says `percentiles: "tool"`; each is clamped between the row's exact min and max.
A row with no requests has no latency. Endpoint names (often URL paths with their query) and failure
messages have credentials masked (evaluator/redact.py).

Numbers: times are milliseconds, read as floats and stored as integer microseconds. The test duration
is Locust's own measuring window, `Request Count / Requests/s` of the Aggregated row (test start to the
last request); with no requests, the history's span; else 0. Throughput is requests over that duration
for the total and for each endpoint, which is what Locust's `Requests/s` column says, within rounding.
The history's timestamps are whole seconds, so the observed window is exact to a second.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.stats import error_rate_bp, ms_to_us, throughput_mrps
from evaluator.collectors.progress import reading
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic
from evaluator.redact import redact

STATS_SUFFIX = "_stats.csv"
HISTORY_SUFFIX = "_stats_history.csv"
FAILURES_SUFFIX = "_failures.csv"
AGGREGATED = "Aggregated"
MESSAGE_CHARS = 200
"""Failure messages are cut to this many characters (after masking) by `read_failures`."""

# Canonical column -> the header names Locust versions wrote for it (lower case).
_STATS_COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type", "method"),
    "name": ("name",),
    "requests": ("request count", "# requests"),
    "failures": ("failure count", "# failures"),
    "median": ("median response time",),
    "mean": ("average response time",),
    "min": ("min response time",),
    "max": ("max response time",),
    "rps": ("requests/s",),
    "p50": ("50%",),
    "p90": ("90%",),
    "p95": ("95%",),
    "p99": ("99%",),
}
_STATS_REQUIRED = ("name", "requests", "failures", "mean", "min", "max", "rps")
_HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp",),
    "users": ("user count",),
    "name": ("name",),
    "requests": ("total request count",),
}
_FAILURES_COLUMNS: dict[str, tuple[str, ...]] = {
    "method": ("method",),
    "name": ("name",),
    "error": ("error",),
    "occurrences": ("occurrences",),
}
# Readable names for error messages: the current Locust spelling.
_SPELLING = {
    "type": "Type",
    "name": "Name",
    "requests": "Request Count",
    "failures": "Failure Count",
    "mean": "Average Response Time",
    "min": "Min Response Time",
    "max": "Max Response Time",
    "rps": "Requests/s",
    "timestamp": "Timestamp",
    "users": "User Count",
    "method": "Method",
    "error": "Error",
    "occurrences": "Occurrences",
}


class LocustCsvCollector(Collector):
    """Locust's `--csv` request statistics, with the run's history and failures files beside them."""

    format: ClassVar[str] = "locust-csv"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = (
        "Locust --csv results: PREFIX_stats.csv (reads PREFIX_stats_history.csv and PREFIX_failures.csv beside it)"
    )

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the first line is the header of a Locust stats, stats history or failures CSV."""
        return _file_kind(_header(head)) is not None

    def collect(self, path: Path) -> Collected:
        """Read the stats file at `path` and its siblings; InputError on anything malformed or inconsistent."""
        rows = _Table(path, _STATS_COLUMNS, _STATS_REQUIRED, expect="stats")
        endpoints: list[_Row] = []
        total: _Row | None = None
        for line, cells in rows.rows():
            row = _Row.parse(path, line, cells, rows)
            if total is not None:
                raise InputError(path, f"a row follows the {AGGREGATED} row, which Locust writes last", line)
            if row.name == AGGREGATED and row.type in ("", "None"):
                total = row
            else:
                endpoints.append(row)
        if total is None:
            raise InputError(path, f"no {AGGREGATED} row: the file ends before Locust's total (truncated?)")

        history = _read_history(path)
        _check_failures(path, total.failures)

        duration_ms = 0
        if total.requests and total.rps > 0:
            duration_ms = round(total.requests / total.rps * 1000)
        elif history is not None:
            duration_ms = history.duration_ms()  # no requests: the history's span, as far as it goes
        start = end = None
        vus_max = None
        if history is not None:
            if history.requests > total.requests:
                raise InputError(
                    history.path,
                    f"the history counts {history.requests} requests, more than the {total.requests} of {path.name}: "
                    "the files are from different runs",
                )
            start = _utc(history.first)
            end = _utc(max(history.last, history.first + duration_ms / 1000))
            if history.complete(total.requests):
                vus_max = history.users_max
        data = LoadTest(
            duration_ms=duration_ms,
            vus_max=vus_max,
            totals=total.traffic(duration_ms),
            endpoints=sorted((row.endpoint(duration_ms) for row in endpoints), key=lambda e: (e.name, e.method or "")),
            checks=[],
            thresholds=[],
            percentiles="tool",
        )
        return Collected(data=data, tool="locust", observed_start=start, observed_end=end)


@dataclass(frozen=True)
class FailureGroup:
    """One row of a Locust failures CSV: an endpoint's failures with one message."""

    method: str | None
    """Request type / HTTP method, when the row gives one."""
    name: str
    """Endpoint name, credentials masked."""
    message: str
    """The error, credentials masked, cut to MESSAGE_CHARS."""
    occurrences: int
    """How many requests failed with it."""


def read_failures(path: Path) -> list[FailureGroup]:
    """The rows of a Locust `PREFIX_failures.csv`, masked and cut short; InputError when malformed."""
    groups = []
    table = _Table(path, _FAILURES_COLUMNS, tuple(_FAILURES_COLUMNS), expect="failures")
    for line, cells in table.rows():
        occurrences = _count(path, line, "occurrences", table.cell(cells, "occurrences"))
        message = redact(table.cell(cells, "error"))[:MESSAGE_CHARS]
        method = table.cell(cells, "method") or None
        groups.append(FailureGroup(method, _endpoint_name(table.cell(cells, "name")), message, occurrences))
    return groups


def sibling(path: Path, suffix: str) -> Path | None:
    """`PREFIX<suffix>` beside `PREFIX_stats.csv`; None when `path` is not named like a stats file."""
    if not path.name.endswith(STATS_SUFFIX) or path.name.endswith(HISTORY_SUFFIX):
        return None
    return path.with_name(path.name[: -len(STATS_SUFFIX)] + suffix)


# ---- reading CSV ----------------------------------------------------------------------------------


def _decode(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("utf-8", "replace")


def _header(head: bytes) -> list[str]:
    first = _decode(head).split("\n", 1)[0].rstrip("\r")
    try:
        return [cell.strip().lower() for cell in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return []


def _file_kind(header: list[str]) -> str | None:
    """'stats', 'history' or 'failures' for a Locust CSV header, None for anything else."""
    names = set(header)
    if header[:2] == ["timestamp", "user count"] and "total request count" in names:
        return "history"
    if header[:4] == ["method", "name", "error", "occurrences"]:
        return "failures"
    has = {key for key, spellings in _STATS_COLUMNS.items() if names & set(spellings)}
    # Name and a request count, and most of the other columns (one may be missing: collect names it).
    if {"name", "requests"} <= has and len(has & {"failures", "median", "mean", "min", "max", "rps"}) >= 4:
        return "stats"
    return None


class _Table:
    """A Locust CSV file, streamed: header checked, then rows with their line numbers."""

    def __init__(self, path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], expect: str) -> None:
        self.path = path
        self.expect = expect
        try:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                self._head = fh.read(4096)
                if size:
                    fh.seek(size - 1)
                self.ends_with_newline = fh.read(1) == b"\n"
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a Locust CSV file") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        if not self._head.strip():
            raise InputError(path, f"file is empty, expected Locust's {expect} CSV")
        normalized = _header(self._head)
        found = _file_kind(normalized)
        if expect == "stats" and found in ("history", "failures"):
            raise InputError(path, _wrong_file(path, found))
        self.width = len(normalized)
        self.index: dict[str, int] = {}
        for key, spellings in columns.items():
            for position, name in enumerate(normalized):
                if name in spellings:
                    self.index[key] = position
                    break
        missing = [_SPELLING.get(key, key) for key in required if key not in self.index]
        if missing and (found != expect and len(missing) > len(required) // 2):
            expected = ", ".join(_SPELLING.get(key, key) for key in required)
            raise InputError(path, f"not a Locust {expect} CSV: the first line is not its header ({expected} …)", 1)
        if missing:
            names = ", ".join(repr(name) for name in missing)
            raise InputError(path, f"the header lacks the column{'s' if len(missing) > 1 else ''} {names}", 1)

    def rows(self, drop_partial_last: bool = False) -> Iterator[tuple[int, list[str]]]:
        """The data rows; a last row cut short (no final newline) is dropped, or refused when it must not be."""
        with open(self.path, "rb") as raw, reading(self.path, raw):
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            held: tuple[int, list[str]] | None = None
            try:
                next(reader, None)  # the header, checked already
                for cells in reader:
                    if not any(cell.strip() for cell in cells):
                        continue
                    if held is not None:
                        yield self._checked(*held)
                    held = (reader.line_num, cells)
            except csv.Error as exc:
                raise InputError(self.path, f"malformed CSV: {exc}", reader.line_num) from None
            if held is None:
                return
            if not self.ends_with_newline:
                if drop_partial_last:
                    return
                raise InputError(self.path, "the file ends in the middle of a row (truncated?)", held[0])
            yield self._checked(*held)

    def _checked(self, line: int, cells: list[str]) -> tuple[int, list[str]]:
        if len(cells) != self.width:
            raise InputError(
                self.path, f"the row has {len(cells)} fields, the header {self.width} (truncated or edited?)", line
            )
        return line, cells

    def cell(self, cells: list[str], key: str) -> str:
        """The row's value in column `key`, stripped; '' when the file has no such column."""
        position = self.index.get(key)
        return cells[position].strip() if position is not None else ""


def _wrong_file(path: Path, found: str) -> str:
    suffix = HISTORY_SUFFIX if found == "history" else FAILURES_SUFFIX
    what = "stats history" if found == "history" else "failures list"
    if path.name.endswith(suffix):
        stats = path.with_name(path.name[: -len(suffix)] + STATS_SUFFIX)
        instead = f"pass {stats.name} (the request statistics) instead; it reads this file beside it"
    else:
        instead = f"pass the PREFIX{STATS_SUFFIX} file of the run instead"
    return f"this is Locust's {what} (PREFIX{suffix}), not its request statistics: {instead}"


def _number(path: Path, line: int, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(path, f"column {_SPELLING.get(key, key)!r} is {text[:40]!r}, expected a number >= 0", line)
    return value


def _count(path: Path, line: int, key: str, text: str) -> int:
    value = _number(path, line, key, text)
    if value != int(value):
        raise InputError(path, f"column {_SPELLING.get(key, key)!r} is {text[:40]!r}, expected a whole number", line)
    return int(value)


def _endpoint_name(text: str) -> str:
    """A Locust name (often a URL path with its query) with credentials masked, within the model's 512."""
    return redact(text)[:512] or "(empty name)"


def _utc(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


# ---- the stats file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One row of the stats file."""

    type: str
    name: str
    requests: int
    failures: int
    rps: float
    latency: Latency

    @classmethod
    def parse(cls, path: Path, line: int, cells: list[str], table: _Table) -> _Row:
        """The row's values; InputError naming the column that is not a number."""
        requests = _count(path, line, "requests", table.cell(cells, "requests"))
        failures = _count(path, line, "failures", table.cell(cells, "failures"))
        if failures > requests:
            raise InputError(path, f"{failures} failures of {requests} requests", line)
        rps = _number(path, line, "rps", table.cell(cells, "rps"))
        latency = Latency()
        if requests:
            low = ms_to_us(_number(path, line, "min", table.cell(cells, "min")))
            high = ms_to_us(_number(path, line, "max", table.cell(cells, "max")))
            percentiles = {}
            for key in ("p50", "p90", "p95", "p99"):
                text = table.cell(cells, key)
                if key == "p50" and text in ("", "N/A"):
                    text = table.cell(cells, "median")
                if text not in ("", "N/A"):
                    percentiles[key] = min(max(ms_to_us(_number(path, line, key, text)), low), high)
            latency = Latency(
                min=low, mean=ms_to_us(_number(path, line, "mean", table.cell(cells, "mean"))), max=high, **percentiles
            )
        return cls(table.cell(cells, "type"), table.cell(cells, "name"), requests, failures, rps, latency)

    def traffic(self, duration_ms: int) -> Traffic:
        """The row as the test's totals."""
        return Traffic(
            requests=self.requests,
            failures=self.failures,
            error_rate_bp=error_rate_bp(self.failures, self.requests),
            throughput_mrps=throughput_mrps(self.requests, duration_ms),
            latency_us=self.latency,
        )

    def endpoint(self, duration_ms: int) -> Endpoint:
        """The row as one endpoint; the type is kept as the method when it fits (HTTP methods, short types)."""
        method = self.type if 0 < len(self.type) <= 16 and self.type != "None" else None
        return Endpoint(
            name=_endpoint_name(self.name), method=method, **self.traffic(duration_ms).model_dump(exclude_none=True)
        )


# ---- the siblings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _History:
    path: Path
    first: float
    last: float
    users_max: int
    requests: int
    """Total Request Count of the last complete row."""

    def complete(self, stats_requests: int) -> bool:
        """True when the history surely reaches the end of the run: its last total is the stats' (non-zero) total."""
        return self.requests == stats_requests > 0

    def duration_ms(self) -> int:
        """First to last timestamp."""
        return round((self.last - self.first) * 1000)


def _read_history(stats_path: Path) -> _History | None:
    path = sibling(stats_path, HISTORY_SUFFIX)
    if path is None or not path.is_file():
        return None
    table = _Table(path, _HISTORY_COLUMNS, tuple(_HISTORY_COLUMNS), expect="history")
    first = last = None
    users_max = requests = 0
    # Locust 1.2-2.x leave the history's buffer unflushed at exit: a last row cut short is dropped.
    for line, cells in table.rows(drop_partial_last=True):
        if table.cell(cells, "name") != AGGREGATED:
            continue  # --csv-full-history adds a row per endpoint
        stamp = _number(path, line, "timestamp", table.cell(cells, "timestamp"))
        first = stamp if first is None else first
        if stamp < (last or first):
            raise InputError(path, "timestamps go backwards", line)
        last = stamp
        users_max = max(users_max, _count(path, line, "users", table.cell(cells, "users")))
        requests = _count(path, line, "requests", table.cell(cells, "requests"))
    if first is None or last is None:
        return None
    return _History(path, first, last, users_max, requests)


def _check_failures(stats_path: Path, stats_failures: int) -> None:
    path = sibling(stats_path, FAILURES_SUFFIX)
    if path is None or not path.is_file():
        return
    listed = sum(group.occurrences for group in read_failures(path))
    if listed != stats_failures:
        raise InputError(
            path,
            f"lists {listed} failures but {stats_path.name} counts {stats_failures}: the files are from different runs",
        )
