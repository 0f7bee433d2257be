"""JUnit XML test reports, in the flavours real tools write, into a `tests` evidence item.

Read: pytest (`--junitxml`, xunit1 and xunit2 families), Maven Surefire and Failsafe (including
`flakyFailure` / `flakyError` / `rerunFailure` / `rerunError`), Gradle, go-junit-report, gotestsum,
jest-junit, PHPUnit (nested suites), ctest (`--output-junit`), Ant; a root `<testsuites>` or a single
`<testsuite>`.

Counting rules:

- counts come from the `<testcase>` elements, never from the suites' `tests` / `failures` attributes,
  which several tools get wrong (Surefire with reruns, jest-junit with todo tests);
- a case is failed when it has a `<failure>`, else errored with an `<error>`, else skipped with a
  `<skipped>`, else passed; a passed case with `flakyFailure` / `flakyError` children passed on a
  rerun and is also counted as flaky;
- nested suites (PHPUnit) count each case once, in its nearest suite; a suite is reported when it
  holds cases itself or holds no suite at all;
- `time` attributes are seconds ("1,234.5" and "0,5" are understood), turned into integer
  milliseconds; the run's duration is the root's `time`, else the sum of its suites;
- the observed window runs from the earliest suite `timestamp` to the latest suite end (its timestamp
  plus its time); a timestamp without a UTC offset (jest-junit, Gradle, Ant, ctest write them so) is
  read as UTC, so one written in local time is off by the machine's UTC offset; without any timestamp
  the window is left unknown.

The producing tool is recognised by what only it writes (pytest's and jest-junit's root names, Surefire's
schema location, PHPUnit's `assertions`, ctest's case `status`, go's package-named suites, Ant's
`ant.version` property, Gradle's attribute order and empty properties); otherwise it is "junit".

Failure messages are the `message` attribute, else the first line of the element's text that says
something (go's `=== RUN` lines and PHPUnit's repeated test name are skipped), cut to 1000 characters
after credentials are masked. `system-out` / `system-err` are never read.

The file is parsed with defusedxml's SAX parser (entity declarations and external references are
refused, so entity-expansion bombs fail fast) and streamed: memory stays bounded whatever the size of
the report or of any element's text, since only the first few kilobytes of a failure's text are kept.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar, Literal
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.sax import make_parser

from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.tests import (
    MAX_LISTED_CASES,
    FailedCase,
    FlakyCase,
    RunResults,
    RunTotals,
    SuiteResult,
)
from evaluator.redact import redact

_ROOTS = ("testsuites", "testsuite")
_FAILURE_OUTCOMES = ("failure", "error")
_FLAKY_OUTCOMES = ("flakyFailure", "flakyError")
_OUTPUT = ("system-out", "system-err")
_TEXT_KEPT = 8192
"""Characters of a failure's text kept to find its first line; the rest is never held in memory."""
_REDACT_WINDOW = 8192
"""Characters of a message masked before it is cut to 1000: enough that a secret straddling the cut is seen whole."""
_MAX_SECONDS = Decimal(10**9)
"""A `time` above this (31 years) is garbage, read as unknown."""
_CTEST_STATUSES = frozenset({"run", "fail", "notrun", "disabled"})
_GO_PLACEHOLDER = "Failed"
"""The `message` go-junit-report and gotestsum put on every failure; the text says what failed."""
_GO_FRAMING = re.compile(r"^\s*(?:=== (?:RUN|PAUSE|CONT|NAME)|--- (?:FAIL|PASS|SKIP))\b")
_ANT_VERSION = re.compile(r"version\s+(\d+(?:\.\d+)+)")

# What may precede the root element: BOM (stripped before), whitespace, XML declaration, comments,
# processing instructions, a DOCTYPE.
_ROOT_START = re.compile(
    r"\A\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*"
    r"<(?:[A-Za-z_][\w.-]*:)?testsuites?[\s/>]",
    re.DOTALL,
)


class JUnitXmlCollector(Collector):
    """JUnit XML reports of pytest, Surefire/Failsafe, Gradle, Go, jest, PHPUnit, ctest and Ant."""

    format: ClassVar[str] = "junit-xml"
    kind: ClassVar[str] = "tests"
    schema: ClassVar[str] = "tests/v1"
    description: ClassVar[str] = (
        "JUnit XML test report (pytest, Maven Surefire/Failsafe, Gradle, go-junit-report, gotestsum, "
        "jest-junit, PHPUnit, ctest, Ant)"
    )

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the first element of `head` is <testsuites> or <testsuite>."""
        return _ROOT_START.match(decode_head(head)) is not None

    def collect(self, path: Path) -> Collected:
        """Stream-parse the report at `path`; InputError when it is not a well-formed JUnit XML report."""
        handler = _ReportHandler()
        parser = make_parser()
        parser.setContentHandler(handler)
        try:
            with open(path, "rb") as fh:
                parser.parse(fh)
        except SAXParseException as exc:
            raise _malformed(path, exc, handler.root is not None) from None
        except EntitiesForbidden as exc:
            reason = f"the XML declares the entity {exc.name!r}; a test report never needs entities"
            raise InputError(path, f"refused: {reason} (they are how entity-expansion bombs work)") from None
        except ExternalReferenceForbidden as exc:
            raise InputError(path, f"refused: the XML references an external resource {exc.sysid!r}") from None
        except _WrongRoot as exc:
            expected = "expected <testsuites> or <testsuite>"
            message = f"not a JUnit XML report: the root element is <{exc.element}>, {expected}"
            raise InputError(path, message, exc.line, exc.column) from None
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a JUnit XML report") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        return handler.result()


class _WrongRoot(Exception):
    def __init__(self, element: str, line: int | None, column: int | None) -> None:
        super().__init__(element)
        self.element = element
        self.line = line
        self.column = column


def _malformed(path: Path, exc: SAXParseException, saw_root: bool) -> InputError:
    line, column = exc.getLineNumber(), exc.getColumnNumber()
    reason = exc.getMessage()
    if not saw_root and is_blank(path):
        return InputError(path, "file is empty, expected a JUnit XML report")
    if saw_root and reason == "no element found":
        reason = "the file ends before the report does (truncated?)"
    return InputError(
        path,
        f"malformed XML: {reason}",
        line if isinstance(line, int) else None,
        column + 1 if isinstance(column, int) else None,
    )


def is_blank(path: Path) -> bool:
    """True when the file holds nothing but whitespace (and a byte-order mark) in its first 4 KiB."""
    try:
        with open(path, "rb") as fh:
            return not decode_head(fh.read(4096)).strip()
    except OSError:
        return False


def decode_head(head: bytes) -> str:
    """The first bytes of an XML file as text: UTF-8 or UTF-16 by byte-order mark, else UTF-8, errors replaced."""
    if head.startswith(codecs.BOM_UTF8):
        return head[len(codecs.BOM_UTF8) :].decode("utf-8", "replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", "replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", "replace")
    return head.decode("utf-8", "replace")


def seconds_to_ms(text: str | None) -> int | None:
    """Milliseconds of a `time` attribute in seconds ('0.25', '1,234.5', '0,5'); None when absent or garbage."""
    if text is None:
        return None
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace("_", "")
    if not value:
        return None
    if "," in value:
        if "." in value:
            # Both separators: the later one is the decimal point.
            if value.rfind(",") > value.rfind("."):
                value = value.replace(".", "").replace(",", ".")
            else:
                value = value.replace(",", "")
        else:
            # One comma: "0,5" and "12,5" are decimal commas; "1,234" (three digits after a non-zero whole
            # part) and "1,234,567" are thousands separators.
            whole, _, fraction = value.rpartition(",")
            thousands = value.count(",") > 1 or (len(fraction) == 3 and whole.lstrip("+-") not in ("", "0"))
            value = value.replace(",", "") if thousands else f"{whole}.{fraction}"
    try:
        seconds = Decimal(value)
    except InvalidOperation:
        return None
    if not seconds.is_finite() or seconds < 0 or seconds > _MAX_SECONDS:
        return None
    return int((seconds * 1000).to_integral_value(rounding=ROUND_HALF_UP))


def parse_timestamp(text: str | None) -> datetime | None:
    """A suite `timestamp` as an aware UTC datetime; one without offset is read as UTC; None if unreadable."""
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return redact(text[:_REDACT_WINDOW])[:limit]


@dataclass
class _Detail:
    """A <failure>, <error> or <flakyFailure> element: its attributes and the start of its text."""

    type: str | None
    message: str | None
    text: list[str] = field(default_factory=list)
    kept: int = 0

    def add_text(self, content: str) -> None:
        if self.kept < _TEXT_KEPT:
            piece = content[: _TEXT_KEPT - self.kept]
            self.text.append(piece)
            self.kept += len(piece)

    def summary(self, test_id: str | None) -> str | None:
        """The message attribute, else the first line of the text that says something."""
        attribute = (self.message or "").strip()
        if attribute and attribute != _GO_PLACEHOLDER:
            return attribute
        for line in "".join(self.text).splitlines():
            line = line.strip()
            if not line or _GO_FRAMING.match(line) or (test_id and line.startswith(test_id)):
                continue
            return line
        return attribute or None


@dataclass
class _Suite:
    name: str
    time_ms: int | None
    timestamp: datetime | None
    tests: int = 0
    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    flaky: int = 0
    case_ms: int = 0
    """Time of the suite's own cases."""
    nested_ms: int = 0
    """Time of the suites nested in it."""
    has_nested: bool = False

    def total_ms(self) -> int:
        """The suite's time as reported, else what its cases and nested suites add up to."""
        return self.time_ms if self.time_ms is not None else self.case_ms + self.nested_ms

    def reported(self) -> bool:
        """Leaf suites and suites holding cases themselves are reported; pure containers are not."""
        return self.tests > 0 or not self.has_nested

    def result(self) -> SuiteResult:
        """The suite's row in the evidence."""
        own_ms = self.case_ms if self.has_nested else self.total_ms()
        return SuiteResult(
            name=_clip(self.name, 512) or "",
            tests=self.tests,
            passed=self.passed,
            failed=self.failed,
            errored=self.errored,
            skipped=self.skipped,
            flaky=self.flaky,
            duration_ms=own_ms,
        )


@dataclass
class _Case:
    suite: _Suite
    name: str
    classname: str | None
    test_id: str | None
    file: str | None
    line: int | None
    time_ms: int | None
    depth: int
    failure: _Detail | None = None
    error: _Detail | None = None
    skipped: bool = False
    flaky_attempts: int = 0
    flaky: _Detail | None = None


@dataclass
class _Producer:
    """Clues to which tool wrote the report, gathered while streaming."""

    pytest: bool = False
    jest: bool = False
    surefire: bool = False
    failsafe: bool = False
    phpunit: bool = False
    ctest: bool = False
    go_version: bool = False
    ant_version: str | None = None
    suite_id: bool = False
    suite_package: bool = False
    classname_is_suite: bool = True
    hostname_and_timestamp: bool = False
    properties_seen: bool = False
    properties_filled: bool = False
    first_attribute: str | None = None
    cases: int = 0

    def on_root(self, element: str, attrs: AttributesImpl) -> None:
        name = attrs.get("name", "")
        self.pytest = (element == "testsuites" and name == "pytest tests") or (
            element == "testsuite" and name == "pytest" and "hostname" in attrs
        )
        self.jest = element == "testsuites" and name == "jest tests"

    def on_suite(self, attrs: AttributesImpl) -> None:
        names = list(attrs.getNames())
        if self.first_attribute is None and names:
            self.first_attribute = names[0]
        for attr in names:
            if attr.endswith("noNamespaceSchemaLocation") or attr.endswith("schemaLocation"):
                location = attrs.get(attr, "")
                self.failsafe |= "failsafe" in location
                self.surefire |= "surefire" in location
        self.phpunit |= "assertions" in attrs
        self.suite_id |= "id" in attrs
        self.suite_package |= "package" in attrs
        self.hostname_and_timestamp |= "hostname" in attrs and "timestamp" in attrs

    def on_case(self, attrs: AttributesImpl, suite: _Suite) -> None:
        self.cases += 1
        self.phpunit |= "assertions" in attrs
        self.ctest |= attrs.get("status") in _CTEST_STATUSES
        self.classname_is_suite &= attrs.get("classname") == suite.name

    def on_property(self, name: str, value: str) -> None:
        self.properties_filled = True
        if name == "go.version":
            self.go_version = True
        elif name == "ant.version":
            match = _ANT_VERSION.search(value)
            self.ant_version = match.group(1) if match else None
        elif name.startswith("surefire.") or name.startswith("failsafe."):
            self.surefire = True

    def tool(self) -> tuple[str, str | None]:
        """Tool name and version, as precise as the clues allow; ('junit', None) when they say nothing."""
        if self.pytest:
            return "pytest", None
        if self.jest:
            return "jest-junit", None
        if self.failsafe:
            return "failsafe", None
        if self.surefire:
            return "surefire", None
        if self.phpunit:
            return "phpunit", None
        if self.ctest:
            return "ctest", None
        if self.ant_version or (self.suite_id and self.suite_package):
            return "ant", self.ant_version
        go_shaped = self.suite_id and not self.suite_package and self.classname_is_suite and self.cases > 0
        if self.go_version or go_shaped:
            return ("go-junit-report" if self.suite_id else "gotestsum"), None
        if self.hostname_and_timestamp:
            # Gradle and Ant write the same attributes: Gradle in its own order, starting with `name`, and an
            # empty <properties/>; Ant sorts them, starting with `errors`.
            if self.first_attribute == "name" and self.properties_seen and not self.properties_filled:
                return "gradle", None
            if self.first_attribute == "errors":
                return "ant", None
        return "junit", None


class _ReportHandler(ContentHandler):
    """SAX handler that counts test cases as they stream by and keeps only what the evidence needs."""

    def __init__(self) -> None:
        super().__init__()
        self.root: str | None = None
        self._root_name = ""
        self._root_time_ms: int | None = None
        self._root_timestamp: datetime | None = None
        self._stack: list[str] = []
        self._suites: list[_Suite] = []
        self._open: list[_Suite] = []
        self._loose: _Suite | None = None
        self._top_level_ms = 0
        self._case: _Case | None = None
        self._detail: _Detail | None = None
        self._detail_depth = 0
        self._totals = {"tests": 0, "passed": 0, "failed": 0, "errored": 0, "skipped": 0, "flaky": 0}
        self._failures: list[FailedCase] = []
        self._flaky_cases: list[FlakyCase] = []
        self._start: datetime | None = None
        self._end: datetime | None = None
        self._producer = _Producer()
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        """Remember the locator, to place a wrong root element."""
        self._locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        """Open an element: a suite, a case, an outcome of a case, or a property."""
        element = name.rpartition(":")[2]
        depth = len(self._stack)
        self._stack.append(element)
        if self.root is None:
            self._open_root(element, attrs)
        if self._case is not None:
            if depth == self._case.depth + 1:
                self._open_outcome(element, attrs, depth)
            return
        if element == "testsuite":
            self._open_suite(attrs)
        elif element == "testcase":
            self._open_case(attrs, depth)
        elif element == "properties":
            self._producer.properties_seen = True
        elif element == "property":
            self._producer.on_property(attrs.get("name", ""), attrs.get("value", ""))

    def characters(self, content: str) -> None:
        """Keep the start of a failure's text; drop everything else, output streams included."""
        if self._detail is not None and self._stack[-1] not in _OUTPUT:
            self._detail.add_text(content)

    def endElement(self, name: str) -> None:
        """Close an element: count a finished case, total a finished suite."""
        element = self._stack.pop()
        depth = len(self._stack)
        if self._detail is not None and depth == self._detail_depth:
            self._detail = None
        if self._case is not None:
            if depth == self._case.depth:
                self._close_case(self._case)
                self._case = None
            return
        if element == "testsuite" and self._open:
            self._close_suite(self._open.pop())

    def _open_root(self, element: str, attrs: AttributesImpl) -> None:
        if element not in _ROOTS:
            locator = self._locator
            line = locator.getLineNumber() if locator is not None else None
            column = locator.getColumnNumber() if locator is not None else None
            raise _WrongRoot(element, line, column + 1 if isinstance(column, int) else None)
        self.root = element
        self._producer.on_root(element, attrs)
        if element == "testsuites":
            self._root_name = attrs.get("name", "")
            self._root_time_ms = seconds_to_ms(attrs.get("time"))
            self._root_timestamp = parse_timestamp(attrs.get("timestamp"))

    def _open_suite(self, attrs: AttributesImpl) -> None:
        if self._open:
            self._open[-1].has_nested = True
        suite = _Suite(
            name=attrs.get("name", ""),
            time_ms=seconds_to_ms(attrs.get("time")),
            timestamp=parse_timestamp(attrs.get("timestamp")),
        )
        self._suites.append(suite)
        self._open.append(suite)
        self._producer.on_suite(attrs)

    def _open_case(self, attrs: AttributesImpl, depth: int) -> None:
        suite = self._open[-1] if self._open else self._loose_suite()
        classname = attrs.get("classname") or None
        name = attrs.get("name", "")
        owner = attrs.get("class") or classname
        self._producer.on_case(attrs, suite)
        self._case = _Case(
            suite=suite,
            name=name,
            classname=classname,
            test_id=f"{owner}::{name}" if owner and name else None,
            file=attrs.get("file") or None,
            line=_line(attrs.get("line"), zero_based=self._producer.pytest),
            time_ms=seconds_to_ms(attrs.get("time")),
            depth=depth,
        )

    def _loose_suite(self) -> _Suite:
        # <testcase> straight under <testsuites>: a suite named after the root holds them.
        if self._loose is None:
            self._loose = _Suite(name=self._root_name, time_ms=None, timestamp=None)
            self._suites.append(self._loose)
        return self._loose

    def _open_outcome(self, element: str, attrs: AttributesImpl, depth: int) -> None:
        case = self._case
        assert case is not None
        if element in _FAILURE_OUTCOMES or element in _FLAKY_OUTCOMES:
            detail = _Detail(type=attrs.get("type") or None, message=attrs.get("message"))
            if element == "failure" and case.failure is None:
                case.failure = detail
            elif element == "error" and case.error is None:
                case.error = detail
            elif element in _FLAKY_OUTCOMES:
                case.flaky_attempts += 1
                if case.flaky is not None:
                    return
                case.flaky = detail
            else:
                return
            self._detail = detail
            self._detail_depth = depth
        elif element == "skipped":
            case.skipped = True

    def _close_case(self, case: _Case) -> None:
        status = _status(case)
        suite = case.suite
        suite.tests += 1
        self._totals["tests"] += 1
        setattr(suite, status, getattr(suite, status) + 1)
        self._totals[status] += 1
        suite.case_ms += case.time_ms or 0
        if status == "passed" and case.flaky_attempts:
            suite.flaky += 1
            self._totals["flaky"] += 1
            if len(self._flaky_cases) < MAX_LISTED_CASES:
                self._flaky_cases.append(
                    FlakyCase(
                        suite=_clip(suite.name, 512) or "",
                        classname=_clip(case.classname, 512),
                        name=_clip(case.name, 512) or "",
                        failed_attempts=case.flaky_attempts,
                        message=_clip(case.flaky.summary(case.test_id), 1000) if case.flaky else None,
                    )
                )
        elif status in ("failed", "errored") and len(self._failures) < MAX_LISTED_CASES:
            detail = case.failure if status == "failed" else case.error
            assert detail is not None
            self._failures.append(
                FailedCase(
                    suite=_clip(suite.name, 512) or "",
                    classname=_clip(case.classname, 512),
                    name=_clip(case.name, 512) or "",
                    status=status,
                    type=_clip(detail.type, 256),
                    message=_clip(detail.summary(case.test_id), 1000),
                    file=_clip(case.file, 1024),
                    line=case.line,
                )
            )

    def _close_suite(self, suite: _Suite) -> None:
        total = suite.total_ms()
        if self._open:
            self._open[-1].nested_ms += total
        else:
            self._top_level_ms += total
        if suite.timestamp is not None:
            self._observe(suite.timestamp, total)

    def _observe(self, start: datetime, duration_ms: int) -> None:
        end = start + timedelta(milliseconds=duration_ms)
        self._start = start if self._start is None else min(self._start, start)
        self._end = end if self._end is None else max(self._end, end)

    def result(self) -> Collected:
        """What the report says, once the whole file has streamed by."""
        if self._loose is not None:
            self._top_level_ms += self._loose.total_ms()
        duration = self._root_time_ms if self._root_time_ms is not None else self._top_level_ms
        if self._root_timestamp is not None:
            self._observe(self._root_timestamp, duration)
        tool, version = self._producer.tool()
        data = RunResults(
            totals=RunTotals(**self._totals, duration_ms=duration),
            suites=[suite.result() for suite in self._suites if suite.reported()],
            failures=self._failures,
            flaky_cases=self._flaky_cases,
        )
        return Collected(data=data, tool=tool, tool_version=version, observed_start=self._start, observed_end=self._end)


def _status(case: _Case) -> Literal["passed", "failed", "errored", "skipped"]:
    if case.failure is not None:
        return "failed"
    if case.error is not None:
        return "errored"
    if case.skipped:
        return "skipped"
    return "passed"


def _line(text: str | None, zero_based: bool) -> int | None:
    """A 1-based source line from a `line` attribute (pytest's is 0-based); None when absent or invalid."""
    if text is None or not text.strip().isdigit():
        return None
    line = int(text) + (1 if zero_based else 0)
    return line if line >= 1 else None
