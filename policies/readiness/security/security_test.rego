package readiness.security_test

import data.readiness.security

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"security": {
		"fixable_severities": ["critical", "high"],
		"sla_days": {"critical": 15, "high": 30, "medium": 90, "low": 180},
		"max_secrets": 0,
		"iac_severities": ["critical", "high"],
		"dast_severities": ["critical", "high"],
		"sast_severities": ["critical", "high"],
		"required_scan_types": ["sast", "sca"],
	}},
	"tiers": {
		"critical": {"security": {
			"sla_days": {"critical": 7, "high": 30, "medium": 60, "low": 120},
			"required_scan_types": ["sast", "sca", "container", "secrets"],
		}},
		"standard": {},
		"low": {"security": {"fixable_severities": ["critical"], "sast_severities": ["critical"], "required_scan_types": []}},
	},
}

# _with(settings) is _thresholds with tier "broken" overriding some security thresholds.
_with(settings) := object.union(_thresholds, {"tiers": {"broken": {"security": settings}}})

_fp_openssl := "sha256:1111111111111111111111111111111111111111111111111111111111111111"

_fp_curl := "sha256:2222222222222222222222222222222222222222222222222222222222222222"

_fp_iac := "sha256:3333333333333333333333333333333333333333333333333333333333333333"

_fp_dast := "sha256:4444444444444444444444444444444444444444444444444444444444444444"

_fp_secret := "sha256:5555555555555555555555555555555555555555555555555555555555555555"

_fp_sast := "sha256:6666666666666666666666666666666666666666666666666666666666666666"

_fp_other_secret := "sha256:7777777777777777777777777777777777777777777777777777777777777777"

# Evaluated at 2026-11-27T16:00:00Z.
_now := 1795795200

_day := 86400

_vuln(fingerprint, category, rule_id, severity, fixed) := {
	"fingerprint": fingerprint, "category": category, "rule_id": rule_id, "title": "a vulnerability",
	"severity": severity, "ids": [rule_id], "cwe": [],
	"package": {"name": "openssl", "installed": "3.0.1", "fixed": fixed, "ecosystem": "deb"},
	"fix_available": count(fixed) > 0, "occurrences": 1,
}

_code(fingerprint, category, rule_id, severity, location) := {
	"fingerprint": fingerprint, "category": category, "rule_id": rule_id, "title": "a finding",
	"severity": severity, "ids": [], "cwe": [], "fix_available": false, "location": location, "occurrences": 1,
}

_iac(severity) := _code(_fp_iac, "iac", "CKV_AWS_20", severity, {"path": "main.tf", "line": 12, "resource": "aws_s3_bucket.data"})

_dast(severity) := _code(_fp_dast, "dast", "10202", severity, {"url": "https://shop.example.com/login"})

_secret(fingerprint, line) := _code(fingerprint, "secrets", "aws-access-token", "high", {"path": "config/app.env", "line": line})

_sast(severity) := _code(_fp_sast, "sast", "python.lang.security.audit.eval", severity, {"path": "app/views.py", "line": 40})

_suppressed(finding) := object.union(finding, {"suppression": {"kind": "not_affected", "source": "cyclonedx:analysis"}})

_seen(finding, seconds_ago) := object.union(finding, {"first_seen": time.format(((_now - seconds_ago) * 1000) * 1000000)})

_scan(id, tool, scan_types, findings) := {
	"id": id,
	"kind": "security",
	"schema": "security/v1",
	"collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": tool, "format": "json", "file": "reports/scan.json", "sha256": "00"},
	"collector": {"name": "readiness", "version": "0.1.0"},
	"data": {
		"scanner": {"name": tool}, "scan_types": scan_types, "findings": findings,
		"counts": {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0, "unknown": 0},
		"suppressed": 0, "truncated": false,
	},
}

_input(tier, items) := {
	"subject": {"service": "checkout", "version": "1.42.0", "tier": tier},
	"tier": tier,
	"environments": {"evidence": "staging", "target": "production"},
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": _now, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"security": items},
}

# Four scans of a release that pass every criterion in tier critical: a medium vulnerability without
# a fix, a low one with a fix, a medium SAST finding seen 10 days ago, a medium IaC finding, a low DAST
# alert and no secret.
_clean := [
	_scan("security-trivy", "trivy", ["container", "secrets"], [
		_vuln(_fp_openssl, "container", "CVE-2026-1111", "medium", []),
		_vuln(_fp_curl, "container", "CVE-2026-2222", "low", ["8.5.0"]),
	]),
	_scan("security-semgrep", "semgrep", ["sast"], [_seen(_sast("medium"), 10 * _day)]),
	_scan("security-grype", "grype", ["sca"], []),
	_scan("security-checkov", "checkov", ["iac"], [_iac("medium")]),
	_scan("security-zap", "zap", ["dast"], [_dast("low")]),
]

_criteria := [
	"security.fixable_vulnerabilities", "security.remediation_sla", "security.no_secrets",
	"security.iac_misconfigurations", "security.dast_alerts", "security.required_scan_types",
	"security.sast_findings",
]

# Inputs without security evidence: the host makes the criteria insufficient_evidence; the policy says nothing.
_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"security": []}},
	{"tier": "critical", "evidence": {"tests": [{"id": "tests-unit", "kind": "tests", "data": {}}]}},
]

_deny(criterion, inp, thresholds) := results if {
	results := {r | some r in security.deny; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_warn(criterion, inp, thresholds) := results if {
	results := {r | some r in security.warn; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_checked(criterion, inp, thresholds) := results if {
	results := {r | some r in security.checked; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_insufficient(criterion, inp, thresholds) := results if {
	results := {r | some r in security.insufficient; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_fingerprints(results) := {r.fingerprint | some r in results}

# --- the whole package ----------------------------------------------------------------------------

test_clean_scans_pass_every_criterion if {
	inp := _input("critical", _clean)
	every criterion in _criteria {
		_deny(criterion, inp, _thresholds) == set()
		_warn(criterion, inp, _thresholds) == set()
		_insufficient(criterion, inp, _thresholds) == set()
		count(_checked(criterion, inp, _thresholds)) > 0
	}
}

test_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp, _thresholds) == set()
			_warn(criterion, inp, _thresholds) == set()
			_insufficient(criterion, inp, _thresholds) == set()
			_checked(criterion, inp, _thresholds) == set()
		}
	}
}

test_broken_thresholds_without_evidence_report_nothing if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp, {}) == set()
			_warn(criterion, inp, {}) == set()
			_insufficient(criterion, inp, {}) == set()
		}
	}
}

test_every_result_names_a_declared_criterion if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [
		_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", ["3.0.8"]),
		_iac("unknown"), _dast("high"), _secret(_fp_secret, 3),
	])])
	results := ((security.deny | security.warn) | security.insufficient) | security.checked with input as inp with data.readiness.thresholds as _thresholds
	every r in results {
		r.criterion in array.concat(_criteria, ["security.rule_data"])
	}
}

# --- security.fixable_vulnerabilities -------------------------------------------------------------

test_fixable_pass_reports_what_it_checked if {
	inp := _input("critical", _clean)
	_checked("security.fixable_vulnerabilities", inp, _thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "none of the 2 package vulnerabilities counted in security-trivy is of a blocking severity (defaults: critical, high) with a fix available, nor of unknown severity",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-trivy", "pointer": "/data/findings",
	}, {
		"criterion": "security.fixable_vulnerabilities",
		"msg": "none of the 0 package vulnerabilities counted in security-grype is of a blocking severity (defaults: critical, high) with a fix available, nor of unknown severity",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-grype", "pointer": "/data/findings",
	}}
}

test_fixable_fail_exact_result if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [
		_vuln(_fp_curl, "container", "CVE-2026-2222", "low", []),
		_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", ["3.0.8"]),
	])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "CVE-2026-1111 in openssl@3.0.1 -> 3.0.8 is critical; critical, high findings with a fix available fail (defaults); reported by security-trivy /data/findings/1",
		"observed": "critical", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-trivy", "pointer": "/data/findings/1/severity",
		"fingerprint": _fp_openssl,
	}}
	_checked("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_without_fix_passes if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", [])])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	count(_checked("security.fixable_vulnerabilities", inp, _thresholds)) == 1
}

test_fixable_fix_said_by_the_tool_without_versions if {
	finding := object.union(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", []), {"fix_available": true})
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [finding])])
	some r in _deny("security.fixable_vulnerabilities", inp, _thresholds)
	r.msg == "CVE-2026-1111 in openssl@3.0.1 is high; critical, high findings with a fix available fail (defaults); reported by security-snyk /data/findings/0"
}

test_fixable_medium_does_not_block if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "medium", ["3.0.8"])])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	_warn("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_tier_override_applies if {
	inp := _input("low", [_scan("security-trivy", "trivy", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", ["3.0.8"])])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	some r in _checked("security.fixable_vulnerabilities", inp, _thresholds)
	r.msg == "none of the 1 package vulnerabilities counted in security-trivy is of a blocking severity (tier low: critical) with a fix available, nor of unknown severity"
}

test_fixable_ignores_other_categories if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [object.union(_sast("critical"), {"fix_available": true})])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	_checked("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_suppressed_finding_does_not_count if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [
		_suppressed(_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", ["3.0.8"])),
	])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	some r in _checked("security.fixable_vulnerabilities", inp, _thresholds)
	r.msg == "none of the 0 package vulnerabilities counted in security-trivy is of a blocking severity (defaults: critical, high) with a fix available, nor of unknown severity"
}

test_fixable_null_suppression_counts if {
	finding := object.union(_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", ["3.0.8"]), {"suppression": null})
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [finding])])
	_fingerprints(_deny("security.fixable_vulnerabilities", inp, _thresholds)) == {_fp_openssl}
}

test_fixable_two_tools_one_result_naming_both if {
	# Trivy (container) calls it high with 3.0.8, Grype (sca) critical with 3.1.2: one finding, critical,
	# named after the source that says critical, with the fixed versions of both.
	trivy := _scan("security-trivy", "trivy", ["container"], [
		_vuln(_fp_curl, "container", "CVE-2026-2222", "low", []),
		_vuln(_fp_openssl, "container", "CVE-2026-1111", "high", ["3.0.8"]),
	])
	grype := _scan("security-grype", "grype", ["sca"], [_vuln(_fp_openssl, "sca", "GHSA-abcd-efgh-ijkl", "critical", ["3.1.2"])])
	inp := _input("critical", [trivy, grype])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "GHSA-abcd-efgh-ijkl in openssl@3.0.1 -> 3.0.8, 3.1.2 is critical; critical, high findings with a fix available fail (defaults); reported by security-grype /data/findings/0, security-trivy /data/findings/1",
		"observed": "critical", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-grype", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_openssl,
	}}
}

test_fixable_same_severity_names_the_first_source if {
	one := _scan("security-b", "trivy", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", ["3.0.8"])])
	two := _scan("security-a", "grype", ["sca"], [
		_vuln(_fp_curl, "sca", "CVE-2026-2222", "low", []),
		_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", ["3.0.8"]),
	])
	{[r.evidence, r.pointer] | some r in _deny("security.fixable_vulnerabilities", _input("critical", [one, two]), _thresholds)} == {["security-a", "/data/findings/1/severity"]}
}

test_fixable_fix_known_to_one_source_only if {
	one := _scan("security-a", "trivy", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", [])])
	two := _scan("security-b", "grype", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", ["3.0.8"])])
	_fingerprints(_deny("security.fixable_vulnerabilities", _input("critical", [one, two]), _thresholds)) == {_fp_openssl}
}

test_fixable_suppressed_by_one_tool_counts_from_the_other if {
	one := _scan("security-a", "trivy", ["sca"], [_suppressed(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "critical", ["3.0.8"]))])
	two := _scan("security-b", "grype", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", ["3.0.8"])])
	some r in _deny("security.fixable_vulnerabilities", _input("critical", [one, two]), _thresholds)
	r.evidence == "security-b"
	r.observed == "high"
	r.msg == "CVE-2026-1111 in openssl@3.0.1 -> 3.0.8 is high; critical, high findings with a fix available fail (defaults); reported by security-b /data/findings/0"
}

test_fixable_one_result_per_fingerprint_for_waivers if {
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container"], [
		_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", ["3.0.8"]),
		object.union(object.remove(_vuln(_fp_curl, "container", "CVE-2026-2222", "high", ["8.5.0"]), ["package"]), {"package": {"name": "curl", "fixed": ["8.5.0"]}}),
	])])
	results := _deny("security.fixable_vulnerabilities", inp, _thresholds)
	_fingerprints(results) == {_fp_openssl, _fp_curl}
	some r in results
	r.fingerprint == _fp_curl
	r.msg == "CVE-2026-2222 in curl -> 8.5.0 is high; critical, high findings with a fix available fail (defaults); reported by security-trivy /data/findings/1"
}

test_fixable_unknown_severity_warns_exact_result if {
	# pip-audit gives no severity: a fixable vulnerability of unknown severity warns, never passes silently.
	inp := _input("critical", [_scan("security-pip-audit", "pip-audit", ["sca"], [_vuln(_fp_openssl, "sca", "PYSEC-2026-1", "unknown", ["3.0.8"])])])
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
	_warn("security.fixable_vulnerabilities", inp, _thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "PYSEC-2026-1 in openssl@3.0.1 -> 3.0.8 has an unknown severity (the scanner gave none readiness maps), so it cannot be judged against critical, high (defaults); judge it by hand; reported by security-pip-audit /data/findings/0",
		"observed": "unknown", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-pip-audit", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_openssl,
	}}
	_checked("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_unknown_severity_without_fix_passes if {
	inp := _input("critical", [_scan("security-pip-audit", "pip-audit", ["sca"], [_vuln(_fp_openssl, "sca", "PYSEC-2026-1", "unknown", [])])])
	_warn("security.fixable_vulnerabilities", inp, _thresholds) == set()
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_unknown_severity_fails_when_listed if {
	inp := _input("broken", [_scan("security-pip-audit", "pip-audit", ["sca"], [_vuln(_fp_openssl, "sca", "PYSEC-2026-1", "unknown", ["3.0.8"])])])
	thresholds := _with({"fixable_severities": ["critical", "high", "unknown"]})
	_warn("security.fixable_vulnerabilities", inp, thresholds) == set()
	some r in _deny("security.fixable_vulnerabilities", inp, thresholds)
	r.msg == "PYSEC-2026-1 in openssl@3.0.1 -> 3.0.8 is unknown; critical, high, unknown findings with a fix available fail (tier broken); reported by security-pip-audit /data/findings/0"
}

test_fixable_known_severity_wins_over_unknown if {
	one := _scan("security-a", "pip-audit", ["sca"], [_vuln(_fp_openssl, "sca", "PYSEC-2026-1", "unknown", ["3.0.8"])])
	two := _scan("security-b", "grype", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "medium", ["3.0.8"])])
	inp := _input("critical", [one, two])
	_warn("security.fixable_vulnerabilities", inp, _thresholds) == set()
	_deny("security.fixable_vulnerabilities", inp, _thresholds) == set()
}

test_fixable_unmapped_severity_is_unknown if {
	inp := _input("critical", [_scan("security-x", "x", ["sca"], [_vuln(_fp_openssl, "sca", "X-1", "severe", ["3.0.8"])])])
	some r in _warn("security.fixable_vulnerabilities", inp, _thresholds)
	r.observed == "severe"
}

test_fixable_broken_threshold_exact_result if {
	inp := _input("broken", [_scan("security-trivy", "trivy", ["sca"], [_vuln(_fp_openssl, "sca", "CVE-2026-1111", "unknown", ["3.0.8"])])])
	thresholds := _with({"fixable_severities": ["critical", "severe"]})
	_deny("security.fixable_vulnerabilities", inp, thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "cannot judge 1 security scan(s): security threshold fixable_severities (tier broken) is missing or invalid (see security.rule_data)",
		"observed": ["critical", "severe"], "comparator": "in",
		"threshold": "list of severities (critical, high, medium, low, info, unknown)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/fixable_severities",
	}}
	_warn("security.fixable_vulnerabilities", inp, thresholds) == set()
	_checked("security.fixable_vulnerabilities", inp, thresholds) == set()
}

test_fixable_missing_threshold_exact_result if {
	inp := _input("critical", _clean)
	thresholds := {"default": {"security": object.remove(_thresholds.default.security, ["fixable_severities"])}, "tiers": {"critical": {}}}
	_deny("security.fixable_vulnerabilities", inp, thresholds) == {{
		"criterion": "security.fixable_vulnerabilities",
		"msg": "cannot judge 5 security scan(s): security threshold fixable_severities (defaults) is missing or invalid (see security.rule_data)",
		"observed": null, "comparator": "in",
		"threshold": "list of severities (critical, high, medium, low, info, unknown)",
		"evidence": null, "pointer": "/thresholds/default/security/fixable_severities",
	}}
}

# --- security.remediation_sla ---------------------------------------------------------------------

test_sla_pass_reports_what_it_checked if {
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [
		_seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", []), 29 * _day),
		_vuln(_fp_curl, "sca", "CVE-2026-2222", "critical", []),
		_suppressed(_seen(_sast("critical"), 400 * _day)),
	])])
	_deny("security.remediation_sla", inp, _thresholds) == set()
	_checked("security.remediation_sla", inp, _thresholds) == {{
		"criterion": "security.remediation_sla",
		"msg": "none of the 1 counted findings in security-snyk with a first-seen time (of 2 counted) is past its severity's SLA (tier critical)",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-snyk", "pointer": "/data/findings",
	}}
}

test_sla_fail_exact_result if {
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [
		_vuln(_fp_curl, "sca", "CVE-2026-2222", "critical", []),
		object.union(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", []), {"first_seen": "2026-10-01T09:30:00Z"}),
	])])
	_deny("security.remediation_sla", inp, _thresholds) == {{
		"criterion": "security.remediation_sla",
		"msg": "CVE-2026-1111 in openssl@3.0.1 is high and was first seen 2026-10-01T09:30:00Z, 58 day(s) before the evaluation (counting a started day); the SLA for high findings is 30 day(s) (tier critical); reported by security-snyk /data/findings/1",
		"observed": 58, "comparator": "<=", "threshold": 30,
		"evidence": "security-snyk", "pointer": "/data/findings/1",
		"fingerprint": _fp_openssl,
	}}
	_checked("security.remediation_sla", inp, _thresholds) == set()
}

test_sla_boundary if {
	at := _seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", []), 30 * _day)
	over := _seen(_vuln(_fp_curl, "sca", "CVE-2026-2222", "high", []), (30 * _day) + 1)
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [at, over])])
	{[r.fingerprint, r.observed, r.threshold] | some r in _deny("security.remediation_sla", inp, _thresholds)} == {[_fp_curl, 31, 30]}
}

test_sla_fraction_of_a_second if {
	finding := object.union(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "critical", []), {"first_seen": "2026-11-20T15:59:59.999999999Z"})
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [finding])])
	some r in _deny("security.remediation_sla", inp, _thresholds)
	r.observed == 8
	r.threshold == 7
}

test_sla_future_first_seen_passes if {
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [_seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "critical", []), 0 - _day)])])
	_deny("security.remediation_sla", inp, _thresholds) == set()
}

test_sla_not_judged_without_first_seen_or_sla if {
	inp := _input("critical", [_scan("security-x", "x", ["sca"], [
		_vuln(_fp_openssl, "sca", "CVE-2026-1111", "critical", []),
		_seen(_vuln(_fp_curl, "sca", "CVE-2026-2222", "info", []), 900 * _day),
		_seen(_iac("unknown"), 900 * _day),
	])])
	_deny("security.remediation_sla", inp, _thresholds) == set()
	some r in _checked("security.remediation_sla", inp, _thresholds)
	r.msg == "none of the 2 counted findings in security-x with a first-seen time (of 3 counted) is past its severity's SLA (tier critical)"
}

test_sla_applies_to_every_category if {
	inp := _input("standard", [_scan("security-x", "x", ["sast", "iac", "secrets"], [
		_seen(_sast("medium"), 91 * _day),
		_seen(_iac("low"), 181 * _day),
		_seen(_secret(_fp_secret, 3), 31 * _day),
	])])
	_fingerprints(_deny("security.remediation_sla", inp, _thresholds)) == {_fp_sast, _fp_iac, _fp_secret}
}

test_sla_suppressed_finding_is_not_judged if {
	inp := _input("critical", [_scan("security-snyk", "snyk", ["sca"], [_suppressed(_seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "critical", []), 90 * _day))])])
	_deny("security.remediation_sla", inp, _thresholds) == set()
}

test_sla_two_tools_earliest_first_seen_and_most_severe if {
	# Snyk saw it first, 20 days ago, as medium; DefectDojo 5 days ago as high; Trivy states no time but
	# says critical. One finding: critical (7 days in tier critical), 20 days old, named after Snyk.
	snyk := _scan("security-snyk", "snyk", ["sca"], [_seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "medium", []), 20 * _day)])
	dojo := _scan("security-dojo", "defectdojo", ["sca"], [_seen(_vuln(_fp_openssl, "sca", "CVE-2026-1111", "high", []), 5 * _day)])
	trivy := _scan("security-trivy", "trivy", ["container"], [_vuln(_fp_openssl, "container", "CVE-2026-1111", "critical", [])])
	inp := _input("critical", [snyk, dojo, trivy])
	_deny("security.remediation_sla", inp, _thresholds) == {{
		"criterion": "security.remediation_sla",
		"msg": concat("", [
			"CVE-2026-1111 in openssl@3.0.1 is critical and was first seen 2026-11-07T16:00:00Z, 20 day(s) before the evaluation ",
			"(counting a started day); the SLA for critical findings is 7 day(s) (tier critical); reported by ",
			"security-dojo /data/findings/0, security-snyk /data/findings/0, security-trivy /data/findings/0",
		]),
		"observed": 20, "comparator": "<=", "threshold": 7,
		"evidence": "security-snyk", "pointer": "/data/findings/0",
		"fingerprint": _fp_openssl,
	}}
}

test_sla_broken_threshold_exact_result if {
	inp := _input("broken", _clean)
	thresholds := _with({"sla_days": {"critical": 7, "urgent": 1}})
	_deny("security.remediation_sla", inp, thresholds) == {{
		"criterion": "security.remediation_sla",
		"msg": "cannot judge 5 security scan(s): security threshold sla_days (tier broken) is missing or invalid (see security.rule_data)",
		"observed": {"critical": 7, "urgent": 1}, "comparator": "in",
		"threshold": "mapping of severities (critical, high, medium, low, info, unknown) to non-negative integers (days)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/sla_days",
	}}
	_checked("security.remediation_sla", inp, thresholds) == set()
}

# --- security.no_secrets --------------------------------------------------------------------------

test_secrets_pass_reports_what_it_checked if {
	inp := _input("critical", [_scan("security-gitleaks", "gitleaks", ["secrets"], [_suppressed(_secret(_fp_secret, 3))])])
	_deny("security.no_secrets", inp, _thresholds) == set()
	_checked("security.no_secrets", inp, _thresholds) == {{
		"criterion": "security.no_secrets",
		"msg": "security-gitleaks reports 0 secret(s) that count; 0 in all security items, at most 0 allowed (defaults)",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-gitleaks", "pointer": "/data/findings",
	}}
}

test_secrets_fail_exact_result if {
	inp := _input("critical", [_scan("security-gitleaks", "gitleaks", ["secrets"], [_secret(_fp_secret, 3)])])
	_deny("security.no_secrets", inp, _thresholds) == {{
		"criterion": "security.no_secrets",
		"msg": "secret aws-access-token at config/app.env:3 (high); 1 secret(s) found, at most 0 allowed (defaults); reported by security-gitleaks /data/findings/0",
		"observed": 1, "comparator": "<=", "threshold": 0,
		"evidence": "security-gitleaks", "pointer": "/data/findings/0",
		"fingerprint": _fp_secret,
	}}
	_checked("security.no_secrets", inp, _thresholds) == set()
}

test_secrets_any_severity_counts if {
	# Line 0 is a whole-file finding: the message names the file only.
	secret := object.union(_secret(_fp_secret, 0), {"severity": "info", "location": {"path": "Dockerfile"}})
	inp := _input("critical", [_scan("security-trivy", "trivy", ["container", "secrets"], [secret])])
	some r in _deny("security.no_secrets", inp, _thresholds)
	r.msg == "secret aws-access-token at Dockerfile (info); 1 secret(s) found, at most 0 allowed (defaults); reported by security-trivy /data/findings/0"
}

test_secrets_within_allowance_pass_over_it_fail_each if {
	one := [_secret(_fp_secret, 3)]
	two := [_secret(_fp_secret, 3), _secret(_fp_other_secret, 9)]
	thresholds := _with({"max_secrets": 1})
	_deny("security.no_secrets", _input("broken", [_scan("security-gitleaks", "gitleaks", ["secrets"], one)]), thresholds) == set()
	results := _deny("security.no_secrets", _input("broken", [_scan("security-gitleaks", "gitleaks", ["secrets"], two)]), thresholds)
	_fingerprints(results) == {_fp_secret, _fp_other_secret}
	{r.observed | some r in results} == {2}
}

test_secrets_two_tools_one_result_naming_both if {
	gitleaks := _scan("security-gitleaks", "gitleaks", ["secrets"], [_secret(_fp_secret, 3)])
	trivy := _scan("security-trivy", "trivy", ["container", "secrets"], [_secret(_fp_secret, 3)])
	results := _deny("security.no_secrets", _input("critical", [trivy, gitleaks]), _thresholds)
	{[r.evidence, r.pointer, r.observed, r.fingerprint] | some r in results} == {["security-gitleaks", "/data/findings/0", 1, _fp_secret]}
	some r in results
	endswith(r.msg, "reported by security-gitleaks /data/findings/0, security-trivy /data/findings/0")
}

test_secrets_without_a_secret_scan_report_nothing if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [])])
	_deny("security.no_secrets", inp, _thresholds) == set()
	_checked("security.no_secrets", inp, _thresholds) == set()
}

test_secrets_broken_threshold_exact_result if {
	inp := _input("broken", [_scan("security-gitleaks", "gitleaks", ["secrets"], [_secret(_fp_secret, 3)])])
	thresholds := _with({"max_secrets": -1})
	_deny("security.no_secrets", inp, thresholds) == {{
		"criterion": "security.no_secrets",
		"msg": "cannot judge 1 security scan(s): security threshold max_secrets (tier broken) is missing or invalid (see security.rule_data)",
		"observed": -1, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/max_secrets",
	}}
	_checked("security.no_secrets", inp, thresholds) == set()
}

# --- security.iac_misconfigurations ---------------------------------------------------------------

test_iac_pass_reports_what_it_checked if {
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [_iac("medium"), _suppressed(_iac("critical"))])])
	_deny("security.iac_misconfigurations", inp, _thresholds) == set()
	_warn("security.iac_misconfigurations", inp, _thresholds) == set()
	_checked("security.iac_misconfigurations", inp, _thresholds) == {{
		"criterion": "security.iac_misconfigurations",
		"msg": "none of the 1 IaC findings counted in security-checkov is of a blocking severity (defaults: critical, high), nor of unknown severity",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-checkov", "pointer": "/data/findings",
	}}
}

test_iac_fail_exact_result if {
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [_iac("high")])])
	_deny("security.iac_misconfigurations", inp, _thresholds) == {{
		"criterion": "security.iac_misconfigurations",
		"msg": "CKV_AWS_20 at main.tf:12 (aws_s3_bucket.data) is high; critical, high IaC findings fail (defaults); reported by security-checkov /data/findings/0",
		"observed": "high", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-checkov", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_iac,
	}}
	_checked("security.iac_misconfigurations", inp, _thresholds) == set()
}

test_iac_unknown_severity_warns_exact_result if {
	# Checkov without a platform key reports no severity.
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [_iac("unknown")])])
	_deny("security.iac_misconfigurations", inp, _thresholds) == set()
	_warn("security.iac_misconfigurations", inp, _thresholds) == {{
		"criterion": "security.iac_misconfigurations",
		"msg": "CKV_AWS_20 at main.tf:12 (aws_s3_bucket.data) has an unknown severity (the scanner gave none readiness maps), so it cannot be judged against critical, high (defaults); judge it by hand; reported by security-checkov /data/findings/0",
		"observed": "unknown", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-checkov", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_iac,
	}}
	_checked("security.iac_misconfigurations", inp, _thresholds) == set()
}

test_iac_unknown_severity_fails_when_listed if {
	inp := _input("broken", [_scan("security-checkov", "checkov", ["iac"], [_iac("unknown")])])
	thresholds := _with({"iac_severities": ["unknown"]})
	_fingerprints(_deny("security.iac_misconfigurations", inp, thresholds)) == {_fp_iac}
	_warn("security.iac_misconfigurations", inp, thresholds) == set()
}

test_iac_suppressed_does_not_count if {
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [_suppressed(_iac("critical")), _suppressed(_iac("unknown"))])])
	_deny("security.iac_misconfigurations", inp, _thresholds) == set()
	_warn("security.iac_misconfigurations", inp, _thresholds) == set()
}

test_iac_two_tools_one_result if {
	checkov := _scan("security-checkov", "checkov", ["iac"], [_iac("unknown")])
	trivy := _scan("security-trivy-config", "trivy", ["iac"], [_iac("high")])
	inp := _input("critical", [checkov, trivy])
	_warn("security.iac_misconfigurations", inp, _thresholds) == set()
	results := _deny("security.iac_misconfigurations", inp, _thresholds)
	{[r.evidence, r.fingerprint] | some r in results} == {["security-trivy-config", _fp_iac]}
	some r in results
	endswith(r.msg, "reported by security-checkov /data/findings/0, security-trivy-config /data/findings/0")
}

test_iac_without_location if {
	finding := object.remove(_iac("critical"), ["location"])
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [finding])])
	some r in _deny("security.iac_misconfigurations", inp, _thresholds)
	startswith(r.msg, "CKV_AWS_20 (no location given) is critical;")
}

test_iac_broken_threshold_exact_result if {
	inp := _input("broken", [_scan("security-checkov", "checkov", ["iac"], [_iac("high")])])
	thresholds := _with({"iac_severities": "high"})
	_deny("security.iac_misconfigurations", inp, thresholds) == {{
		"criterion": "security.iac_misconfigurations",
		"msg": "cannot judge 1 security scan(s): security threshold iac_severities (tier broken) is missing or invalid (see security.rule_data)",
		"observed": "high", "comparator": "in",
		"threshold": "list of severities (critical, high, medium, low, info, unknown)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/iac_severities",
	}}
	_warn("security.iac_misconfigurations", inp, thresholds) == set()
	_checked("security.iac_misconfigurations", inp, thresholds) == set()
}

# --- security.dast_alerts -------------------------------------------------------------------------

test_dast_pass_reports_what_it_checked if {
	inp := _input("critical", [_scan("security-zap", "zap", ["dast"], [_dast("medium")])])
	_deny("security.dast_alerts", inp, _thresholds) == set()
	_checked("security.dast_alerts", inp, _thresholds) == {{
		"criterion": "security.dast_alerts",
		"msg": "none of the 1 DAST alerts counted in security-zap is of a blocking severity (defaults: critical, high), nor of unknown severity",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-zap", "pointer": "/data/findings",
	}}
}

test_dast_fail_exact_result if {
	inp := _input("critical", [_scan("security-zap", "zap", ["dast"], [_dast("high")])])
	_deny("security.dast_alerts", inp, _thresholds) == {{
		"criterion": "security.dast_alerts",
		"msg": "10202 at https://shop.example.com/login is high; critical, high DAST alerts fail (defaults); reported by security-zap /data/findings/0",
		"observed": "high", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-zap", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_dast,
	}}
}

test_dast_unknown_severity_warns if {
	inp := _input("critical", [_scan("security-zap", "zap", ["dast"], [_dast("unknown")])])
	_deny("security.dast_alerts", inp, _thresholds) == set()
	_fingerprints(_warn("security.dast_alerts", inp, _thresholds)) == {_fp_dast}
}

test_dast_suppressed_does_not_count if {
	inp := _input("critical", [_scan("security-zap", "zap", ["dast"], [_suppressed(_dast("high"))])])
	_deny("security.dast_alerts", inp, _thresholds) == set()
	count(_checked("security.dast_alerts", inp, _thresholds)) == 1
}

test_dast_tier_override if {
	inp := _input("broken", [_scan("security-zap", "zap", ["dast"], [_dast("medium")])])
	some r in _deny("security.dast_alerts", inp, _with({"dast_severities": ["critical", "high", "medium"]}))
	r.msg == "10202 at https://shop.example.com/login is medium; critical, high, medium DAST alerts fail (tier broken); reported by security-zap /data/findings/0"
}

test_dast_broken_threshold if {
	inp := _input("broken", [_scan("security-zap", "zap", ["dast"], [_dast("high")])])
	{r.pointer | some r in _deny("security.dast_alerts", inp, _with({"dast_severities": [1]}))} == {"/thresholds/tiers/broken/security/dast_severities"}
}

# --- security.sast_findings -----------------------------------------------------------------------

test_sast_pass_reports_what_it_checked if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("medium"), _suppressed(_sast("critical"))])])
	_deny("security.sast_findings", inp, _thresholds) == set()
	_warn("security.sast_findings", inp, _thresholds) == set()
	_checked("security.sast_findings", inp, _thresholds) == {{
		"criterion": "security.sast_findings",
		"msg": "none of the 1 SAST findings counted in security-semgrep is of a blocking severity (defaults: critical, high), nor of unknown severity",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "security-semgrep", "pointer": "/data/findings",
	}}
}

test_sast_fail_exact_result if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("high")])])
	_deny("security.sast_findings", inp, _thresholds) == {{
		"criterion": "security.sast_findings",
		"msg": "python.lang.security.audit.eval at app/views.py:40 is high; critical, high SAST findings fail (defaults); reported by security-semgrep /data/findings/0",
		"observed": "high", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-semgrep", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_sast,
	}}
	_warn("security.sast_findings", inp, _thresholds) == set()
	_checked("security.sast_findings", inp, _thresholds) == set()
}

test_sast_low_tier_blocks_only_critical if {
	high := _input("low", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("high")])])
	_deny("security.sast_findings", high, _thresholds) == set()
	count(_checked("security.sast_findings", high, _thresholds)) == 1
	critical := _input("low", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("critical")])])
	_fingerprints(_deny("security.sast_findings", critical, _thresholds)) == {_fp_sast}
}

test_sast_unknown_severity_warns_exact_result if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("unknown")])])
	_deny("security.sast_findings", inp, _thresholds) == set()
	_warn("security.sast_findings", inp, _thresholds) == {{
		"criterion": "security.sast_findings",
		"msg": "python.lang.security.audit.eval at app/views.py:40 has an unknown severity (the scanner gave none readiness maps), so it cannot be judged against critical, high (defaults); judge it by hand; reported by security-semgrep /data/findings/0",
		"observed": "unknown", "comparator": "not in", "threshold": ["critical", "high"],
		"evidence": "security-semgrep", "pointer": "/data/findings/0/severity",
		"fingerprint": _fp_sast,
	}}
	_checked("security.sast_findings", inp, _thresholds) == set()
}

test_sast_suppressed_does_not_count if {
	inp := _input("critical", [_scan("security-semgrep", "semgrep", ["sast"], [_suppressed(_sast("critical")), _suppressed(_sast("unknown"))])])
	_deny("security.sast_findings", inp, _thresholds) == set()
	_warn("security.sast_findings", inp, _thresholds) == set()
	some r in _checked("security.sast_findings", inp, _thresholds)
	startswith(r.msg, "none of the 0 SAST findings counted in security-semgrep")
}

test_sast_two_tools_one_result_naming_both if {
	semgrep := _scan("security-semgrep", "semgrep", ["sast"], [_sast("medium")])
	codeql := _scan("security-codeql", "codeql", ["sast"], [_sast("critical")])
	results := _deny("security.sast_findings", _input("critical", [semgrep, codeql]), _thresholds)
	{[r.evidence, r.fingerprint, r.observed] | some r in results} == {["security-codeql", _fp_sast, "critical"]}
	some r in results
	endswith(r.msg, "reported by security-codeql /data/findings/0, security-semgrep /data/findings/0")
}

test_sast_ignores_other_categories if {
	inp := _input("critical", [_scan("security-checkov", "checkov", ["iac"], [_iac("critical")])])
	_deny("security.sast_findings", inp, _thresholds) == set()
	_checked("security.sast_findings", inp, _thresholds) == set()
}

test_sast_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("security.sast_findings", inp, _thresholds) == set()
		_warn("security.sast_findings", inp, _thresholds) == set()
		_checked("security.sast_findings", inp, _thresholds) == set()
	}
}

test_sast_broken_threshold_exact_result if {
	inp := _input("broken", [_scan("security-semgrep", "semgrep", ["sast"], [_sast("high")])])
	thresholds := _with({"sast_severities": ["high", "severe"]})
	_deny("security.sast_findings", inp, thresholds) == {{
		"criterion": "security.sast_findings",
		"msg": "cannot judge 1 security scan(s): security threshold sast_severities (tier broken) is missing or invalid (see security.rule_data)",
		"observed": ["high", "severe"], "comparator": "in",
		"threshold": "list of severities (critical, high, medium, low, info, unknown)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/sast_severities",
	}}
	_warn("security.sast_findings", inp, thresholds) == set()
	_checked("security.sast_findings", inp, thresholds) == set()
	{r.pointer | some r in _deny("security.rule_data", {"tier": "broken"}, thresholds)} == {"/thresholds/tiers/broken/security/sast_severities"}
}

# --- security.required_scan_types -----------------------------------------------------------------

test_scan_types_pass_reports_what_it_checked if {
	inp := _input("standard", [
		_scan("security-semgrep", "semgrep", ["sast"], []),
		_scan("security-trivy", "trivy", ["sca", "secrets"], []),
		_scan("security-grype", "grype", ["sca"], []),
	])
	_deny("security.required_scan_types", inp, _thresholds) == set()
	_checked("security.required_scan_types", inp, _thresholds) == {
		{
			"criterion": "security.required_scan_types",
			"msg": "sast scan present in security-semgrep; required scan types: sast, sca (defaults)",
			"observed": "sast", "comparator": "in", "threshold": ["sast", "sca", "secrets"],
			"evidence": "security-semgrep", "pointer": "/data/scan_types/0",
		},
		{
			"criterion": "security.required_scan_types",
			"msg": "sca scan present in security-grype, security-trivy; required scan types: sast, sca (defaults)",
			"observed": "sca", "comparator": "in", "threshold": ["sast", "sca", "secrets"],
			"evidence": "security-grype", "pointer": "/data/scan_types/0",
		},
	}
}

test_scan_types_missing_is_insufficient_evidence_exact_result if {
	# A tier-1 service without a container scan.
	inp := _input("critical", [
		_scan("security-semgrep", "semgrep", ["sast"], []),
		_scan("security-grype", "grype", ["sca"], []),
		_scan("security-gitleaks", "gitleaks", ["secrets"], []),
	])
	_deny("security.required_scan_types", inp, _thresholds) == set()
	_insufficient("security.required_scan_types", inp, _thresholds) == {{
		"criterion": "security.required_scan_types",
		"msg": "no container scan among 3 security item(s), which cover sast, sca, secrets; required scan types: sast, sca, container, secrets (tier critical)",
		"observed": ["sast", "sca", "secrets"], "comparator": "includes", "threshold": "container",
		"evidence": null, "pointer": "/thresholds/tiers/critical/security/required_scan_types",
	}}
	count(_checked("security.required_scan_types", inp, _thresholds)) == 3
}

test_scan_types_findings_do_not_stand_in_for_a_scan if {
	# A secret found by an image scan that does not declare a secrets scan is no secrets scan.
	inp := _input("critical", [_scan("security-trivy", "trivy", ["sast", "sca", "container"], [_secret(_fp_secret, 1)])])
	{r.threshold | some r in _insufficient("security.required_scan_types", inp, _thresholds)} == {"secrets"}
}

test_scan_types_none_required if {
	inp := _input("low", [_scan("security-semgrep", "semgrep", ["sast"], [])])
	_deny("security.required_scan_types", inp, _thresholds) == set()
	_checked("security.required_scan_types", inp, _thresholds) == {{
		"criterion": "security.required_scan_types",
		"msg": "no scan type is required (tier low); the security items cover sast",
		"observed": [], "comparator": "in", "threshold": ["sast"],
		"evidence": null, "pointer": "/thresholds/tiers/low/security/required_scan_types",
	}}
}

test_scan_types_broken_threshold_exact_result if {
	inp := _input("broken", [_scan("security-semgrep", "semgrep", ["sast"], [])])
	thresholds := _with({"required_scan_types": ["sast", "pentest"]})
	_deny("security.required_scan_types", inp, thresholds) == {{
		"criterion": "security.required_scan_types",
		"msg": "cannot judge 1 security scan(s): security threshold required_scan_types (tier broken) is missing or invalid (see security.rule_data)",
		"observed": ["sast", "pentest"], "comparator": "in",
		"threshold": "list of scan types (sast, sca, container, iac, dast, secrets, license)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/required_scan_types",
	}}
	_insufficient("security.required_scan_types", inp, thresholds) == set()
	_checked("security.required_scan_types", inp, thresholds) == set()
}

# --- security.rule_data ---------------------------------------------------------------------------

test_shipped_thresholds_are_valid_for_every_tier if {
	# The thresholds in policies/data/*.yaml, as readiness loads them.
	every tier in ["default", "critical", "high", "standard", "low"] {
		{r | some r in security.deny; r.criterion == "security.rule_data"} == set() with input as {"tier": tier}
		count({r | some r in security.checked; r.criterion == "security.rule_data"}) == 7 with input as {"tier": tier}
	}
}

test_rule_data_checked_exact_results if {
	checked := _checked("security.rule_data", {"tier": "critical"}, _thresholds)
	count(checked) == 7
	{
		"criterion": "security.rule_data",
		"msg": "security threshold sla_days is critical 7, high 30, medium 60, low 120 (tier critical)",
		"observed": {"critical": 7, "high": 30, "medium": 60, "low": 120}, "comparator": "in",
		"threshold": "mapping of severities (critical, high, medium, low, info, unknown) to non-negative integers (days)",
		"evidence": null, "pointer": "/thresholds/tiers/critical/security/sla_days",
	} in checked
	{
		"criterion": "security.rule_data",
		"msg": "security threshold max_secrets is 0 (defaults)",
		"observed": 0, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/security/max_secrets",
	} in checked
	{
		"criterion": "security.rule_data",
		"msg": "security threshold required_scan_types is sast, sca, container, secrets (tier critical)",
		"observed": ["sast", "sca", "container", "secrets"], "comparator": "in",
		"threshold": "list of scan types (sast, sca, container, iac, dast, secrets, license)",
		"evidence": null, "pointer": "/thresholds/tiers/critical/security/required_scan_types",
	} in checked
}

test_rule_data_empty_list_is_nothing if {
	some r in _checked("security.rule_data", {"tier": "low"}, _thresholds)
	r.msg == "security threshold required_scan_types is nothing (tier low)"
}

test_rule_data_whole_floats_are_integers if {
	thresholds := _with({"max_secrets": 1.0, "sla_days": {"critical": 7.0}})
	_deny("security.rule_data", {"tier": "broken"}, thresholds) == set()
	inp := _input("broken", [_scan("security-gitleaks", "gitleaks", ["secrets"], [_secret(_fp_secret, 3)])])
	_deny("security.no_secrets", inp, thresholds) == set()
	some r in _checked("security.rule_data", {"tier": "broken"}, thresholds)
	r.msg == "security threshold sla_days is critical 7 (tier broken)"
}

test_rule_data_missing_threshold_exact_result if {
	thresholds := {"default": {"security": object.remove(_thresholds.default.security, ["max_secrets"])}}
	_deny("security.rule_data", {}, thresholds) == {{
		"criterion": "security.rule_data",
		"msg": "security threshold max_secrets is set neither for tier default nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/security/max_secrets",
	}}
}

test_rule_data_no_security_thresholds_at_all if {
	count(_deny("security.rule_data", {"tier": "critical"}, {"tiers": {"critical": {}}})) == 7
}

test_rule_data_invalid_values_exact_results if {
	thresholds := _with({
		"fixable_severities": ["critical", "urgent"],
		"sla_days": {"critical": -1},
		"max_secrets": 0.5,
		"iac_severities": {"high": true},
		"dast_severities": null,
		"sast_severities": ["critical", 1],
		"required_scan_types": "sast",
	})
	results := _deny("security.rule_data", {"tier": "broken"}, thresholds)
	{r.pointer | some r in results} == {
		"/thresholds/tiers/broken/security/fixable_severities", "/thresholds/tiers/broken/security/sla_days",
		"/thresholds/tiers/broken/security/max_secrets", "/thresholds/tiers/broken/security/iac_severities",
		"/thresholds/tiers/broken/security/dast_severities", "/thresholds/tiers/broken/security/required_scan_types",
		"/thresholds/tiers/broken/security/sast_severities",
	}
	{
		"criterion": "security.rule_data",
		"msg": "security threshold fixable_severities (tier broken) is invalid: it must be a list of severities (critical, high, medium, low, info, unknown)",
		"observed": ["critical", "urgent"], "comparator": "in",
		"threshold": "list of severities (critical, high, medium, low, info, unknown)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/fixable_severities",
	} in results
	_checked("security.rule_data", {"tier": "broken"}, thresholds) == set()
}

test_rule_data_invalid_sla_days if {
	every sla_days in [{"critical": "7"}, {"critical": 1.5}, {"urgent": 1}, [7], 7] {
		{r.pointer | some r in _deny("security.rule_data", {"tier": "broken"}, _with({"sla_days": sla_days}))} == {
			"/thresholds/tiers/broken/security/sla_days",
		}
	}
}

test_rule_data_unknown_name_exact_result if {
	results := _deny("security.rule_data", {"tier": "broken"}, _with({"max_secret": 1}))
	results == {{
		"criterion": "security.rule_data",
		"msg": "max_secret is not a security threshold (tier broken)",
		"observed": 1, "comparator": "in",
		"threshold": ["dast_severities", "fixable_severities", "iac_severities", "max_secrets", "required_scan_types", "sast_severities", "sla_days"],
		"evidence": null, "pointer": "/thresholds/tiers/broken/security/max_secret",
	}}
}

test_rule_data_unknown_name_in_defaults if {
	thresholds := {"default": {"security": object.union(_thresholds.default.security, {"sla": 3})}}
	{r.msg | some r in _deny("security.rule_data", {}, thresholds)} == {"sla is not a security threshold (defaults)"}
}

test_rule_data_level_must_be_a_mapping if {
	results := _deny("security.rule_data", {"tier": "broken"}, object.union(_thresholds, {"tiers": {"broken": {"security": ["critical"]}}}))
	results == {{
		"criterion": "security.rule_data",
		"msg": "/thresholds/tiers/broken/security under data.readiness must be a mapping",
		"observed": ["critical"], "comparator": "in", "threshold": "mapping",
		"evidence": null, "pointer": "/thresholds/tiers/broken/security",
	}}
}

test_rule_data_unknown_tier_exact_result if {
	_deny("security.rule_data", {"tier": "gold"}, _thresholds) == {{
		"criterion": "security.rule_data",
		"msg": "tier gold is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "gold", "comparator": "in", "threshold": ["critical", "low", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_rule_data_needs_no_evidence if {
	count(_checked("security.rule_data", {"tier": "critical", "evidence": {}}, _thresholds)) == 7
}

test_required_scan_types_warns_about_a_partial_scan if {
	scan := _scan("security-bandit", "bandit", ["sast"], [])
	partial := object.union(scan, {"data": object.union(scan.data, {"scan_errors": 2})})
	inp := _input("low", [partial])
	_warn("security.required_scan_types", inp, _thresholds) == {{
		"criterion": "security.required_scan_types",
		"msg": "security-bandit: bandit reported 2 file(s) or target(s) it could not scan, so its sast scan covers less than its target",
		"observed": 2, "comparator": "<=", "threshold": 0,
		"evidence": "security-bandit", "pointer": "/data/scan_errors",
	}}
	_warn("security.required_scan_types", _input("low", [_scan("security-bandit", "bandit", ["sast"], [])]), _thresholds) == set()
}

