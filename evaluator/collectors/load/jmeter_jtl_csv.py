"""JMeter JTL results in CSV (`-l results.jtl`, the default output format) into a `load` evidence item.

Layouts read:

- with a header line (JMeter 3.0+ writes one by default: `jmeter.save.saveservice.print_field_names=true`),
  columns found by name in any order, whatever extra columns are saved; 5.x writes timeStamp, elapsed,
  label, responseCode, responseMessage, threadName, dataType, success, failureMessage, bytes, sentBytes,
  grpThreads, allThreads, URL, Latency, IdleTime, Connect;
- without a header (2.x's default, or print_field_names=false): the columns are assumed to be JMeter's
  default selection in its fixed order, and the number of fields picks which default: 17 = 3.1+ (the
  list above), 16 = 3.0 (no sentBytes), 13 = 2.x with failure messages, 12 = 2.x defaults (timeStamp,
  elapsed, label, responseCode, responseMessage, threadName, dataType, success, bytes, grpThreads,
  allThreads, Latency). A file saved with another selection of columns needs its header;
- any of the delimiters JMeter is configured with (`jmeter.save.saveservice.default_delimiter`):
  `,` `;` tab `|`; fields quoted the way JMeter quotes them (a field holding the delimiter, a quote or a
  line break is quoted, quotes doubled), so failure messages may span lines.

Required columns: timeStamp (epoch milliseconds, JMeter's default `timestamp_format=ms`), elapsed,
label, success. allThreads (for vus_max) and responseMessage are used when present.

Counting rules:

- every row is one sample; a row whose success is `false` is a failure;
- the endpoint is the label (JMeter has no method column: a label starting with an HTTP method and a
  space, "GET /cart", gives the method);
- a transaction controller writes its own row (responseMessage "Number of samples in transaction : …");
  its label is reported as an endpoint, but the totals leave it out, since its child samples are already
  counted, as JMeter's dashboard does for its "Total" row (when every row comes from a controller, the
  totals count them);
- the window runs from the earliest timeStamp to the latest timeStamp + elapsed; throughput, overall and
  per endpoint, is over that whole window.

Percentiles: elapsed is whole milliseconds, so each label keeps an exact count per distinct value and the
percentiles (nearest rank, as in `stats.py`) are exact (`percentiles: "exact"`). Should the distinct
(label, elapsed) pairs exceed `EXACT_KEYS_MAX`, they are folded into `LatencyHistogram`s (0.1 % bounded
error) and the item says `"histogram"`; memory stays bounded either way.

Speed: DuckDB reads and aggregates the file first (`sql.py`: parallel, streaming, within a memory limit), one
row per (label, elapsed, success); the rows it returns are checked against the rules above, and any file it
refuses, or whose values break a rule, is read again by the collector's own reader, which names the offending
line (one leniency remains on the fast path: a number with a leading '+' is read as the number).
bench/jtl_vs_pandas.py measures both on 10 million samples (1.1 GB); see its output for the numbers.

The own reader reads blocks of whole records (4 MiB). Lines without a quote are split with `bytes.split`, only
up to the last column needed, and aggregated column-wise with C-level map/Counter calls (the cyclic GC is paused
meanwhile); quoted records go through the csv module, all of a block's in one pass. Every line having the
header's number of fields is checked by counting the block's delimiters. A block that fails any fast check
(field count, numbers, success values) is re-read row by row with the csv module, which either accepts it or
names the offending line.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import add, eq, itemgetter, methodcaller
from pathlib import Path
from typing import ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load import sql
from evaluator.collectors.load.stats import LatencyHistogram, error_rate_bp, throughput_mrps
from evaluator.collectors.progress import reading
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters JMeter users configure; the header (or the first line) tells which one a file uses."""
REQUIRED = ("timeStamp", "elapsed", "label", "success")
"""Columns without which a JTL says nothing usable."""
_FULL_5 = (
    "timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName", "dataType", "success",
    "failureMessage", "bytes", "sentBytes", "grpThreads", "allThreads", "URL", "Latency", "IdleTime", "Connect",
)  # fmt: skip
_THREADS_LATENCY = ("grpThreads", "allThreads", "Latency")
DEFAULT_LAYOUTS: dict[int, tuple[str, ...]] = {
    17: _FULL_5,
    16: tuple(c for c in _FULL_5 if c != "sentBytes"),
    13: (*_FULL_5[:10], *_THREADS_LATENCY),
    12: (*(c for c in _FULL_5[:10] if c != "failureMessage"), *_THREADS_LATENCY),
}
"""Header-less files: JMeter's default columns by number of fields (3.1+, 3.0, 2.x with failure messages, 2.x)."""
CONTROLLER_PREFIX = "Number of samples in transaction"
"""How a transaction controller's responseMessage starts (JMeter's TransactionController)."""
EXACT_KEYS_MAX = 400_000
"""Distinct (label, elapsed) pairs counted exactly before folding into histograms (bounds memory)."""
_BLOCK = 4 * 1024 * 1024
_RECORD_MAX = 64 * 1024 * 1024
_METHOD = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)\s")
_LEADING_DIGITS = re.compile(r"\d+")
_LEADING_DIGITS_BYTES = re.compile(rb"\d+")
_HEADLESS = re.compile(rb"^\d{10,13}([,;\t|])\d+\1")


def _decode_head(head: bytes) -> str:
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")


def header_layout(first_line: str) -> tuple[str, tuple[str, ...]] | None:
    """(delimiter, column names) when `first_line` is a JTL header (it names timeStamp, and elapsed or label)."""
    for delimiter in DELIMITERS:
        names = tuple(n.strip().strip('"') for n in first_line.rstrip("\r\n").split(delimiter))
        if "timeStamp" in names and ("elapsed" in names or "label" in names):
            return delimiter, names
    return None


def headless_layout(first_line: str) -> tuple[str, tuple[str, ...]] | None:
    """(delimiter, JMeter's default columns) when `first_line` is a header-less sample row of a known width."""
    match = _HEADLESS.match(first_line.encode())
    if match is None:
        return None
    delimiter = match.group(1).decode()
    rows = list(csv.reader([first_line.rstrip("\r\n")], delimiter=delimiter))
    fields = rows[0] if rows else []
    layout = DEFAULT_LAYOUTS.get(len(fields))
    if layout is None or fields[layout.index("success")] not in ("true", "false"):
        return None
    return delimiter, layout


class JMeterJtlCsvCollector(Collector):
    """JMeter JTL CSV results (with or without header, any delimiter JMeter writes)."""

    format: ClassVar[str] = "jmeter-jtl-csv"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "JMeter JTL results in CSV (-l results.jtl), with or without header, 2.x to 5.x"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the first line is a JTL header, or a header-less row in one of JMeter's default layouts."""
        first = _decode_head(head).split("\n", 1)[0]
        return header_layout(first) is not None or headless_layout(first) is not None

    def collect(self, path: Path) -> Collected:
        """Stream the JTL at `path`; InputError naming the line on anything malformed."""
        try:
            with open(path, "rb") as fh, reading(path, fh):
                first = fh.readline(_RECORD_MAX)
                text = _decode_head(first)
                if not text.strip():
                    raise InputError(path, "file is empty, expected a JMeter JTL CSV file")
                layout = header_layout(text)
                has_header = layout is not None
                if layout is None:
                    layout = headless_layout(text)
                if layout is None:
                    raise InputError(
                        path,
                        "not a JMeter JTL CSV: no header naming timeStamp, and the first line is not a "
                        f"sample in one of JMeter's default layouts ({', '.join(map(str, DEFAULT_LAYOUTS))} fields)",
                        1,
                    )
                delimiter, columns = layout
                missing = [c for c in REQUIRED if c not in columns]
                if missing:
                    raise InputError(
                        path, f"the header has no {missing[0]!r} column (required: {', '.join(REQUIRED)})", 1
                    )
                fast = _duckdb_aggregate(path, delimiter, columns, has_header)
                if fast is not None:
                    return fast.collected()
                reader = _JtlReader(path, delimiter, columns)
                aggregate = reader.aggregate
                if has_header:
                    reader.line = 1
                else:
                    reader.feed(first.removeprefix(b"\xef\xbb\xbf"), final=False)
                was_enabled = gc.isenabled()
                gc.disable()  # millions of short-lived tuples: the cyclic GC would rescan them for nothing
                try:
                    while block := fh.read(_BLOCK):
                        reader.feed(block, final=False)
                    reader.feed(b"", final=True)
                finally:
                    if was_enabled:
                        gc.enable()
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a JMeter JTL CSV file") from None
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not text: {exc.reason}") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        if not aggregate.samples:
            raise InputError(path, "the JTL holds no samples")
        return aggregate.collected()


def _duckdb_aggregate(path: Path, delimiter: str, columns: tuple[str, ...], has_header: bool) -> JtlAggregate | None:
    """The file's aggregate by DuckDB (see sql.py); None when DuckDB or a value check rejects it."""
    names = {name: f"c{i}" for i, name in reversed(list(enumerate(columns)))}  # first of a duplicate name wins
    typed = {names["timeStamp"], names["elapsed"]}
    threads = names.get("allThreads")
    if threads is not None:
        typed.add(threads)
    spec = ", ".join(f"'c{i}': '{'BIGINT' if f'c{i}' in typed else 'VARCHAR'}'" for i in range(len(columns)))
    stamp, elapsed, label, success = names["timeStamp"], names["elapsed"], names["label"], names["success"]
    message = names.get("responseMessage")
    query = f"""
        SELECT {label}, {elapsed}, {success}, count(*), min({stamp}), max({stamp} + {elapsed}),
               {f"max({threads})" if threads else "NULL"},
               {f"count_if(starts_with({message}, $prefix))" if message else "0"},
               count_if({stamp} IS NULL OR {elapsed} IS NULL OR {stamp} < 0 OR {elapsed} < 0
                        {f"OR {threads} IS NULL" if threads else ""})
        FROM read_csv($path, header = {"true" if has_header else "false"}, delim = $delimiter, quote = '"',
                      escape = '"', auto_detect = false, strict_mode = true, null_padding = false,
                      buffer_size = {sql.BUFFER_BYTES}, max_line_size = {sql.MAX_LINE_BYTES}, columns = {{{spec}}})
        GROUP BY ALL
    """
    aggregate = JtlAggregate()
    valid = True

    def consume(rows: list[tuple]) -> None:
        nonlocal valid
        counts: Counter[str] = Counter()
        failures: Counter[str] = Counter()
        for name, millis, outcome, times, first, last, peak, controller, bad in rows:
            if bad or outcome not in ("true", "false"):
                valid = False
                return
            name = name or ""
            counts[f"{millis},{name}"] += times
            if outcome == "false":
                failures[name] += times
            if controller:
                aggregate.controllers.add(name)
            aggregate.observe(first, last, peak)
            aggregate.samples += times
        aggregate.add_keys(counts, failures, 0, aggregate.start or 0, aggregate.end or 0, None)

    parameters = {"delimiter": delimiter}
    if message:
        parameters["prefix"] = CONTROLLER_PREFIX
    if not sql.scan(path, query, parameters, consume) or not valid or not aggregate.samples:
        return None
    return aggregate


class JtlAggregate:
    """Per-label sample counts of a JTL, fed row by row or column-wise; bounded memory."""

    def __init__(self) -> None:
        self.counts: Counter[bytes | str] = Counter()
        """elapsed ms, one separator character, label (b"57,/home") -> samples; exact while small."""
        self.failures: Counter[bytes | str] = Counter()
        """label -> failed samples."""
        self.histograms: dict[bytes | str, LatencyHistogram] = {}
        """Labels folded out of `counts` once it grew past EXACT_KEYS_MAX."""
        self.controllers: set[bytes | str] = set()
        """Labels written by transaction controllers."""
        self.samples = 0
        self.start: int | None = None
        self.end: int | None = None
        self.threads: int | None = None

    def add_keys(
        self,
        keys: Iterable[bytes] | Iterable[str],
        failed_labels: Iterable[bytes] | Iterable[str],
        samples: int,
        start: int,
        end: int,
        threads: int | None,
    ) -> None:
        """Add a block of already validated samples, as keys (elapsed, separator, label) and failed samples' labels."""
        self.counts.update(keys)
        self.failures.update(failed_labels)
        self.samples += samples
        self.observe(start, end, threads)
        if len(self.counts) > EXACT_KEYS_MAX:
            self._fold()

    def add_sample(self, label: bytes | str, elapsed: int, failed: bool, start: int, threads: int | None) -> None:
        """Add one validated sample."""
        key = f"{elapsed},".encode() + label if isinstance(label, bytes) else f"{elapsed},{label}"
        self.add_keys([key], [label] if failed else [], 1, start, start + elapsed, threads)

    def observe(self, start: int, end: int, threads: int | None) -> None:
        """Widen the window and raise the peak thread count."""
        self.start = start if self.start is None else min(self.start, start)
        self.end = end if self.end is None else max(self.end, end)
        if threads is not None:
            self.threads = threads if self.threads is None else max(self.threads, threads)

    def _fold(self) -> None:
        for key, times in self.counts.items():
            elapsed, label = _split_key(key)
            histogram = self.histograms.get(label)
            if histogram is None:
                histogram = self.histograms[label] = LatencyHistogram()
            histogram.add(elapsed * 1000, times)
        self.counts.clear()

    def collected(self, tool_version: str | None = None) -> Collected:
        """The `load` data of everything added."""
        exact: dict[str, Counter[int]] = {}
        for key, times in self.counts.items():
            elapsed, label = _split_key(key)
            exact.setdefault(_text(label), Counter())[elapsed] += times
        folded = {_text(label): h for label, h in self.histograms.items()}
        failures: Counter[str] = Counter()
        for label, times in self.failures.items():
            failures[_text(label)] += times
        controllers = {_text(label) for label in self.controllers}
        assert self.start is not None and self.end is not None
        duration = max(self.end - self.start, 0)
        endpoints = []
        total_exact: Counter[int] = Counter()
        total_hist = LatencyHistogram()
        total_failures = 0
        labels = sorted(set(exact) | set(folded))
        only_controllers = bool(labels) and all(label in controllers for label in labels)
        for label in labels:
            values = exact.get(label, Counter())
            histogram = folded.get(label)
            latency, requests = _latency(values, histogram)
            fails = failures[label]
            if label not in controllers or only_controllers:
                total_exact.update(values)
                if histogram is not None:
                    total_hist.merge(histogram)
                total_failures += fails
            match = _METHOD.match(label)
            endpoints.append(
                Endpoint(
                    name=label[:512] or "(empty label)",
                    method=match.group(1) if match else None,
                    requests=requests,
                    failures=fails,
                    error_rate_bp=error_rate_bp(fails, requests),
                    throughput_mrps=throughput_mrps(requests, duration),
                    latency_us=latency,
                )
            )
        endpoints.sort(key=lambda e: (e.name, e.method or ""))
        latency, requests = _latency(total_exact, total_hist if total_hist.count else None)
        data = LoadTest(
            duration_ms=duration,
            vus_max=self.threads,
            totals=Traffic(
                requests=requests,
                failures=total_failures,
                error_rate_bp=error_rate_bp(total_failures, requests),
                throughput_mrps=throughput_mrps(requests, duration),
                latency_us=latency,
            ),
            endpoints=endpoints,
            checks=[],
            thresholds=[],
            percentiles="histogram" if self.histograms else "exact",
        )
        return Collected(
            data=data,
            tool="jmeter",
            tool_version=tool_version,
            observed_start=datetime.fromtimestamp(self.start / 1000, UTC),
            observed_end=datetime.fromtimestamp(self.end / 1000, UTC),
        )


def _split_key(key: bytes | str) -> tuple[int, bytes | str]:
    """(elapsed, label) of a counting key: digits, one separator character, the label."""
    match = _LEADING_DIGITS.match(key) if isinstance(key, str) else _LEADING_DIGITS_BYTES.match(key)
    assert match is not None
    return int(match.group()), key[match.end() + 1 :]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _latency(values: Counter[int], histogram: LatencyHistogram | None) -> tuple[Latency, int]:
    """Latency in µs of exact per-millisecond counts, plus a histogram when some were folded; and the count."""
    if histogram is not None:
        merged = LatencyHistogram()
        merged.merge(histogram)
        for value, times in values.items():
            merged.add(value * 1000, times)
        return Latency(**merged.summary()), merged.count
    count = sum(values.values())
    if not count:
        return Latency(), 0
    ordered = sorted(values.items())
    total_us = sum(v * n for v, n in ordered) * 1000
    summary: dict[str, int] = {"min": ordered[0][0] * 1000, "max": ordered[-1][0] * 1000}
    summary["mean"] = (total_us * 2 + count) // (2 * count)
    for name, p in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
        summary[name] = nearest_rank(ordered, count, p) * 1000
    return Latency(**summary), count


def nearest_rank(ordered: list[tuple[int, int]], count: int, p: float) -> int:
    """The smallest value with at least p % of the samples at or below it, from sorted (value, times) pairs."""
    rank = max(1, math.ceil(p / 100 * count))
    seen = 0
    for value, times in ordered:
        seen += times
        if seen >= rank:
            return value
    return ordered[-1][0]


class _JtlReader:
    """Cuts the byte stream into whole records and feeds them to a JtlAggregate, fast path first."""

    def __init__(self, path: Path, delimiter: str, columns: tuple[str, ...]) -> None:
        self.path = path
        self.delimiter = delimiter
        self.width = len(columns)
        self.aggregate = JtlAggregate()
        self.line = 0
        """Lines consumed before the pending data."""
        self._pending = b""
        self._index = {name: columns.index(name) for name in REQUIRED}
        self._threads = columns.index("allThreads") if "allThreads" in columns else None
        self._message = columns.index("responseMessage") if "responseMessage" in columns else None
        self._delimiter = delimiter.encode()
        needed = [*self._index.values(), *(i for i in (self._threads, self._message) if i is not None)]
        # Split no further than the last needed column: fewer objects per line.
        self._split_width = min(max(needed) + 2, self.width)
        self._split = methodcaller("split", self._delimiter, self._split_width - 1)
        self._key = itemgetter(self._index["elapsed"], self._index["label"])
        self._quote = b'"'
        self._controller_prefix = CONTROLLER_PREFIX.encode()

    def feed(self, block: bytes, final: bool) -> None:
        """Take more bytes; process every complete record (all of them when `final`)."""
        data = self._pending + block if self._pending else block
        if not final:
            cut = data.rfind(b"\n")
            while cut != -1 and data.count(self._quote, 0, cut) % 2:
                cut = data.rfind(b"\n", 0, cut)
            if cut == -1:
                if len(data) > _RECORD_MAX:
                    raise InputError(self.path, "a record longer than 64 MiB (an unterminated quote?)", self.line + 1)
                self._pending = data
                return
            self._pending = data[cut + 1 :]
            data = data[: cut + 1]
        else:
            self._pending = b""
        if data:
            self._block(data)

    def _block(self, data: bytes) -> None:
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        quoted: list[list[bytes]] = []
        quoted_delimiters = 0
        if self._quote not in data:
            lines = data.split(b"\n")
        else:
            lines, quoted, quoted_delimiters = self._segments(data)
        if lines and not lines[-1]:
            lines.pop()
        if b"" in lines:
            lines = [line for line in lines if line]
        plain_delimiters = data.count(self._delimiter) - quoted_delimiters
        controllers = self._message is not None and self._controller_prefix in data
        if not self._fast(lines, quoted, plain_delimiters, controllers):
            self._slow(data)
        self.line += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def _segments(self, data: bytes) -> tuple[list[bytes], list[list[bytes]], int]:
        """Lines without quotes; the quoted records parsed with the csv module; the delimiters in those records."""
        lines: list[bytes] = []
        records: list[bytes] = []
        quoted: list[list[bytes]] = []
        delimiters = 0
        pos = 0
        size = len(data)
        while pos < size:
            q = data.find(self._quote, pos)
            if q == -1:
                lines.extend(data[pos:].split(b"\n"))
                break
            start = max(data.rfind(b"\n", pos, q) + 1, pos)
            if start > pos:
                lines.extend(data[pos : start - 1].split(b"\n"))
            end = data.find(b"\n", q)
            while end != -1 and data.count(self._quote, start, end) % 2:
                end = data.find(b"\n", end + 1)
            if end == -1:
                end = size
            records.append(data[start:end])
            pos = end + 1
        if records:
            raw = b"\n".join(records)
            delimiters = raw.count(self._delimiter)
            try:
                text = io.StringIO(raw.decode("utf-8"), newline="")
                quoted = [[f.encode() for f in row] for row in csv.reader(text, delimiter=self.delimiter, strict=True)]
            except csv.Error:
                quoted = []
            if len(quoted) != len(records):
                quoted = [[]]  # the slow path names the line
        return lines, quoted, delimiters

    def _fast(self, lines: list[bytes], quoted: list[list[bytes]], plain_delimiters: int, controllers: bool) -> bool:
        """Aggregate a block column-wise; False (and nothing added) when anything looks off.

        Lines are split only up to the last column needed; that every line has exactly the header's
        number of fields is checked by counting the block's delimiters instead.
        """
        if plain_delimiters != (self.width - 1) * len(lines):
            return False
        rows = list(map(self._split, lines))
        if rows and set(map(len, rows)) != {self._split_width}:
            return False
        if quoted:
            if set(map(len, quoted)) != {self.width}:
                return False
            rows.extend(quoted)
        if not rows:
            return True
        index = self._index
        elapsed = list(map(itemgetter(index["elapsed"]), rows))
        success = list(map(itemgetter(index["success"]), rows))
        if not set(success) <= {b"true", b"false"}:
            return False
        try:
            stamps = list(map(int, map(itemgetter(index["timeStamp"]), rows)))
            durations = list(map(int, elapsed))
            threads = None
            if self._threads is not None:
                threads = max(map(int, set(map(itemgetter(self._threads), rows))))
        except ValueError:
            return False
        if min(durations) < 0 or min(stamps) < 0 or not b"".join(set(elapsed)).isdigit():
            return False
        if controllers:  # the block holds a transaction controller's message somewhere
            label, message, prefix = index["label"], self._message, self._controller_prefix
            self.aggregate.controllers.update(row[label] for row in rows if row[message].startswith(prefix))
        failed = list(map(eq, success, repeat(b"false")))
        self.aggregate.add_keys(
            map(self._delimiter.join, map(self._key, rows)),
            map(itemgetter(index["label"]), compress(rows, failed)),
            len(rows),
            min(stamps),
            max(map(add, stamps, durations)),
            threads,
        )
        return True

    def _slow(self, data: bytes) -> None:
        """Re-read a block row by row with the csv module; InputError naming the first bad line."""
        text = data.decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
        index = self._index
        rows = _rows(reader, self.path, self.line)
        for line, row in rows:
            if not row:
                continue
            if len(row) != self.width:
                hint = " (truncated?)" if len(row) < self.width else ""
                raise InputError(self.path, f"a row of {len(row)} fields, expected {self.width}{hint}", line)
            stamp = _integer(row[index["timeStamp"]], "timeStamp", self.path, line)
            elapsed = _integer(row[index["elapsed"]], "elapsed", self.path, line)
            success = row[index["success"]]
            if success not in ("true", "false"):
                raise InputError(self.path, f"success is {success[:40]!r}, expected true or false", line)
            threads = None
            if self._threads is not None:
                threads = _integer(row[self._threads], "allThreads", self.path, line)
            label = row[index["label"]].encode()
            if self._message is not None and row[self._message].startswith(CONTROLLER_PREFIX):
                self.aggregate.controllers.add(label)
            self.aggregate.add_sample(label, elapsed, success == "false", stamp, threads)


def _rows(reader: Iterator[list[str]], path: Path, base: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) pairs; a csv error becomes an InputError at its line."""
    line = base + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = "the file ends inside a quoted field (truncated?)"
            raise InputError(path, f"malformed CSV: {reason}", line) from None
        yield line, row
        line = base + reader.line_num + 1  # type: ignore[attr-defined]


def _integer(text: str, column: str, path: Path, line: int) -> int:
    value = text.strip()
    if not value.isdigit():
        if column == "timeStamp" and value:
            reason = "not epoch milliseconds; save results with jmeter.save.saveservice.timestamp_format=ms"
            raise InputError(path, f"timeStamp {value[:40]!r} is {reason}", line)
        raise InputError(path, f"{column} is {value[:40]!r}, expected a whole number", line)
    return int(value)
