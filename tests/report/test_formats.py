"""The registry of report formats, and what every format must do."""

from __future__ import annotations

import json

import pytest

from evaluator.decide import Finding, Verdict
from evaluator.errors import UsageError
from evaluator.report import FORMATS, JsonReport, JUnitReport, MarkdownReport, ReportFormat, TerminalReport, get_format
from tests.report.conftest import ALL_STATUSES, criterion


def test_registry_names_every_format_once():
    assert [f.name for f in FORMATS] == ["terminal", "json", "markdown", "junit"]
    for report_format in FORMATS:
        assert issubclass(report_format, ReportFormat)
        assert report_format.extension.startswith(".") and report_format.description


@pytest.mark.parametrize(
    ("name", "cls"),
    [("terminal", TerminalReport), ("json", JsonReport), ("markdown", MarkdownReport), ("junit", JUnitReport)],
)
def test_get_format(name, cls):
    assert get_format(name) is cls


def test_unknown_format_is_a_usage_error_listing_the_known_ones():
    with pytest.raises(UsageError) as caught:
        get_format("html")
    message = str(caught.value)
    assert "'html'" in message
    for report_format in FORMATS:
        assert report_format.name in message


def test_json_says_unverified_with_its_flag(nogo, nogo_verified):
    assert json.loads(JsonReport().render(nogo))["verified"] is False
    assert json.loads(JsonReport().render(nogo_verified))["verified"] is True


@pytest.mark.parametrize("report_format", [f for f in FORMATS if f is not JsonReport], ids=lambda f: f.name)
def test_every_format_for_people_says_unverified(report_format, nogo, nogo_verified, go):
    assert "UNVERIFIED" in report_format().render(nogo).decode("utf-8")
    assert "UNVERIFIED" not in report_format().render(nogo_verified).decode("utf-8")
    assert "UNVERIFIED" not in report_format().render(go).decode("utf-8")


@pytest.mark.parametrize("report_format", FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("color", [False, True])
def test_every_format_names_every_criterion_and_is_deterministic(report_format, any_report, color):
    data = report_format().render(any_report, color=color)
    assert isinstance(data, bytes)
    assert data == report_format().render(any_report, color=color)
    text = data.decode("utf-8")
    for verdict in any_report.verdicts:
        assert verdict.criterion.id in text


@pytest.mark.parametrize("report_format", FORMATS, ids=lambda f: f.name)
def test_every_format_survives_text_that_is_not_valid_unicode(report_format, make_report):
    broken = "lone surrogate \udc80 from a JSON escape"
    verdict = Verdict(criterion("tests.odd", "high", ("tests",)), "fail", broken, violations=(Finding(broken),))
    data = report_format().render(make_report((verdict, *ALL_STATUSES)))
    assert "tests.odd" in data.decode("utf-8")
