"""Coverage collectors (Cobertura XML, coverage.py JSON): real reports, counts, detection, failure paths, schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.tests.cobertura import CoberturaXmlCollector
from evaluator.collectors.tests.coverage_json import CoverageJsonCollector
from evaluator.errors import InputError
from evaluator.evidence import item_problems

TESTS = Path(__file__).parent.parent
DATA = TESTS / "data" / "coverage"
SAMPLES = Path("/work/shared/samples")
XML_REPORTS = sorted(str(p.relative_to(DATA)) for p in DATA.glob("*/*.xml") if p.parent.name != "edge")
JSON_REPORTS = sorted(str(p.relative_to(DATA)) for p in DATA.glob("*/*.json"))


def _bp(covered: int, valid: int) -> int:
    return 10000 if valid == 0 else covered * 10000 // valid


def _expected_xml(path: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per file: lines valid, lines covered, branches valid, branches covered, counted by ElementTree."""
    lines: dict[str, dict[int, bool]] = defaultdict(dict)
    branches: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for cls in ET.parse(path).getroot().iter("class"):
        name = cls.get("filename")
        lines.setdefault(name, {})  # a class without lines is still a file
        for line in cls.findall("./lines/line"):
            n = int(line.get("number"))
            lines[name][n] = lines[name].get(n, False) or int(line.get("hits")) > 0
            cond = line.get("condition-coverage")
            if cond:
                cov, val = cond.split("(")[1].rstrip(")").split("/")
                branches[name][n] = (int(cov), int(val))
    return {
        f: (
            len(lines[f]),
            sum(lines[f].values()),
            sum(v for _, v in branches[f].values()),
            sum(c for c, _ in branches[f].values()),
        )
        for f in lines
    }


def _expected_json(path: Path) -> dict[str, tuple[int, int, int, int]]:
    doc = json.loads(path.read_text())
    out = {}
    for name, rep in doc["files"].items():
        s = rep["summary"]
        out[name] = (s["num_statements"], s["covered_lines"], s.get("num_branches", 0), s.get("covered_branches", 0))
    return out


def _check(item: dict, per_file: dict[str, tuple[int, int, int, int]], branches: bool) -> None:
    data = item["data"]
    lv, lc = sum(v[0] for v in per_file.values()), sum(v[1] for v in per_file.values())
    bv, bc = sum(v[2] for v in per_file.values()), sum(v[3] for v in per_file.values())
    totals = {"lines_valid": lv, "lines_covered": lc, "line_rate_bp": _bp(lc, lv)}
    if branches:
        totals |= {"branches_valid": bv, "branches_covered": bc, "branch_rate_bp": _bp(bc, bv)}
    assert data["totals"] == totals
    assert data["files"] == len(per_file)
    assert sum(p["files"] for p in data["packages"]) == len(per_file)
    assert sum(p["lines_valid"] for p in data["packages"]) == lv
    measured = sorted((_bp(v[1], v[0]), f) for f, v in per_file.items() if v[0] > 0)
    assert [(f["line_rate_bp"], f["path"]) for f in data["least_covered"]] == measured[:100]


@pytest.mark.parametrize("name", XML_REPORTS)
def test_cobertura_counts_match_the_file(name):
    item = collect(DATA / name).to_json_dict()
    assert item_problems(item) == []
    assert item["kind"] == "coverage" and item["schema"] == "coverage/v1"
    assert item["source"]["format"] == "cobertura-xml"
    per_file = _expected_xml(DATA / name)
    _check(item, per_file, branches=any(v[2] for v in per_file.values()))


@pytest.mark.parametrize("name", JSON_REPORTS)
def test_coverage_json_counts_match_the_file(name):
    item = collect(DATA / name).to_json_dict()
    assert item_problems(item) == []
    assert item["source"]["format"] == "coverage-json"
    doc = json.loads((DATA / name).read_text())
    _check(item, _expected_json(DATA / name), branches=doc["meta"]["branch_coverage"])
    # totals of the tool agree with the per-file sums
    assert item["data"]["totals"]["lines_valid"] == doc["totals"]["num_statements"]
    assert item["data"]["totals"]["lines_covered"] == doc["totals"]["covered_lines"]


# Read by hand from the files (see SOURCES.md).
KNOWN = {
    "coveragepy/cov7-branch.xml": ("coverage.py", "7.17.5", (30, 19, 6333, 12, 6, 5000)),
    "coveragepy/cov7-lines.xml": ("coverage.py", "7.17.5", (30, 19, 6333, None, None, None)),
    "coveragepy/cov6-branch.xml": ("coverage.py", "6.5.0", (30, 19, 6333, 12, 6, 5000)),
    "coveragepy/cov6-lines.json": ("coverage.py", "6.5.0", (30, 19, 6333, None, None, None)),
    "coveragepy/cov7-branch.json": ("coverage.py", "7.17.5", (30, 19, 6333, 12, 6, 5000)),
    "nyc/cobertura-coverage.xml": ("cobertura", None, (7, 5, 7142, 6, 3, 5000)),
    "jacoco/cover2cover.xml": ("cobertura", None, (10, 6, 6000, 4, 2, 5000)),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_totals_and_tool(name):
    item = collect(DATA / name).to_json_dict()
    tool, version, totals = KNOWN[name]
    assert item["source"]["tool"] == tool
    assert item["source"].get("tool_version") == version
    t = item["data"]["totals"]
    keys = ("lines_valid", "lines_covered", "line_rate_bp", "branches_valid", "branches_covered", "branch_rate_bp")
    assert tuple(t.get(k) for k in keys) == totals


def test_packages_xml_and_json_agree_on_lines():
    xml = collect(DATA / "coveragepy/cov7-branch.xml").data["packages"]
    js = collect(DATA / "coveragepy/cov7-branch.json").data["packages"]
    assert [(p["name"], p["lines_valid"], p["lines_covered"], p["branches_valid"]) for p in xml] == [
        ("calc", 19, 12, 10),
        ("calc.ops", 11, 7, 2),
    ]
    assert [(p["name"], p["lines_valid"], p["lines_covered"], p["branches_valid"]) for p in js] == [
        ("calc", 19, 12, 10),
        ("calc/ops", 11, 7, 2),
    ]


def test_jacoco_shape_counts_method_lines_once_and_merges_classes_of_one_file():
    data = collect(DATA / "jacoco/cover2cover.xml").data
    greeter = next(f for f in data["least_covered"] if f["path"] == "com/example/app/Greeter.java")
    assert (greeter["lines_valid"], greeter["lines_covered"], greeter["branches_valid"]) == (6, 4, 4)
    assert [p["name"] for p in data["packages"]] == ["com.example.app", "com.example.util"]


def test_nyc_method_lines_are_not_counted():
    data = collect(DATA / "nyc/cobertura-coverage.xml").data
    # lines 1 and 9 appear only under <methods>; the report's own lines-valid is 7
    assert data["totals"]["lines_valid"] == 7


# ---- detection over every file we have -------------------------------------------------------------


def _all_files() -> list[Path]:
    roots = [TESTS / "data", SAMPLES]
    return sorted(p for r in roots if r.exists() for p in r.rglob("*") if p.is_file())


def test_detect_is_specific_over_every_data_and_sample_file():
    seen = 0
    for path in _all_files():
        head = path.read_bytes()[:65536]
        inside = DATA in path.parents and path.parent.name != "edge"
        if inside and path.suffix == ".xml":
            assert CoberturaXmlCollector.detect(head), path
            assert not CoverageJsonCollector.detect(head), path
            assert detect(path) is CoberturaXmlCollector, path
            seen += 1
        elif inside and path.suffix == ".json":
            assert CoverageJsonCollector.detect(head), path
            assert not CoberturaXmlCollector.detect(head), path
            assert detect(path) is CoverageJsonCollector, path
            seen += 1
        elif path.parent.name != "edge" or DATA not in path.parents:
            assert not CoberturaXmlCollector.detect(head), path
            assert not CoverageJsonCollector.detect(head), path
    assert seen == len(XML_REPORTS) + len(JSON_REPORTS)


def test_junit_report_is_not_cobertura_and_cobertura_not_junit():
    junit = sorted((TESTS / "data" / "junit").glob("*.xml"))
    assert junit
    for path in junit:
        with pytest.raises(InputError) as err:
            CoberturaXmlCollector().collect(path)
        assert "not a Cobertura XML report: the root element is <testsuite" in err.value.message


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"<coverage/>",
        b'<?xml version="1.0"?><coverage generated="1" clover="4.4"><project/></coverage>',
        b'<report><coverage line-rate="1"/></report>',
        b'{"meta": {"version": "7"}, "files": {}}',
        b'{"totals": {}, "meta": {"branch_coverage": true, "show_contexts": false}}',
    ],
)
def test_detect_refuses_lookalikes(head):
    assert not CoberturaXmlCollector.detect(head)
    assert not CoverageJsonCollector.detect(head)


# ---- failure paths ----------------------------------------------------------------------------------


def _err(path: Path, collector) -> InputError:
    with pytest.raises(InputError) as err:
        collector().collect(path)
    return err.value


def test_billion_laughs_is_refused():
    e = _err(DATA / "edge" / "billion-laughs.xml", CoberturaXmlCollector)
    assert e.message == (
        "refused: the XML declares the entity 'lol'; a coverage report never needs entities "
        "(they are how entity-expansion bombs work)"
    )
    # and auto-detection sends it to the Cobertura collector, which refuses it the same way
    with pytest.raises(InputError, match="refused: the XML declares the entity 'lol'"):
        collect(DATA / "edge" / "billion-laughs.xml")


def test_external_dtd_is_never_read(tmp_path):
    dtd = tmp_path / "x.dtd"
    dtd.write_text("<!ELEMENT coverage ANY garbage\n")  # would fail the parse if it were read
    report = tmp_path / "c.xml"
    report.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "{dtd.as_uri()}">\n'
        '<coverage line-rate="1" lines-valid="0"><packages/></coverage>\n'
    )
    assert collect(report).data["totals"] == {"lines_valid": 0, "lines_covered": 0, "line_rate_bp": 10000}


def test_external_entity_is_refused(tmp_path):
    p = tmp_path / "x.xml"
    p.write_text(
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<coverage line-rate="1">&x;</coverage>'
    )
    assert _err(p, CoberturaXmlCollector).message.startswith("refused: the XML declares the entity 'x'")


def test_empty_files(tmp_path):
    p = tmp_path / "e.xml"
    p.write_text("  \n")
    assert _err(p, CoberturaXmlCollector).message == "file is empty, expected a Cobertura XML report"
    assert _err(p, CoverageJsonCollector).message == "file is empty, expected a coverage.py JSON report"
    with pytest.raises(InputError) as err:
        collect(p)
    assert err.value.message == "file is empty"


def test_truncated_xml_has_line(tmp_path):
    text = (DATA / "coveragepy/cov7-branch.xml").read_text()
    p = tmp_path / "t.xml"
    for cut in (len(text) // 2, text.rindex("\n", 0, len(text) // 2) + 1):
        p.write_text(text[:cut])
        e = _err(p, CoberturaXmlCollector)
        assert e.message == "malformed XML: the file ends before the report does (truncated?)"
        assert e.line == text[:cut].count("\n") + 1


def test_truncated_json_has_line(tmp_path):
    text = (DATA / "coveragepy/cov7-branch.json").read_text()
    p = tmp_path / "t.json"
    p.write_text(text[:500])
    e = _err(p, CoverageJsonCollector)
    assert e.message.startswith("malformed JSON: ") and e.line == 1


def test_bad_line_attributes(tmp_path):
    p = tmp_path / "b.xml"
    p.write_text(
        '<coverage line-rate="1"><packages><package name="p"><classes><class filename="a.py"><lines>\n'
        '<line number="x" hits="1"/></lines></class></classes></package></packages></coverage>'
    )
    e = _err(p, CoberturaXmlCollector)
    assert (e.message, e.line) == ("<line> needs integer number and hits attributes", 2)


def test_bad_condition_coverage(tmp_path):
    p = tmp_path / "b.xml"
    p.write_text(
        '<coverage line-rate="1"><packages><package name="p"><classes><class filename="a.py"><lines>'
        '<line number="1" hits="1" branch="true" condition-coverage="50% (3/2)"/>'
        "</lines></class></classes></package></packages></coverage>"
    )
    assert _err(p, CoberturaXmlCollector).message == (
        "condition-coverage '50% (3/2)' covers more branches than there are"
    )


def test_other_json_is_an_input_error(tmp_path):
    for text, message in [
        ('{"version": 1}', "not a coverage.py JSON report: expected an object with 'meta' and 'files'"),
        ("[1, 2]", "not a coverage.py JSON report: expected an object with 'meta' and 'files'"),
        (
            '{"meta": {"format": 9, "branch_coverage": false}, "files": {}}',
            "unsupported coverage.py JSON format 9 (read: 2, 3, or none for 6.x)",
        ),
        ('{"meta": {"format": 3}, "files": {}}', "meta.branch_coverage must be true or false"),
        (
            '{"meta": {"format": 3, "branch_coverage": false}, "files": {"a.py": {"summary": '
            '{"num_statements": "3", "covered_lines": 1}}}}',
            "files['a.py']: summary.num_statements must be a non-negative integer, got '3'",
        ),
        (
            '{"meta": {"format": 3, "branch_coverage": false}, "files": {"a.py": {}}}',
            "files['a.py'] has no 'summary' object",
        ),
        (
            '{"meta": {"format": 3, "branch_coverage": false}, "files": {"a.py": {"summary": '
            '{"num_statements": 1, "covered_lines": 2}}}}',
            "files['a.py']: more lines or branches covered than measured",
        ),
    ]:
        p = tmp_path / "o.json"
        p.write_text(text)
        assert _err(p, CoverageJsonCollector).message == message


def test_security_json_is_not_coverage():
    for path in sorted((SAMPLES / "security").rglob("*.json"))[:20]:
        with pytest.raises(InputError):
            CoverageJsonCollector().collect(path)


def test_format_2_is_read(tmp_path):
    doc = json.loads((DATA / "coveragepy/cov7-lines.json").read_text())
    doc["meta"]["format"] = 2
    p = tmp_path / "f2.json"
    p.write_text(json.dumps(doc))
    assert collect(p).data["totals"]["lines_valid"] == 30


def test_least_covered_is_bounded_and_sorted(tmp_path):
    files = {f"pkg{i % 3}/m{i:03}.py": {"summary": {"num_statements": 10, "covered_lines": i % 11}} for i in range(150)}
    files["empty.py"] = {"summary": {"num_statements": 0, "covered_lines": 0}}
    p = tmp_path / "big.json"
    p.write_text(json.dumps({"meta": {"format": 3, "branch_coverage": False, "show_contexts": False}, "files": files}))
    data = collect(p).data
    least = data["least_covered"]
    assert len(least) == 100 and data["files"] == 151
    keys = [(f["line_rate_bp"], f["path"]) for f in least]
    assert keys == sorted(keys) and keys[0] == (0, "pkg0/m000.py")
    assert "empty.py" not in [f["path"] for f in least]
    assert [p["name"] for p in data["packages"]] == [".", "pkg0", "pkg1", "pkg2"]
