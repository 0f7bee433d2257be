"""OWASP ZAP traditional JSON collector: real 2.8 and 2.16 reports, derived edge cases, failure paths, detection."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.security.common import code_fingerprint
from evaluator.collectors.security.zap import ZapJsonCollector, generated_time
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "zap"
SAMPLES = sorted(DATA.glob("*.json"))
ZAP_2_8 = DATA / "zap_2.8.0_traditional_json_2020.json"
ZAP_2_16 = DATA / "zap_2.16.0_traditional_json_2026.json"
RISK = {"3": "high", "2": "medium", "1": "low", "0": "info"}
NOT_ZAP = "not an OWASP ZAP traditional JSON report"


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _independent(document: dict[str, Any]) -> tuple[Counter[str], int]:
    """Severity counts over distinct (alert, URL without query, method, param), and the instances listed."""
    keys: dict[tuple[str, str, str, str], str] = {}
    listed = 0
    for site in document["site"]:
        for alert in site["alerts"]:
            for instance in alert["instances"]:
                listed += 1
                url = instance["uri"].split("?")[0]
                rule = alert.get("alertRef", alert["pluginid"])
                key = (rule, url, instance.get("method", ""), instance.get("param", ""))
                keys[key] = RISK[alert["riskcode"]]
    return Counter(keys.values()), listed


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_parses_with_counts_checked_against_the_raw_json(path: Path) -> None:
    document = _raw(path)
    expected, listed = _independent(document)
    item, as_json = helpers.collect_valid(path)
    assert item.source.format == "zap-json" and item.source.tool == "zap"
    data = as_json["data"]
    assert data["scanner"] == {"name": "zap", "version": document["@version"]}
    assert item.source.tool_version == document["@version"]
    assert data["scan_types"] == ["dast"]
    assert data["target"] == document["site"][0]["@name"]
    assert data["counts"] == {s: expected.get(s, 0) for s in helpers.SEVERITIES}
    assert data["suppressed"] == 0 and data["truncated"] is False
    assert data["scan_errors"] == 0  # ZAP's report names no page it could not scan
    assert len(data["findings"]) == sum(expected.values())
    # every listed instance is one occurrence, and ZAP's own "count" agrees with the list in both samples
    assert sum(f["occurrences"] for f in data["findings"]) == listed
    assert listed == sum(int(a["count"]) for s in document["site"] for a in s["alerts"])
    assert len({f["fingerprint"] for f in data["findings"]}) == len(data["findings"])
    assert all(f["category"] == "dast" and "?" not in f["location"]["url"] for f in data["findings"])


def test_zap_2_16_fields_and_time_from_created() -> None:
    item = collect(ZAP_2_16)
    findings = item.to_json_dict()["data"]["findings"]
    assert item.observed is not None
    assert item.observed.start == item.observed.end == datetime(2026, 7, 8, 17, 59, 27, tzinfo=UTC)
    out_of_date = [f for f in findings if f["rule_id"] == "10116"]
    assert out_of_date == [
        {
            "fingerprint": code_fingerprint("dast", "zap", "10116", "http://host.docker.internal:8080", None, "GET "),
            "category": "dast",
            "rule_id": "10116",
            "title": "ZAP is Out of Date",
            "severity": "low",
            "tool_severity": "Low (High)",
            "ids": [],
            "cwe": [1104],
            "fix_available": False,
            "location": {"url": "http://host.docker.internal:8080"},
            "occurrences": 1,
        }
    ]
    cacheable = [f for f in findings if f["rule_id"] == "10049-3"]  # alertRef, not pluginid 10049
    assert sorted(f["location"]["url"] for f in cacheable) == [
        "http://host.docker.internal:8080",
        "http://host.docker.internal:8080/robots.txt",
        "http://host.docker.internal:8080/sitemap.xml",
    ]
    assert {(f["title"], f["severity"], tuple(f["cwe"])) for f in cacheable} == {
        ("Storable and Cacheable Content", "info", (524,))
    }
    # findings are sorted by severity, then rule id
    assert [f["severity"] for f in findings] == ["low", "info", "info", "info"]


def test_zap_2_8_time_from_generated_and_repeated_instances_merge() -> None:
    item = collect(ZAP_2_8)
    assert item.observed is not None and item.observed.start == datetime(2020, 3, 8, 18, 9, 7, tzinfo=UTC)
    findings = item.to_json_dict()["data"]["findings"]
    server = [f for f in findings if f["rule_id"] == "10036"]  # 5 instances, "https://www.example.com/" twice
    assert {f["location"]["url"]: f["occurrences"] for f in server} == {
        "https://www.example.com/": 2,
        "https://www.example.com": 1,
        "https://www.example.com/robots.txt": 1,
        "https://www.example.com/sitemap.xml": 1,
    }
    xfo = [f for f in findings if f["rule_id"] == "10020"]
    assert [(f["severity"], f["tool_severity"], f["cwe"]) for f in xfo] == [("medium", "Medium (Medium)", [16])] * 2
    # 10050 has no cweid: no CWE, not a made-up one
    assert {tuple(f["cwe"]) for f in findings if f["rule_id"] == "10050"} == {()}
    # same page, different parameter (header) -> different findings
    assert xfo[0]["fingerprint"] == code_fingerprint(
        "dast", "zap", "10020", xfo[0]["location"]["url"], None, "GET X-Frame-Options"
    )


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_evidence_attack_and_otherinfo_are_never_copied(path: Path) -> None:
    document = _raw(path)
    values = {
        instance[key]
        for site in document["site"]
        for alert in site["alerts"]
        for instance in alert["instances"]
        for key in ("evidence", "attack", "otherinfo")
        if instance.get(key)
    }
    if path == ZAP_2_8:
        assert "ECS (dcb/7F14)" in values and "max-age=604800" in values  # the check below checks something
    helpers.assert_never_copied(collect(path).to_json_dict(), sorted(values))


def _edge_document() -> dict[str, Any]:
    """The 2.8 report with a false positive, a high alert, secrets in URLs and attacks, and a second site."""
    document = copy.deepcopy(_raw(ZAP_2_8))
    alerts = document["site"][0]["alerts"]
    alerts[0]["confidence"] = "0"  # 10038, riskcode 1, 4 instances on 4 URLs: false positive
    alerts[1]["riskcode"] = "3"  # 10050: high
    alerts[1]["instances"][0]["uri"] = "https://admin:hunter2pass@www.example.com/login?token=tok_live_abc123#frag"
    alerts[1]["instances"][0]["attack"] = "<script>alert('attack-payload-xyz')</script>"
    alerts[1]["instances"][0]["param"] = "param-name-xyz"  # parameter names only take part in the fingerprint
    alerts[2]["riskcode"] = "9"  # not a ZAP risk code: unknown, never silently info
    document["site"].append(
        {"@name": "https://api.example.com", "@host": "api.example.com", "@port": "443", "@ssl": "true", "alerts": []}
    )
    return document


def test_derived_edge_cases_false_positive_high_unknown_urls_and_sites(tmp_path: Path) -> None:
    document = _edge_document()
    _, as_json = helpers.collect_valid(helpers.write_json(tmp_path, document))
    data = as_json["data"]
    assert data["target"] == "https://www.example.com, https://api.example.com"
    suppressed = [f for f in data["findings"] if "suppression" in f]
    assert {f["rule_id"] for f in suppressed} == {"10038"} and len(suppressed) == 4
    assert suppressed[0]["suppression"] == {
        "kind": "false_positive",
        "source": "zap:confidence",
        "justification": "ZAP confidence 0 (False Positive)",
    }
    assert data["suppressed"] == 4
    plain, _ = _independent(_raw(ZAP_2_8))
    # 10038's 4 low findings leave the counts; 10050's 4 info become high; 10036's 4 distinct low become unknown
    assert data["counts"] == {
        "critical": 0,
        "high": 4,
        "medium": plain["medium"],
        "low": plain["low"] - 4 - 4,
        "info": plain["info"] - 4,
        "unknown": 4,
    }
    high_urls = sorted(f["location"]["url"] for f in data["findings"] if f["severity"] == "high")
    assert "https://www.example.com/login" in high_urls
    helpers.assert_never_copied(
        as_json, ("hunter2pass", "admin:", "tok_live_abc123", "frag", "attack-payload-xyz", "param-name-xyz")
    )


def test_single_objects_empty_alerts_and_alert_without_instances(tmp_path: Path) -> None:
    document = {
        "@version": "2.7.0",
        "@generated": "Thu, 23 Jul 2020 12:22:01",
        "site": {
            "@name": "http://app:8080",
            "alerts": {
                "pluginid": 40012,
                "alert": "Cross Site Scripting (Reflected)",
                "riskcode": 3,
                "confidence": "2",
                "instances": {"uri": "http://app:8080/search?q=x", "method": "GET", "param": "q"},
                "cweid": "79",
            },
        },
    }
    item = collect(helpers.write_json(tmp_path, document))
    data = item.to_json_dict()["data"]
    assert item.observed is not None and item.observed.start == datetime(2020, 7, 23, 12, 22, 1, tzinfo=UTC)
    assert [(f["rule_id"], f["severity"], f["cwe"], f["location"]) for f in data["findings"]] == [
        ("40012", "high", [79], {"url": "http://app:8080/search"})
    ]
    assert data["findings"][0]["tool_severity"] == "3"
    document["site"]["alerts"] = ""
    assert collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]["findings"] == []
    document["site"]["alerts"] = [
        {"pluginid": "10202", "alert": "Absence of Anti-CSRF Tokens", "riskcode": "2", "confidence": "1", "count": "3"}
    ]
    findings = collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]["findings"]
    assert [(f["rule_id"], f["occurrences"], "location" in f) for f in findings] == [("10202", 3, False)]
    assert findings[0]["fingerprint"] == code_fingerprint("dast", "zap", "10202", None, None, None)


def test_a_site_without_alerts_is_a_clean_scan(tmp_path: Path) -> None:
    document = _raw(ZAP_2_16)
    document["site"][0]["alerts"] = []
    _, as_json = helpers.collect_valid(helpers.write_json(tmp_path, document))
    data = as_json["data"]
    assert data["findings"] == [] and set(data["counts"].values()) == {0}
    assert data["target"] == "http://host.docker.internal:8080"


def test_generated_time_forms() -> None:
    assert generated_time("Sun, 8 Mar 2020 18:09:07") == datetime(2020, 3, 8, 18, 9, 7, tzinfo=UTC)
    assert generated_time("Thu, 23 Jul 2020 12:22:01") == datetime(2020, 7, 23, 12, 22, 1, tzinfo=UTC)
    assert generated_time("8 Mar 2020 18:09:07") == datetime(2020, 3, 8, 18, 9, 7, tzinfo=UTC)
    for unreadable in ("So., 8 Mrz. 2020 18:09:07", "Sun, 31 Feb 2020 18:09:07", "2020-03-08", "", None, 5):
        assert generated_time(unreadable) is None


def test_unreadable_generated_time_leaves_the_window_unknown(tmp_path: Path) -> None:
    document = _raw(ZAP_2_8)
    document["@generated"] = "dim., 8 mars 2020 18:09:07"
    item, _ = helpers.collect_valid(helpers.write_json(tmp_path, document))
    assert item.observed is None


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "zap.json"
    empty.write_bytes(b"")
    helpers.assert_empty_refused(empty, ZapJsonCollector, "an OWASP ZAP traditional JSON report", "zap-json")


def test_truncated_json_is_located(tmp_path: Path) -> None:
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, ZAP_2_8))  # still detected as ZAP
    assert error.line == 1 and error.column is not None and error.column > 1000


def test_zap_json_without_site(tmp_path: Path) -> None:
    path = helpers.write_json(tmp_path, {"@version": "2.8.0", "@generated": "Sun, 8 Mar 2020 18:09:07"})
    assert helpers.input_error(path).message == f"{NOT_ZAP}: no 'site' list"


def test_zap_json_with_no_site_scanned_is_not_zero_findings(tmp_path: Path) -> None:
    path = helpers.write_json(tmp_path, {"@version": "2.16.0", "@generated": "Wed, 8 Jul 2026 17:59:27", "site": []})
    assert (
        helpers.input_error(path).message == "the ZAP report lists no site: nothing was scanned (target unreachable?)"
    )


def _first_alert(document: dict[str, Any]) -> dict[str, Any]:
    return document["site"][0]["alerts"][0]


def _drop_ids(document: dict[str, Any]) -> None:
    for key in ("pluginid", "alertRef"):
        _first_alert(document).pop(key)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(site="https://x"), "'site' is not a list"),
        (lambda d: d.update(site=[1]), "site 1 is not an object"),
        (lambda d: d["site"][0].update(alerts=7), "'alerts' of site 1 is not a list"),
        (lambda d: d["site"][0]["alerts"].__setitem__(1, "alert"), "alert 2 of site 1 is not an object"),
        (lambda d: _first_alert(d).update(instances=[None]), "instance 1 of alert 1 of site 1 is not an object"),
        (_drop_ids, "alert 1 of site 1 has no 'pluginid'"),
    ],
    ids=["site-string", "site-number", "alerts-number", "alert-string", "instance-null", "no-pluginid"],
)
def test_wrong_types(tmp_path: Path, mutate: Any, message: str) -> None:
    document = _raw(ZAP_2_16)
    mutate(document)
    assert helpers.input_error(helpers.write_json(tmp_path, document)).message == f"{NOT_ZAP}: {message}"


def _other_json_samples() -> list[Path]:
    found = sorted(p for p in (helpers.SHARED / "security").rglob("*.json") if p.parent.name != "zap")
    return found or [helpers.TESTS_DATA / "security" / "gitleaks" / "gitleaks_v8_many.json"]


@pytest.mark.parametrize("path", _other_json_samples(), ids=lambda p: p.name)
def test_other_tools_json_read_as_zap_is_an_input_error(path: Path) -> None:
    error = helpers.input_error(path, "zap-json")
    assert error.message in (
        f"{NOT_ZAP}: no 'site' list",
        f"{NOT_ZAP}: expected a JSON object with '@version' and 'site'",
    )


def test_other_tools_json_messages(tmp_path: Path) -> None:
    gitleaks = helpers.TESTS_DATA / "security" / "gitleaks" / "gitleaks_v8_many.json"
    assert (
        helpers.input_error(gitleaks, "zap-json").message
        == f"{NOT_ZAP}: expected a JSON object with '@version' and 'site'"
    )
    trivy_like = helpers.write_json(tmp_path, {"SchemaVersion": 2, "ArtifactName": "alpine:3.10", "Results": []})
    assert helpers.input_error(trivy_like, "zap-json").message == f"{NOT_ZAP}: no 'site' list"


def test_detect_is_specific() -> None:
    # ZAP JSON elsewhere (the shared samples) is not checked: only these samples must be claimed
    helpers.assert_detect_is_specific(
        ZapJsonCollector,
        SAMPLES,
        minimum=20,
        skip=lambda p: p.parent.name == "zap" and p.suffix == ".json" and p not in SAMPLES,
    )
    for sample in SAMPLES:
        assert detect(sample) is ZapJsonCollector
    assert not ZapJsonCollector.detect(b'{"version": "2.8.0", "generated": "x", "site": []}')
    assert not ZapJsonCollector.detect(b'[{"@version": "2.8.0", "@generated": "x"}]')
    assert ZapJsonCollector.detect(b'\xef\xbb\xbf {"@version": "2.8.0", "@generated": "x", "site": [')
