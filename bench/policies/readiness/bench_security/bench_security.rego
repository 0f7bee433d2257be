# METADATA
# scope: package
# title: Security findings (benchmark)
# description: >-
#   Bench-only criteria over the `security` evidence kind, written in the built-in library's style to
#   stand in for the coming readiness.security package in bench/policy_engines.py: fixable critical and
#   high findings, remediation SLA by severity, and secrets. Each security item is one scan (data.findings
#   holds fingerprint, rule_id, title, severity, cvss x10, cve_ids, package, location, first_seen in epoch
#   seconds, suppressed); suppressed findings are left out. Thresholds are in data.readiness.thresholds
#   (bench/policies/data/thresholds.yaml, kind bench_security), with per-tier overrides.
package readiness.bench_security

import data.readiness.lib

# METADATA
# title: No fixable critical or high findings
# description: >-
#   No open finding of a blocking severity (fixable_severities: critical and high by default) has a
#   fixed version available. Each such finding is one result, with its fingerprint, so that a waiver
#   can accept one finding.
# custom:
#   id: bench_security.fixable_findings
#   severity: critical
#   requires: [security]
#   remediation: >-
#     Upgrade each package named in the results to its fixed version, or accept one finding with a
#     waiver naming its fingerprint.
deny contains result if {
	some item in lib.items("security")
	some i in _fixable[item.id]
	result := _fixable_result(item, i)
}

checked contains result if {
	some item in lib.items("security")
	count(_fixable[item.id]) == 0
	result := lib.result(
		"bench_security.fixable_findings", item.id, "/data/findings", 0, "<=", 0,
		sprintf("none of the %d findings in %s is a fixable %s finding", [
			count(item.data.findings), item.id, concat(" or ", _limits.fixable_severities),
		]),
	)
}

# METADATA
# title: Findings fixed within their SLA
# description: >-
#   No open finding is older than its severity's SLA (sla_days per severity, counted from the
#   finding's first_seen to input.evaluation.epoch_seconds). A severity without an SLA and a finding
#   without first_seen are not judged.
# custom:
#   id: bench_security.sla_age
#   severity: high
#   requires: [security]
#   remediation: >-
#     Fix the overdue findings named in the results first; a finding that cannot be fixed in time
#     needs an approved waiver naming its fingerprint.
deny contains result if {
	some item in lib.items("security")
	some i in _overdue[item.id]
	result := _overdue_result(item, i)
}

checked contains result if {
	some item in lib.items("security")
	count(_overdue[item.id]) == 0
	result := lib.result(
		"bench_security.sla_age", item.id, "/data/findings", 0, "<=", 0,
		sprintf("none of the %d findings in %s is older than its severity's SLA", [count(item.data.findings), item.id]),
	)
}

# METADATA
# title: No secrets in the code or image
# description: >-
#   Secret scans (scan_type secrets) report at most max_secrets open findings (0 by default). The
#   result counts the open findings of a scan and names the first few.
# custom:
#   id: bench_security.no_secrets
#   severity: critical
#   requires: [security]
#   remediation: >-
#     Revoke and rotate each secret named in the result, remove it from the code and its history, and
#     suppress only test fixtures in the scanner's configuration.
deny contains result if {
	some item in _secret_scans
	count(_secrets[item.id]) > _limits.max_secrets
	result := _secrets_result(item)
}

checked contains result if {
	some item in _secret_scans
	count(_secrets[item.id]) <= _limits.max_secrets
	result := _secrets_result(item)
}

# --- thresholds ----------------------------------------------------------------------------------

# _limits holds the tier's thresholds of this package, e.g.
#   {"fixable_severities": ["critical", "high"], "sla_days": {"critical": 7, ...}, "max_secrets": 0}
_limits := {name: lib.threshold("bench_security", name) | some name in ["fixable_severities", "max_secrets", "sla_days"]}

_blocking := {severity | some severity in _limits.fixable_severities}

# _sla_cutoff maps each severity with an SLA to the earliest first_seen still within it (epoch seconds).
# (A binary expression right before `|` would read as a set union to regorus's parser, hence `cutoff`.)
_sla_cutoff := {severity: cutoff |
	some severity, days in _limits.sla_days
	lib.is_count(days)
	cutoff := input.evaluation.epoch_seconds - (days * 86400)
}

# --- findings ------------------------------------------------------------------------------------

# _fixable maps each security item's id to the indices of its open, fixable, blocking findings.
_fixable[item.id] := [i |
	some i, finding in item.data.findings
	_open(finding)
	finding.severity in _blocking
	_has_fix(finding)
] if {
	some item in lib.items("security")
}

# _overdue maps each security item's id to the indices of its open findings first seen before their
# severity's SLA cutoff.
_overdue[item.id] := [i |
	some i, finding in item.data.findings
	_open(finding)
	finding.first_seen < _sla_cutoff[finding.severity]
] if {
	some item in lib.items("security")
}

_secret_scans contains item if {
	some item in lib.items("security")
	item.data.scan_type == "secrets"
}

# _secrets maps each secret scan's id to the indices of its open findings.
_secrets[item.id] := [i | some i, finding in item.data.findings; _open(finding)] if {
	some item in _secret_scans
}

_open(finding) if not finding.suppressed

_has_fix(finding) if {
	is_string(finding.package.fixed_version)
	finding.package.fixed_version != ""
}

# --- results -------------------------------------------------------------------------------------

_fixable_result(item, i) := lib.result_with_fingerprint(
	"bench_security.fixable_findings", item.id, lib.pointer(["data", "findings", i, "severity"]),
	finding.severity, "not in", _limits.fixable_severities,
	sprintf("%s %s in %s %s (%s) is fixed in %s: %s", [
		finding.severity, finding.rule_id, finding.package.name, finding.package.installed_version,
		_cvss(finding), finding.package.fixed_version, finding.title,
	]),
	finding.fingerprint,
) if {
	finding := item.data.findings[i]
}

_overdue_result(item, i) := lib.result_with_fingerprint(
	"bench_security.sla_age", item.id, lib.pointer(["data", "findings", i, "first_seen"]),
	finding.first_seen, ">=", _sla_cutoff[finding.severity],
	sprintf("%s %s in %s has been open %d days; the SLA for %s findings is %d days", [
		finding.severity, finding.rule_id, _where(finding), _age_days(finding), finding.severity,
		_limits.sla_days[finding.severity],
	]),
	finding.fingerprint,
) if {
	finding := item.data.findings[i]
}

_secrets_result(item) := lib.result(
	"bench_security.no_secrets", item.id, "/data/findings", count(_secrets[item.id]), "<=", _limits.max_secrets,
	sprintf("%d open secret finding(s) in %s%s", [count(_secrets[item.id]), item.id, _shown_secrets(item)]),
)

_shown_secrets(item) := sprintf(": %s", [concat(", ", [_secret_name(item.data.findings[i]) |
	some i in array.slice(_secrets[item.id], 0, 3)
])]) if {
	count(_secrets[item.id]) > 0
} else := ""

_secret_name(finding) := sprintf("%s at %s", [finding.rule_id, _where(finding)])

# _where is "path:line", the package name, or the rule id when the finding names no place.
_where(finding) := sprintf("%s:%d", [finding.location.path, finding.location.line]) if {
	is_number(finding.location.line)
} else := finding.location.path if {
	is_string(finding.location.path)
} else := finding.package.name if {
	is_string(finding.package.name)
} else := finding.rule_id

_age_days(finding) := lib.floor_div(input.evaluation.epoch_seconds - finding.first_seen, 86400)

# _cvss formats the CVSS score kept as an integer x10 (75 -> "CVSS 7.5"), without floats.
_cvss(finding) := sprintf("CVSS %d.%d", [lib.floor_div(finding.cvss, 10), finding.cvss % 10]) if {
	lib.is_count(finding.cvss)
} else := "no CVSS"
