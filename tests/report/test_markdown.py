"""Markdown report: decision line, one table row per criterion, escaping, failure details, GitHub's size limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from evaluator.decide import Finding, Verdict
from evaluator.report.markdown import MAX_CHARS, MarkdownReport
from tests.report.conftest import ALL_STATUSES, PASS, criterion

STATUS_ORDER = ("error", "fail", "insufficient_evidence", "warn", "waived", "pass", "not_applicable")
HEADER = "| Status | Severity | Criterion | Title | Message |"


def _markdown(report) -> str:
    return MarkdownReport().render(report).decode("utf-8")


def _table_rows(text: str) -> list[str]:
    """The rows of the criteria table (the lines after its header and delimiter, up to the blank line)."""
    lines = text.split("\n")
    start = lines.index(HEADER) + 2
    end = lines.index("", start)
    return lines[start:end]


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


class _Tables(HTMLParser):
    """The text of every cell of every table in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _rendered_tables(text: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(MarkdownIt("commonmark").enable("table").render(text))
    return parser.tables


def test_decision_line(nogo, nogo_verified, go):
    assert _markdown(nogo).split("\n")[0] == "## readiness: ❌ NO-GO for checkout 1.42.0 · ⚠️ UNVERIFIED evidence"
    assert _markdown(nogo_verified).split("\n")[0] == "## readiness: ❌ NO-GO for checkout 1.42.0"
    assert _markdown(go).split("\n")[0] == "## readiness: ✅ GO for checkout 1.42.0"


def test_score_completeness_reasons_and_verification(nogo, go):
    text = _markdown(nogo)
    assert f"**Score** {nogo.decision.score * 100:.1f}%" in text
    assert "**Completeness** 66.7%" in text
    assert "**Why no-go**" in text
    assert "- load.latency\\_p95 (high) is fail: 2 endpoints exceed the p95 budget" not in text  # intraword _ stays
    assert "- load.latency_p95 (high) is fail: 2 endpoints exceed the p95 budget" in text
    assert "> ⚠️ **UNVERIFIED evidence**" in text
    assert "> - signatures: 0 of 1 trusted keys signed" in text
    text = _markdown(go)
    assert "Why no-go" not in text and "UNVERIFIED" not in text


def test_exactly_one_table_row_per_criterion_in_status_order(any_report):
    rows = _table_rows(_markdown(any_report))
    assert len(rows) == len(any_report.verdicts)
    ids = [_cells(row)[2].strip("`") for row in rows]
    assert sorted(ids) == sorted(v.criterion.id for v in any_report.verdicts)
    statuses = [_cells(row)[0].split(" ", 1)[1].replace("\\_", "_") for row in rows]
    assert statuses == sorted(statuses, key=STATUS_ORDER.index)
    assert all(len(_cells(row)) == 5 for row in rows)


def test_rendered_table_has_one_row_per_criterion_and_literal_pipes(nogo):
    tables = _rendered_tables(_markdown(nogo))
    criteria = tables[0]
    assert criteria[0] == ["Status", "Severity", "Criterion", "Title", "Message"]
    assert len(criteria) == 1 + len(nogo.verdicts)
    assert all(len(row) == 5 for row in criteria)
    titles = {row[2]: row[3] for row in criteria[1:]}
    assert titles["load.latency_p95"] == "p95 latency | within budget"


def test_pipes_and_newlines_are_escaped_in_cells(nogo):
    text = _markdown(nogo)
    assert "p95 latency \\| within budget" in text
    assert "GET /cart\\|items p95 350ms exceeds 300ms<br>second line" in text
    assert "second line" not in text.replace("<br>second line", "")


def test_failure_details_show_observed_threshold_and_pointer(nogo):
    text = _markdown(nogo)
    details = text.split("<code>load.latency_p95</code>", 1)[1].split("</details>", 1)[0]
    assert (
        "| POST /checkout p95 412ms exceeds 300ms | `412` | `<= 300` | `load-k6` `/data/endpoints/0/p95_ms` |"
        in details
    )
    assert '`["POST /checkout","GET /cart"]`' in details
    assert "**Remediation:** Fix load.latency_p95." in details
    tables = _rendered_tables(details)
    assert tables[0][1] == [
        "POST /checkout p95 412ms exceeds 300ms",
        "412",
        "<= 300",
        "load-k6 /data/endpoints/0/p95_ms",
    ]


def test_details_for_failing_warning_error_and_waived_criteria_only(nogo):
    text = _markdown(nogo)
    summaries = re.findall(r"<summary>.*?<code>(.*?)</code>", text)
    assert sorted(summaries) == sorted(
        v.criterion.id for v in nogo.verdicts if v.status not in ("pass", "not_applicable")
    )
    assert text.count("<details>") == text.count("</details>") == len(summaries) + 1  # + engine and inputs
    warn = text.split("<code>load.error_rate</code>", 1)[1].split("</details>", 1)[0]
    assert "Enforced from **2027-01-01**" in warn
    missing = text.split("<code>dr.rollback_drill</code>", 1)[1].split("</details>", 1)[0]
    assert "`rollout`" in missing
    waived = text.split("<code>security.no_critical_vulns</code>", 1)[1].split("</details>", 1)[0]
    assert "(waived by `SEC-1234`)" in waived


def test_waivers_and_inputs(nogo):
    text = _markdown(nogo)
    assert "### Waivers" in text
    assert "| applied | `SEC-1234` | `security.no_critical_vulns` | 2026-12-31 |" in text
    assert "| expired | `OPS-7` |" in text
    assert "| unused | `tests.no_failures@0` |" in text
    assert f"| bundle | `checkout-1.42.0.dsse.json` | `{'1' * 64}` |" in text
    assert f"| waivers | `waivers.yaml` | `{'5' * 64}` |" in text
    assert "Evaluated at 2026-11-27T16:00:00Z by regorus 0.2.8, readiness 0.1.0." in text
    assert text.endswith("<!-- readiness:report -->\n")


def test_markdown_and_html_in_text_are_escaped(make_report):
    text_in = "<script>alert(1)</script> *bold* [link](http://x) `tick` # not a heading"
    hostile = Verdict(
        criterion("tests.hostile", "high", ("tests",), title=text_in),
        "fail",
        text_in,
        violations=(Finding(text_in, observed="a`b|c", threshold=1, comparator="==", evidence="e", pointer="/p"),),
    )
    text = _markdown(make_report((hostile, PASS)))
    assert "<script>" not in text
    summary = next(line for line in text.split("\n") if "<code>tests.hostile</code>" in line)
    assert "&lt;script&gt;" in summary
    tables = _rendered_tables(text)
    row = next(r for r in tables[0] if r[2] == "tests.hostile")
    assert row[3] == row[4] == text_in
    finding = tables[1][1]
    assert finding[0] == text_in and finding[1] == "a`b|c"


def _many_findings(count: int, size: int) -> Verdict:
    findings = tuple(
        Finding(f"CVE-2026-{i:05d} " + "x" * size, i, 0, "<=", "security-trivy", f"/data/findings/{i}")
        for i in range(count)
    )
    return Verdict(criterion("security.no_high_vulns", "high", ("security",)), "fail", "too many", violations=findings)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_long_findings_lists_are_truncated_with_a_note(make_report):
    report = make_report((_many_findings(60, 40), *ALL_STATUSES))
    text = _markdown(report)
    assert "_… and 35 more findings; the JSON report lists them all._" in text
    assert "CVE-2026-00024" in text and "CVE-2026-00025" not in text


def test_stays_under_githubs_comment_limit(make_report):
    report = make_report((_many_findings(5000, 200), *ALL_STATUSES))
    text = _markdown(report)
    assert _utf16(text) <= MAX_CHARS < 65_536
    assert "more findings; the JSON report lists them all" in text
    assert len(_table_rows(text)) == len(report.verdicts)
    assert text.split("\n")[0].startswith("## readiness: ❌ NO-GO")


def _catalogue(count: int) -> tuple[Verdict, ...]:
    return tuple(
        Verdict(criterion(f"area.criterion_{i:04d}", "high", ("tests",)), "fail", "y" * 250, violations=(Finding("z"),))
        for i in range(count)
    )


def test_large_catalogues_keep_every_row_and_shorten_messages(make_report):
    report = make_report(_catalogue(300))
    text = _markdown(report)
    assert _utf16(text) <= MAX_CHARS
    assert "_Details left out to fit the comment; the JSON report has every finding._" in text
    assert "- … and 280 more; the table below lists every criterion." in text
    rows = _table_rows(text)
    assert len(rows) == 300
    assert all(_cells(row)[4] in ("y" * 119 + "…", "y" * 59 + "…") for row in rows)


def test_huge_catalogues_are_cut_with_a_note(make_report):
    text = _markdown(make_report(_catalogue(2000)))
    assert _utf16(text) <= MAX_CHARS
    assert text.split("\n")[0] == "## readiness: ❌ NO-GO for checkout 1.42.0"
    assert "_… truncated to fit a GitHub comment; the JSON report has everything._" in text
    assert text.endswith("<!-- readiness:report -->\n")
