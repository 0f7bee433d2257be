"""Gatling's text `simulation.log` (3.0 to 3.11) into a `load` evidence item, streamed line by line.

Records are tab-separated, one per line, in the order Gatling's data writer received them. The layouts,
from Gatling's LogFileDataWriter:

| record | 3.0 to 3.3 | 3.4 to 3.11 |
|---|---|---|
| ASSERTION | `ASSERTION <base64>` (before RUN) | same |
| RUN | `RUN class simulationId start(ms) description version` | same |
| USER | `USER scenario userId START/END userStart(ms) timestamp(ms)` | `USER scenario START/END timestamp(ms)` |
| REQUEST | `REQUEST userId groups name start(ms) end(ms) OK/KO message` | `REQUEST groups name start end OK/KO msg` |
| GROUP | `GROUP userId groups start end cumulatedTime OK/KO` | `GROUP groups start end cumulatedTime OK/KO` |
| ERROR | `ERROR message timestamp(ms)` | same |

The layout is chosen from the RUN record's version (3.0-3.3 with user ids, 3.4+ without); when the version
is not a 3.x number it is inferred from the first USER, REQUEST or GROUP record. A record that does not fit the
layout (a truncated last line, a foreign line) is an InputError naming its line. Gatling 2.x logs (RUN
version "2.0") and the binary log Gatling 3.12+ writes are refused with one line saying what to use instead.

What is computed:

- requests and failures per endpoint and overall from REQUEST records (failures = KO); an endpoint is the
  request name, prefixed by its groups as Gatling's report names it ("Group / Sub / Request");
- response time = end - start in ms (a negative difference, from a clock step, counts as 0);
- percentiles are nearest-rank over the exact millisecond values (`percentiles: "exact"`). Gatling's own
  report estimates them its own way (it interpolates between samples), so its figures can differ from these
  by about the gap between two neighbouring samples (1-2 ms on the sample run). Values are counted per
  distinct millisecond, so memory grows with the number of distinct response times (bounded by the longest
  one), not with the number of requests; should an endpoint exceed `MAX_EXACT_VALUES` distinct values, its
  counts move into a `LatencyHistogram` and the item says `percentiles: "histogram"`;
- the observed window runs from the RUN start to the latest timestamp of any record, which is the duration;
- `vus_max` is the peak of USER START minus USER END records, counted in file order;
- at most `MAX_ENDPOINTS` distinct request names are accepted (more means names carry ids), so memory stays
  bounded whatever the size of the log;
- ASSERTION (boopickle-serialised), GROUP and ERROR records are not turned into evidence; their timestamps
  still count for the window.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.stats import LatencyHistogram, error_rate_bp, throughput_mrps
from evaluator.collectors.progress import reading
from evaluator.errors import InputError
from evaluator.evidence.load import Endpoint, Latency, LoadTest, Traffic

MAX_EXACT_VALUES = 20_000
"""Distinct millisecond values kept per endpoint before its latencies move into a LatencyHistogram."""
MAX_ENDPOINTS = 10_000
"""Distinct request names accepted; more means names carry ids, and memory would grow with the file."""

_BINARY_VERSION = re.compile(rb"\A\x00\x00\x00\x00[\x01-\x40](\d+\.\d+[\x20-\x7e]*)")
_TEXT_RUN = re.compile(r"\ARUN\t[^\t\n]*\t[^\t\n]*\t(?:[^\t\n]*\t)?\d+\t")  # 2.x: two simulation ids
_VERSION = re.compile(r"^(\d+)\.(\d+)")
_MAX_NAME = 512
_PERCENTILES = (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99))


class GatlingLogCollector(Collector):
    """Gatling 3.0-3.11 text simulation.log; refuses the 3.12+ binary log with a clear message."""

    format: ClassVar[str] = "gatling-log"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "Gatling 3.0-3.11 simulation.log (tab-separated records; 3.12+ binary logs refused)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` starts with Gatling's RUN record (after any ASSERTION records), or is a binary log."""
        if _BINARY_VERSION.match(head):
            return True
        for line in head.decode("utf-8", "replace").splitlines():
            if line.startswith("ASSERTION\t"):
                continue
            return _TEXT_RUN.match(line + "\n") is not None
        return False

    def collect(self, path: Path) -> Collected:
        """Stream the log at `path`; InputError on a malformed record, a 2.x log or a binary 3.12+ log."""
        try:
            with open(path, "rb") as fh:
                binary = _BINARY_VERSION.match(fh.read(64))
                if binary:
                    version = binary.group(1).decode("ascii")
                    raise InputError(
                        path,
                        f"binary simulation.log of Gatling {version} (3.12+ no longer writes the text log): "
                        "collect the HTML report's js/stats.json instead (--format gatling-stats)",
                    )
                fh.seek(0)
                reader = _LogReader(path)
                with reading(path, fh):
                    for number, raw in enumerate(fh, start=1):
                        reader.read(number, raw)
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a Gatling simulation.log") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        return reader.result()


class _Latencies:
    """Response times in ms: exact counts per distinct value, or a LatencyHistogram past MAX_EXACT_VALUES."""

    __slots__ = ("_counts", "_histogram", "count", "total_ms")

    def __init__(self) -> None:
        self._counts: Counter[int] | None = Counter()
        self._histogram: LatencyHistogram | None = None
        self.count = 0
        self.total_ms = 0

    @property
    def exact(self) -> bool:
        """True while every value is kept."""
        return self._histogram is None

    def add(self, value_ms: int) -> None:
        """Record one response time."""
        self.count += 1
        self.total_ms += value_ms
        if self._counts is None:
            assert self._histogram is not None
            self._histogram.add(value_ms * 1000)
            return
        self._counts[value_ms] += 1
        if len(self._counts) > MAX_EXACT_VALUES:
            self._to_histogram()

    def merge(self, other: _Latencies) -> None:
        """Add every value of `other`."""
        self.count += other.count
        self.total_ms += other.total_ms
        if self._counts is not None and other._counts is not None:
            self._counts.update(other._counts)
            if len(self._counts) > MAX_EXACT_VALUES:
                self._to_histogram()
            return
        self._to_histogram()
        assert self._histogram is not None
        self._histogram.merge(other.histogram())

    def histogram(self) -> LatencyHistogram:
        """The values as a LatencyHistogram (built from the exact counts when still exact)."""
        if self._histogram is not None:
            return self._histogram
        histogram = LatencyHistogram()
        for value, times in (self._counts or {}).items():
            histogram.add(value * 1000, times)
        return histogram

    def _to_histogram(self) -> None:
        if self._histogram is None:
            self._histogram = self.histogram()
            self._counts = None

    def latency(self) -> Latency:
        """min, mean, p50, p90, p95, p99, max in µs; nearest rank over exact values while they are kept."""
        if not self.count:
            return Latency()
        mean = (self.total_ms * 2000 + self.count) // (2 * self.count)
        if self._counts is None:
            summary = self.histogram().summary()
            summary["mean"] = mean
            return Latency(**summary)
        pending = [(field, max(1, -(-p * self.count // 100))) for field, p in _PERCENTILES]
        found: dict[str, int] = {}
        values = sorted(self._counts)
        seen = 0
        for value in values:
            seen += self._counts[value]
            while pending and seen >= pending[0][1]:
                found[pending.pop(0)[0]] = value * 1000
        return Latency(min=values[0] * 1000, mean=mean, max=values[-1] * 1000, **found)


class _Endpoint:
    __slots__ = ("failures", "latencies")

    def __init__(self) -> None:
        self.failures = 0
        self.latencies = _Latencies()


class _LogReader:
    """Reads records one line at a time and keeps only per-endpoint counts and latency distributions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.with_user_id: bool | None = None
        self.version: str | None = None
        self.run_start: int | None = None
        self.last: int | None = None
        self.users = 0
        self.users_max = 0
        self.endpoints: dict[str, _Endpoint] = {}
        self.blank = True

    def fail(self, number: int, message: str) -> InputError:
        """An InputError placed on line `number`."""
        return InputError(self.path, message, number)

    def read(self, number: int, raw: bytes) -> None:
        """Account for one line of the log."""
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line.strip():
            return
        self.blank = False
        fields = line.split("\t")
        record = fields[0]
        if record == "ASSERTION":
            return
        if self.run_start is None:
            if record != "RUN":
                raise self.fail(number, f"expected the RUN record first, found {record[:40]!r}: not a Gatling log")
            self._run(number, fields)
            return
        if record == "REQUEST":
            self._request(number, fields)
        elif record == "USER":
            self._user(number, fields)
        elif record == "GROUP":
            self._layout(number, fields, 7, 6)
            self._timestamp(number, fields[-3], "GROUP end")
        elif record == "ERROR":
            self._timestamp(number, fields[-1], "ERROR timestamp")
        elif record == "RUN":
            raise self.fail(number, "a second RUN record: two simulation logs concatenated?")
        else:
            raise self.fail(number, f"unknown record type {record[:40]!r}")

    def _run(self, number: int, fields: list[str]) -> None:
        # The description is written unsanitised and may hold tabs: the version is the last field.
        if len(fields) < 6:
            raise self.fail(number, f"RUN record has {len(fields)} fields, expected 6 (Gatling 3.0-3.11)")
        version = fields[-1].strip()
        match = _VERSION.match(version)
        if match and int(match.group(1)) == 2:
            raise self.fail(number, "Gatling 2.x simulation.log is not supported; collect js/stats.json instead")
        if match and int(match.group(1)) == 3:
            self.with_user_id = int(match.group(2)) < 4
        self.version = version[:64] or None
        self.run_start = self._int(number, fields[3], "RUN start")
        self.last = self.run_start

    def _layout(self, number: int, fields: list[str], with_id: int, without_id: int) -> bool:
        if self.with_user_id is None and len(fields) in (with_id, without_id):
            self.with_user_id = len(fields) == with_id
        expected = with_id if self.with_user_id else without_id
        if len(fields) != expected:
            era = "3.0-3.3" if self.with_user_id else "3.4-3.11"
            raise self.fail(
                number,
                f"{fields[0]} record has {len(fields)} fields, expected {expected} (Gatling {era}): truncated line?",
            )
        return bool(self.with_user_id)

    def _request(self, number: int, fields: list[str]) -> None:
        offset = 1 if self._layout(number, fields, 8, 7) else 0
        groups, name, start, end, status = fields[1 + offset : 6 + offset]
        if status not in ("OK", "KO"):
            raise self.fail(number, f"REQUEST status is {status[:20]!r}, expected OK or KO")
        start_ms = self._int(number, start, "REQUEST start")
        end_ms = self._int(number, end, "REQUEST end")
        self._seen(end_ms)
        if not name:
            raise self.fail(number, "REQUEST record without a request name")
        full = " / ".join([*(g for g in groups.split(",") if g), name])[:_MAX_NAME] if groups else name[:_MAX_NAME]
        endpoint = self.endpoints.get(full)
        if endpoint is None:
            if len(self.endpoints) >= MAX_ENDPOINTS:
                raise self.fail(
                    number, f"more than {MAX_ENDPOINTS} distinct request names: name requests without ids in them"
                )
            endpoint = self.endpoints[full] = _Endpoint()
        endpoint.latencies.add(max(0, end_ms - start_ms))
        if status == "KO":
            endpoint.failures += 1

    def _user(self, number: int, fields: list[str]) -> None:
        with_id = self._layout(number, fields, 6, 4)
        event = fields[3] if with_id else fields[2]
        self._timestamp(number, fields[-1], "USER timestamp")
        if event == "START":
            self.users += 1
            self.users_max = max(self.users_max, self.users)
        elif event == "END":
            self.users = max(0, self.users - 1)
        else:
            raise self.fail(number, f"USER event is {event[:20]!r}, expected START or END")

    def _timestamp(self, number: int, text: str, what: str) -> None:
        self._seen(self._int(number, text, what))

    def _seen(self, timestamp: int) -> None:
        if self.last is None or timestamp > self.last:
            self.last = timestamp

    def _int(self, number: int, text: str, what: str) -> int:
        if text.isdigit() and text.isascii() and len(text) <= 18:
            return int(text)
        raise self.fail(number, f"{what} is {text[:30]!r}, expected epoch milliseconds: truncated line?")

    def result(self) -> Collected:
        """The load item's content once every line has been read."""
        if self.blank:
            raise InputError(self.path, "file is empty, expected a Gatling simulation.log")
        if self.run_start is None or self.last is None:
            raise InputError(self.path, "no RUN record: not a Gatling simulation.log (or only ASSERTION records)")
        duration_ms = self.last - self.run_start
        overall = _Latencies()
        failures = 0
        endpoints: list[Endpoint] = []
        for name in sorted(self.endpoints):
            endpoint = self.endpoints[name]
            overall.merge(endpoint.latencies)
            failures += endpoint.failures
            endpoints.append(Endpoint(name=name, **_traffic(endpoint.latencies, endpoint.failures, duration_ms)))
        exact = overall.exact and all(e.latencies.exact for e in self.endpoints.values())
        data = LoadTest(
            duration_ms=duration_ms,
            vus_max=self.users_max,
            totals=Traffic(**_traffic(overall, failures, duration_ms)),
            endpoints=endpoints,
            checks=[],
            thresholds=[],
            percentiles="exact" if exact else "histogram",
        )
        return Collected(
            data=data,
            tool="gatling",
            tool_version=self.version,
            observed_start=_utc(self.run_start),
            observed_end=_utc(self.last),
        )


def _traffic(latencies: _Latencies, failures: int, duration_ms: int) -> dict[str, object]:
    return {
        "requests": latencies.count,
        "failures": failures,
        "error_rate_bp": error_rate_bp(failures, latencies.count),
        "throughput_mrps": throughput_mrps(latencies.count, duration_ms),
        "latency_us": latencies.latency(),
    }


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).replace(microsecond=epoch_ms % 1000 * 1000)
