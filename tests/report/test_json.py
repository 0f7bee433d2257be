"""JSON report: the document satisfies its schema, carries every field, is stable; the schema rejects broken reports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest

from evaluator import __version__, schemas
from evaluator.report.json import SCHEMA, JsonReport, report_to_dict
from evaluator.resources import schemas_dir
from tests.documents import with_value
from tests.report.conftest import ALL_STATUSES, SUBJECT

TOP_LEVEL = [
    "schema",
    "generator",
    "subject",
    "evaluation_time",
    "decision",
    "verified",
    "verification_failures",
    "engine",
    "inputs",
    "evidence",
    "criteria",
    "waivers",
    "extra",
]


def _document(report) -> dict[str, Any]:
    return json.loads(JsonReport().render(report))


def _criterion(document: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    (found,) = [c for c in document["criteria"] if c["id"] == criterion_id]
    return found


def test_every_report_validates_against_the_schema(any_report):
    document = _document(any_report)
    assert schemas.problems(SCHEMA, document) == []
    # A second, independent validator agrees.
    schema = json.loads((schemas_dir() / SCHEMA).read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def test_schema_file_is_registered_under_its_id():
    schema = schemas.load_schema(SCHEMA)
    assert schema["$id"] == "https://readiness.dev/schemas/report.v1.schema.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _descriptions_missing(node: Any, path: str = "") -> list[str]:
    """Properties without a description, outside the if/then/else rules that only restate fields."""
    missing = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}/{name}")
        for key, sub in node.items():
            if key not in ("if", "then", "else"):
                missing += _descriptions_missing(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            missing += _descriptions_missing(sub, f"{path}/{index}")
    return missing


def test_every_schema_field_has_a_description():
    assert _descriptions_missing(schemas.load_schema(SCHEMA)) == []


def test_output_is_stable_utf8_with_indent_and_trailing_newline(nogo):
    data = JsonReport().render(nogo)
    assert data == JsonReport().render(nogo)
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    assert data.startswith(b'{\n  "schema": "report/v1",\n')
    assert "→" not in data.decode("utf-8")  # nothing is invented
    assert list(json.loads(data)) == TOP_LEVEL
    assert json.dumps(json.loads(data), indent=2, ensure_ascii=False).encode() + b"\n" == data


def test_key_order_does_not_depend_on_input_dict_order(make_report):
    forward = make_report(ALL_STATUSES)
    backward = make_report(
        ALL_STATUSES,
        subject=dict(reversed(list(SUBJECT.items()))),
        evidence=tuple(dict(reversed(list(item.items()))) for item in forward.evidence),
        extra=dict(reversed(list(forward.extra.items()))),
    )
    assert JsonReport().render(forward) == JsonReport().render(backward)


def test_decision_and_verification(nogo, go):
    document = _document(nogo)
    decision = document["decision"]
    assert decision["outcome"] == "no-go" and decision["go"] is False
    assert decision["reasons"][0].startswith("evidence is not verified")
    assert any(r.startswith("load.latency_p95 (high) is fail") for r in decision["reasons"])
    assert decision["counts"] == {s: 1 for s in decision["counts"]} and len(decision["counts"]) == 7
    assert decision["blocking_severity"] == "high"
    assert 0 < decision["score"] < 1 and decision["completeness"] == pytest.approx(4 / 6, abs=1e-4)
    assert document["verified"] is False
    assert document["verification_failures"] == ["signatures: 0 of 1 trusted keys signed"]

    document = _document(go)
    assert document["decision"]["outcome"] == "go" and document["decision"]["go"] is True
    assert document["decision"]["reasons"] == []
    assert document["verified"] is True and document["verification_failures"] == []


def test_subject_time_engine_inputs_generator(nogo):
    document = _document(nogo)
    assert document["subject"] == SUBJECT
    assert document["evaluation_time"] == "2026-11-27T16:00:00Z"
    assert document["engine"] == {"name": "regorus", "version": "0.2.8"}
    assert document["generator"] == {"name": "readiness", "version": "0.1.0"}
    inputs = document["inputs"]
    assert inputs["bundle"] == {"file": "checkout-1.42.0.dsse.json", "sha256": "1" * 64}
    assert inputs["policy"] == {"file": "policies", "sha256": "2" * 64}
    assert [d["file"] for d in inputs["data"]] == ["policies/data/thresholds.yaml", "strict.yaml"]
    assert inputs["waivers"] == {"file": "waivers.yaml", "sha256": "5" * 64}
    assert [e["id"] for e in document["evidence"]] == ["tests-unit", "load-k6", "security-trivy"]
    assert list(document["evidence"][0])[:3] == ["id", "kind", "schema"]
    assert document["extra"] == {"by_kind": {"load": 1, "tests": 1}, "parity_ratio": 0.97}


def test_evaluation_time_is_written_in_utc(make_report):
    plus_two = timezone(timedelta(hours=2))
    document = _document(make_report(ALL_STATUSES, evaluation_time=datetime(2026, 11, 27, 18, 0, tzinfo=plus_two)))
    assert document["evaluation_time"] == "2026-11-27T16:00:00Z"
    document = _document(make_report(ALL_STATUSES, evaluation_time=datetime(2026, 11, 27, 16, 0)))
    assert document["evaluation_time"] == "2026-11-27T16:00:00Z"


@pytest.mark.parametrize(("given", "version"), [("readiness 0.1.0", "0.1.0"), ("0.2.0", "0.2.0"), ("", __version__)])
def test_generator_version(make_report, given, version):
    assert _document(make_report(ALL_STATUSES, generator=given))["generator"] == {
        "name": "readiness",
        "version": version,
    }


def test_no_waivers_file_is_null(make_report):
    document = _document(make_report(ALL_STATUSES, waivers_file=None, data=()))
    assert document["inputs"]["waivers"] is None and document["inputs"]["data"] == []
    assert schemas.problems(SCHEMA, document) == []


def test_one_entry_per_criterion_with_its_findings(nogo):
    document = _document(nogo)
    assert [c["id"] for c in document["criteria"]] == [v.criterion.id for v in nogo.verdicts]

    failed = _criterion(document, "load.latency_p95")
    assert failed["status"] == "fail" and failed["blocks"] is True
    assert failed["title"] == "p95 latency | within budget"
    assert failed["weight"] == 5 and failed["requires"] == ["load"]
    assert failed["remediation"] == "Fix load.latency_p95."
    assert failed["policy"] == {
        "package": "readiness.load",
        "rule": "deny",
        "file": "readiness/load/load.rego",
        "line": 12,
    }
    assert len(failed["violations"]) == 3
    assert failed["violations"][0] == {
        "message": "POST /checkout p95 412ms exceeds 300ms",
        "observed": 412,
        "comparator": "<=",
        "threshold": 300,
        "evidence": "load-k6",
        "pointer": "/data/endpoints/0/p95_ms",
        "fingerprint": None,
        "waived_by": None,
    }
    assert failed["violations"][2]["observed"] == ["POST /checkout", "GET /cart"]

    warned = _criterion(document, "load.error_rate")
    assert warned["status"] == "warn" and warned["blocks"] is False
    assert warned["effective_on"] == "2027-01-01" and warned["enforced_from"] == "2027-01-01"

    waived = _criterion(document, "security.no_critical_vulns")
    assert waived["status"] == "waived"
    assert waived["violations"][0]["waived_by"] == "SEC-1234"
    assert waived["violations"][0]["fingerprint"] == "CVE-2026-0001:libxml2"
    assert waived["waivers"][0]["id"] == "SEC-1234"
    assert waived["waivers"][0]["created"] == "2026-11-01" and waived["waivers"][0]["expires"] == "2026-12-31"
    assert waived["waivers"][0]["scope"] == {"fingerprint": "CVE-2026-0001:libxml2"}

    passed = _criterion(document, "tests.no_failures")
    assert passed["violations"] == [] and passed["checked"][0]["pointer"] == "/data/totals/failed"
    assert passed["effective_on"] is None and passed["enforced_from"] is None

    assert _criterion(document, "dr.rollback_drill")["blocks"] is True
    errored = _criterion(document, "parity.config_drift")
    assert errored["status"] == "error" and errored["blocks"] is False  # medium is below the blocking severity
    assert errored["violations"][0]["observed"] is None
    assert _criterion(document, "tests.coverage")["tiers"] == ["low"]


def test_expired_and_unused_waivers(nogo):
    waivers = _document(nogo)["waivers"]
    assert [w["id"] for w in waivers["expired"]] == ["OPS-7"]
    assert [w["id"] for w in waivers["unused"]] == ["tests.no_failures@0"]
    assert waivers["expired"][0]["scope"] == {}


def test_report_to_dict_matches_the_rendering(go):
    assert report_to_dict(go) == _document(go)


# ---- the schema rejects broken reports -----------------------------------------------------------


# Indexes into the nogo fixture's criteria: 0 waived, 1 warn, 2 fail, 3 insufficient_evidence, 4 pass.
BROKEN = [
    ("schema", "report/v2"),
    ("unexpected", 1),
    ("decision", ...),
    ("decision/outcome", "go"),  # disagrees with go: false
    ("decision/reasons", []),  # no-go without a reason
    ("decision/score", 1.5),
    ("decision/completeness", -0.1),
    ("decision/blocking_severity", "urgent"),
    ("decision/counts/fail", ...),
    ("decision/counts/passed", 1),
    ("verified", "false"),
    ("evaluation_time", "2026-11-27T17:00:00+01:00"),
    ("evaluation_time", "2026-11-27"),
    ("subject/service", ...),
    ("subject/commit", "abc"),
    ("subject/owner", "me"),
    ("engine/name", ""),
    ("inputs/bundle/sha256", "ABC"),
    ("inputs/policy", ...),
    ("inputs/data/0/sha256", "1" * 63),
    ("criteria/2/status", "failed"),
    ("criteria/2/severity", "urgent"),
    ("criteria/2/title", ""),
    ("criteria/2/colour", "red"),
    ("criteria/2/effective_on", "01/01/2027"),
    ("criteria/2/violations/0/comparator", "≤"),
    ("criteria/2/violations/0/pointer", "data/endpoints/0"),
    ("evidence/0/sha256", "abc"),
    ("criteria/2/violations/0/waived_by", ...),
    ("criteria/0/waivers", []),  # waived by nothing
    ("criteria/4/blocks", True),  # a pass cannot block
    ("criteria/1/policy/rule", "checked"),
    ("waivers/expired/0/expires", "soon"),
    ("waivers/unused/0/justification", ""),
    ("waivers/unused/0/scope/team", "qa"),
    ("extra", []),
]


@pytest.mark.parametrize(("path", "value"), BROKEN)
def test_schema_rejects_a_broken_report(nogo, path, value):
    document = _document(nogo)
    assert schemas.problems(SCHEMA, document) == []
    assert schemas.problems(SCHEMA, with_value(document, path, value)), f"{path}={value!r} passed the schema"


def test_schema_rejects_go_on_unverified_evidence(go):
    document = with_value(_document(go), "verified", False)
    assert schemas.problems(SCHEMA, document)
    assert schemas.problems(SCHEMA, with_value(document, "decision", _document(go)["decision"]))


def test_schema_rejects_failures_on_verified_evidence(go):
    assert schemas.problems(SCHEMA, with_value(_document(go), "verification_failures", ["digest mismatch"]))
