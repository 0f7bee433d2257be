# METADATA
# scope: package
# title: Security scan findings
# description: >-
#   Criteria over the `security` evidence kind (schema security/v1): the normalized findings of security
#   scans (SAST, SCA, container, IaC, DAST, secrets, license), one evidence item per scan. Several scans
#   of the same release can be bundled; the criteria judge them together.
#
#   Findings are merged across every security item by fingerprint: two scanners reporting the same
#   vulnerability in the same package version (same fingerprint) are one finding, with every source kept
#   (item id and JSON pointer, e.g. security-trivy /data/findings/12) and the most severe severity any
#   source gives (critical, high, medium, low, info, then unknown: a known severity wins over unknown). A
#   finding with a `suppression` (suppressed in the tool, VEX not_affected, accepted, false positive)
#   never counts; another scanner's unsuppressed report of the same fingerprint still does. Each
#   violation is one result per fingerprint, carrying that fingerprint, so that a waiver can accept one
#   finding (waiver scope `fingerprint: sha256:…`); its evidence and pointer name the first source (by
#   item id, then index) that shows the value judged, and its message names the rule id, the package
#   (name@installed -> fixed versions) or the place (path:line, URL), the severity, the threshold and
#   every source.
#
#   Findings whose severity is `unknown` (the tool gave none readiness can map: Checkov without a
#   platform key, pip-audit) never pass silently: security.fixable_vulnerabilities,
#   security.iac_misconfigurations, security.dast_alerts and security.sast_findings warn about each of
#   them, unless the tier's
#   list of blocking severities names `unknown`, which makes them fail instead.
#
#   The thresholds are rule data in data.readiness.thresholds (policies/data/security.yaml), for example:
#
#     thresholds:
#       default:
#         security:
#           fixable_severities: [critical, high]   # with a fix available, these fail
#           sla_days: {critical: 15, high: 30, medium: 90, low: 180}
#           max_secrets: 0
#           iac_severities: [critical, high]
#           dast_severities: [critical, high]
#           sast_severities: [critical, high]
#           required_scan_types: [sast, sca]
#       tiers:
#         critical:
#           security:
#             sla_days: {critical: 7, high: 30, medium: 60, low: 120}
#             required_scan_types: [sast, sca, container, secrets]
#
#   A tier's value replaces the default value as a whole (a tier's sla_days lists every severity with an
#   SLA). security.rule_data checks every threshold that applies and every name set: a misconfiguration
#   is a violation, never a silent default, and a criterion whose threshold is broken reports that it
#   cannot judge the scans rather than passing.
#
#   Required scan types: a release whose security evidence lacks a scan type its tier requires makes
#   security.required_scan_types insufficient_evidence (an `insufficient` result per missing scan type:
#   the security items' scan types do not include it); with no security evidence at all every criterion
#   here is insufficient_evidence. A broken required_scan_types threshold makes it fail.
package readiness.security

import data.readiness.lib

# METADATA
# title: No fixable critical or high vulnerability
# description: >-
#   No package vulnerability (SCA or container finding) of a blocking severity (fixable_severities:
#   critical and high by default) has a fix available (fixed versions listed, or the tool says it is
#   fixable). One result per fingerprint, naming the package, its installed and fixed versions and every
#   scanner that reported it. A fixable vulnerability of unknown severity warns.
# custom:
#   id: security.fixable_vulnerabilities
#   severity: critical
#   requires: [security]
#   remediation: >-
#     Upgrade each package named in the results to a fixed version (rebuild the image for container
#     findings) and rescan; if the vulnerable code is not reachable, record that in the scanner (VEX
#     not_affected) or accept the one finding with a waiver naming its fingerprint.
deny contains result if {
	some fingerprint, merged in _judged["security.fixable_vulnerabilities"]
	_blocks("fixable_severities", merged.severity)
	result := _severity_result("security.fixable_vulnerabilities", "fixable_severities", fingerprint, merged)
}

warn contains result if {
	some fingerprint, merged in _judged["security.fixable_vulnerabilities"]
	result := _unknown_result("security.fixable_vulnerabilities", "fixable_severities", fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.fixable_vulnerabilities", "fixable_severities")
}

checked contains result if {
	some result in _clean_items("security.fixable_vulnerabilities", "fixable_severities", "package vulnerabilities")
}

# METADATA
# title: Findings fixed within their SLA
# description: >-
#   No finding whose first-seen time the scanner states is older than the SLA of its severity (sla_days:
#   days from first seen to the evaluation time, per severity). The earliest first-seen time among the
#   sources of a finding counts. A finding without a first-seen time, or of a severity without an SLA,
#   is not judged here (most scanners state no first-seen time; the other criteria judge the finding).
# custom:
#   id: security.remediation_sla
#   severity: high
#   requires: [security]
#   remediation: >-
#     Fix the overdue findings named in the results first; a finding that cannot be fixed in time needs
#     an approved waiver naming its fingerprint, with the date it will be fixed.
deny contains result if {
	some fingerprint, merged in _overdue
	result := _sla_result(fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.remediation_sla", "sla_days")
}

checked contains result if {
	some item in _items
	not item.id in _overdue_items
	result := _sla_checked(item)
}

# METADATA
# title: No secrets found
# description: >-
#   Secret scans find at most max_secrets secrets (0 by default) that are not suppressed: a credential
#   in the code, the history or the image is compromised whatever else the release does right. One
#   result per secret (per fingerprint); the secret's value never enters the evidence.
# custom:
#   id: security.no_secrets
#   severity: critical
#   requires: [security]
#   remediation: >-
#     Revoke and rotate each secret named in the results, then remove it from the code and its history;
#     a test fixture that only looks like a secret is suppressed in the scanner's configuration.
deny contains result if {
	count(_secrets) > _limits.max_secrets
	some fingerprint, merged in _secrets
	result := _secret_result(fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.no_secrets", "max_secrets")
}

checked contains result if {
	count(_secrets) <= _limits.max_secrets
	some item in _covering(_categories["security.no_secrets"])
	result := _secrets_checked(item)
}

# METADATA
# title: No high IaC misconfiguration
# description: >-
#   No infrastructure-as-code finding (Terraform, Kubernetes, CloudFormation, Dockerfile checks) has a
#   blocking severity (iac_severities: critical and high by default). One result per fingerprint, naming
#   the rule, the file and line and the resource. A finding of unknown severity warns (Checkov reports
#   severities only with a platform key).
# custom:
#   id: security.iac_misconfigurations
#   severity: high
#   requires: [security]
#   remediation: >-
#     Fix the resources named in the results (the rule id links to the check's documentation), or
#     suppress a check that does not apply in the scanner with a justification, or accept one finding
#     with a waiver naming its fingerprint.
deny contains result if {
	some fingerprint, merged in _judged["security.iac_misconfigurations"]
	_blocks("iac_severities", merged.severity)
	result := _severity_result("security.iac_misconfigurations", "iac_severities", fingerprint, merged)
}

warn contains result if {
	some fingerprint, merged in _judged["security.iac_misconfigurations"]
	result := _unknown_result("security.iac_misconfigurations", "iac_severities", fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.iac_misconfigurations", "iac_severities")
}

checked contains result if {
	some result in _clean_items("security.iac_misconfigurations", "iac_severities", "IaC findings")
}

# METADATA
# title: No high DAST alert
# description: >-
#   No dynamic scan alert (ZAP, Burp, Nuclei against the running service) has a blocking severity
#   (dast_severities: critical and high by default). One result per fingerprint, naming the rule and the
#   URL. An alert of unknown severity warns.
# custom:
#   id: security.dast_alerts
#   severity: high
#   requires: [security]
#   remediation: >-
#     Fix the weakness behind each alert named in the results (the rule id names the scanner's check) and
#     rescan; a false positive is marked as such in the scanner, or accepted with a waiver naming its
#     fingerprint.
deny contains result if {
	some fingerprint, merged in _judged["security.dast_alerts"]
	_blocks("dast_severities", merged.severity)
	result := _severity_result("security.dast_alerts", "dast_severities", fingerprint, merged)
}

warn contains result if {
	some fingerprint, merged in _judged["security.dast_alerts"]
	result := _unknown_result("security.dast_alerts", "dast_severities", fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.dast_alerts", "dast_severities")
}

checked contains result if {
	some result in _clean_items("security.dast_alerts", "dast_severities", "DAST alerts")
}

# METADATA
# title: No high SAST finding
# description: >-
#   No static analysis finding (Semgrep, CodeQL, Bandit and other SAST tools) has a blocking severity
#   (sast_severities: critical and high by default). One result per fingerprint, naming the rule and the
#   file and line. A finding of unknown severity warns.
# custom:
#   id: security.sast_findings
#   severity: high
#   requires: [security]
#   remediation: >-
#     Fix the code named in the results (the rule id names the scanner's check) and rescan; a false
#     positive is marked as such in the scanner with a reason, or accepted with a waiver naming its
#     fingerprint.
deny contains result if {
	some fingerprint, merged in _judged["security.sast_findings"]
	_blocks("sast_severities", merged.severity)
	result := _severity_result("security.sast_findings", "sast_severities", fingerprint, merged)
}

warn contains result if {
	some fingerprint, merged in _judged["security.sast_findings"]
	result := _unknown_result("security.sast_findings", "sast_severities", fingerprint, merged)
}

deny contains result if {
	result := _unjudged("security.sast_findings", "sast_severities")
}

checked contains result if {
	some result in _clean_items("security.sast_findings", "sast_severities", "SAST findings")
}

# METADATA
# title: Required scan types present
# description: >-
#   The security evidence covers every scan type the tier requires (required_scan_types, e.g. sast, sca,
#   container and secrets for tier critical), as the items' scan_types declare them. A missing scan type
#   makes the criterion insufficient_evidence: nothing says the release is free of what that scan finds.
# custom:
#   id: security.required_scan_types
#   severity: high
#   requires: [security]
#   remediation: >-
#     Run the missing scan (named in the result) on this release, collect its report with `readiness
#     collect` and add it to the bundle.
insufficient contains result if {
	count(_items) > 0
	some scan_type in _limits.required_scan_types
	not scan_type in _scan_types
	result := lib.result(
		"security.required_scan_types", null, lib.threshold_pointer("security", "required_scan_types"),
		sort(_scan_types), "includes", scan_type,
		sprintf("no %s scan among %d security item(s), which cover %s; required scan types: %s (%s)", [
			scan_type, count(lib.items("security")), _list(sort(_scan_types)),
			_list(_limits.required_scan_types), _source("required_scan_types"),
		]),
	)
}

deny contains result if {
	result := _unjudged("security.required_scan_types", "required_scan_types")
}

checked contains result if {
	some scan_type in _limits.required_scan_types
	some item in _scanning(scan_type)
	item.id == sort({i.id | some i in _scanning(scan_type)})[0]
	some index, declared in item.data.scan_types
	declared == scan_type
	result := lib.result(
		"security.required_scan_types", item.id, lib.pointer(["data", "scan_types", index]),
		scan_type, "in", sort(_scan_types),
		sprintf("%s scan present in %s; required scan types: %s (%s)", [
			scan_type, concat(", ", sort({i.id | some i in _scanning(scan_type)})),
			_list(_limits.required_scan_types), _source("required_scan_types"),
		]),
	)
}

checked contains result if {
	count(lib.items("security")) > 0
	count(_limits.required_scan_types) == 0
	result := lib.result(
		"security.required_scan_types", null, lib.threshold_pointer("security", "required_scan_types"),
		[], "in", sort(_scan_types),
		sprintf("no scan type is required (%s); the security items cover %s", [
			_source("required_scan_types"), _list(sort(_scan_types)),
		]),
	)
}

# A scan whose scanner reports files or targets it could not scan (parse errors) covers less than its
# target: the criterion warns, naming the scan and the count, so someone judges what went unscanned.
warn contains result if {
	some item in lib.items("security")
	errors := object.get(item.data, "scan_errors", 0)
	errors > 0
	result := lib.result(
		"security.required_scan_types", item.id, "/data/scan_errors", errors, "<=", 0,
		sprintf("%s: %s reported %d file(s) or target(s) it could not scan, so its %s scan covers less than its target", [
			item.id, item.data.scanner.name, errors, concat(", ", item.data.scan_types),
		]),
	)
}

# METADATA
# title: Security thresholds are well-formed
# description: >-
#   The security thresholds that apply to this evaluation (fixable_severities, iac_severities,
#   dast_severities and sast_severities: lists of severities; sla_days: a mapping of severities to days; max_secrets: a
#   non-negative integer; required_scan_types: a list of scan types, from the tier or the defaults) are
#   set and well-formed, no unknown name is set, and a tier the bundle names is listed under tiers. Every
#   criterion of the package fails by itself on a broken threshold it needs; this one names the bad
#   value, and needs no evidence.
# custom:
#   id: security.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/security.yaml or in
#     the --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _names
	_ = _limits[name]
	result := lib.result(
		"security.rule_data", null, lib.threshold_pointer("security", name), _limits[name], "in", _expected[name],
		sprintf("security threshold %s is %s (%s)", [name, _format(name, _limits[name]), _source(name)]),
	)
}

# --- thresholds ----------------------------------------------------------------------------------

_severities := ["critical", "high", "medium", "low", "info", "unknown"]

_scan_type_names := ["sast", "sca", "container", "iac", "dast", "secrets", "license"]

_names := ["dast_severities", "fixable_severities", "iac_severities", "max_secrets", "required_scan_types", "sast_severities", "sla_days"]

_expected := {
	"dast_severities": sprintf("list of severities (%s)", [_list(_severities)]),
	"fixable_severities": sprintf("list of severities (%s)", [_list(_severities)]),
	"iac_severities": sprintf("list of severities (%s)", [_list(_severities)]),
	"max_secrets": "non-negative integer",
	"required_scan_types": sprintf("list of scan types (%s)", [_list(_scan_type_names)]),
	"sast_severities": sprintf("list of severities (%s)", [_list(_severities)]),
	"sla_days": sprintf("mapping of severities (%s) to non-negative integers (days)", [_list(_severities)]),
}

# _limits holds the valid thresholds that apply (the tier's value, else the default), e.g.
#   {"fixable_severities": ["critical", "high"], "max_secrets": 0, "sla_days": {"critical": 7, ...}, ...}
# An invalid or missing threshold is absent: the criterion reading it reports that it cannot judge.
_limits := {name: value |
	some name in _names
	value := _integers(lib.threshold("security", name))
	_valid(name, value)
}

# _integers turns whole numbers YAML may give as floats (50.0) into integers; other values stay.
_integers(value) := floor(value) if lib.is_count(value)

_integers(value) := {key: _whole(v) | some key, v in value} if is_object(value)

_integers(value) := value if {
	not lib.is_count(value)
	not is_object(value)
}

_whole(value) := floor(value) if lib.is_count(value) else := value

_valid("max_secrets", value) if lib.is_count(value)

_valid(name, value) if {
	name in {"dast_severities", "fixable_severities", "iac_severities", "sast_severities"}
	is_array(value)
	every severity in value {
		severity in _severities
	}
}

_valid("required_scan_types", value) if {
	is_array(value)
	every scan_type in value {
		scan_type in _scan_type_names
	}
}

_valid("sla_days", value) if {
	is_object(value)
	every severity, days in value {
		severity in _severities
		lib.is_count(days)
	}
}

_blocks(name, severity) if severity in _limits[name]

_has_limit(name) if {
	_ = _limits[name]
}

_tier_name := sprintf("tier %s", [lib.tier])

# _source names where a threshold comes from, for messages: "tier critical" or "defaults".
_source(name) := _tier_name if {
	_ = data.readiness.thresholds.tiers[lib.tier].security[name]
} else := "defaults"

# --- findings, merged across scans ---------------------------------------------------------------
#
# A scan may list 200,000 findings. Every pass over them below is one comprehension over the items'
# findings with builtin operations and object lookups only (no user function per finding), each
# criterion's categories are selected once, and only fingerprints that more than one source reports are
# sorted and merged: a fingerprint with one source is its own merged finding.

_items := lib.items("security")

# _findings_of maps each security item's id to its findings, so that a source [item id, index] names
# one finding: _finding(["security-trivy", 3]).
_findings_of := {item.id: item.data.findings | some item in _items}

_finding(source) := _findings_of[source[0]][source[1]]

# _ranks orders severities, most severe first; anything the schema does not know ranks as unknown (5).
_ranks := {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

# _categories are the finding categories each criterion judges.
_categories := {
	"security.fixable_vulnerabilities": {"container", "sca"},
	"security.iac_misconfigurations": {"iac"},
	"security.dast_alerts": {"dast"},
	"security.no_secrets": {"secrets"},
	"security.sast_findings": {"sast"},
}

# _entries maps each criterion to the findings of its categories that count (no suppression), as
# entries [fingerprint, item id, index, severity rank, fix available], e.g.
#   ["sha256:9f…", "security-trivy", 3, 0, true]
_entries[criterion] := [[fingerprint, item.id, index, object.get(_ranks, finding.severity, 5), object.get(finding, "fix_available", false) == true] |
	some item in _items
	some index, finding in item.data.findings
	finding.category in categories
	not is_object(object.get(finding, "suppression", null))
	fingerprint := finding.fingerprint
] if {
	some criterion, categories in _categories
}

# _merge_entries groups entries by fingerprint into merged findings, keeping those whose (merged)
# severity is in keep and whose fix flag is in fix_ok, e.g.
#   {"sha256:9f…": {"sources": [["security-grype", 7], ["security-trivy", 3]], "severity": "critical",
#                   "primary": ["security-grype", 7], "fix": true}}
# Sources are sorted by item id, then index; severity is the most severe any source gives; primary is the
# first source giving it, the one a result names; fix holds when any source says a fix is available.
_merge_entries(entries, keep, fix_ok) := object.union(singles, multis) if {
	fingerprints := sort([entry[0] | some entry in entries])
	shared := {fingerprint | some i, fingerprint in fingerprints; i > 0; fingerprints[i - 1] == fingerprint}
	singles := {entry[0]: {"sources": [source], "severity": _severities[entry[3]], "primary": source, "fix": entry[4]} |
		some entry in entries
		not entry[0] in shared
		_severities[entry[3]] in keep
		entry[4] in fix_ok
		source := [entry[1], entry[2]]
	}
	keyed := sort([entry | some entry in entries; entry[0] in shared])
	starts := array.concat([0], [i | some i, entry in keyed; i > 0; keyed[i - 1][0] != entry[0]])
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(keyed)])
	multis := {keyed[start][0]: merged |
		some run, start in starts
		group := array.slice(keyed, start, ends[run])
		rank := min({entry[3] | some entry in group})
		merged := {
			"sources": [[entry[1], entry[2]] | some entry in group],
			"severity": _severities[rank],
			"primary": [[entry[1], entry[2]] | some entry in group; entry[3] == rank][0],
			"fix": true in {entry[4] | some entry in group},
		}
		merged.severity in keep
		merged.fix in fix_ok
	}
}

# _severity_names maps each criterion that blocks findings by severity to its threshold.
_severity_names := {
	"security.fixable_vulnerabilities": "fixable_severities",
	"security.iac_misconfigurations": "iac_severities",
	"security.dast_alerts": "dast_severities",
	"security.sast_findings": "sast_severities",
}

# _judged maps each of those criteria to the merged findings it judges: of a blocking or unknown
# severity and, for security.fixable_vulnerabilities, with a fix available according to any source.
# Undefined for a criterion whose threshold is missing or invalid (see _unjudged).
_judged[criterion] := _merge_entries(_entries[criterion], keep, object.get(_fix_ok, criterion, {true, false})) if {
	some criterion, name in _severity_names
	limit := _limits[name]
	keep := array.concat(limit, ["unknown"])
}

_fix_ok := {"security.fixable_vulnerabilities": {true}}

_secrets := _merge_entries(_entries["security.no_secrets"], _severities, {true, false})

# _counted_in is how many counted findings of these categories an item reports.
_counted_in(item, categories) := count([index |
	some index, finding in item.data.findings
	finding.category in categories
	not is_object(object.get(finding, "suppression", null))
])

# _overdue are the findings with a first-seen time whose severity has an SLA that they exceed, merged
# (see _merge_entries) with their age and SLA, e.g. {"sha256:9f…": {"sources": [["security-snyk", 0]],
# "severity": "high", "primary": ["security-snyk", 0], "fix": false, "age_seconds": 5011200, "sla_days": 30}}.
# Only fingerprints with a stated first-seen time are merged (all their counted sources, of any category,
# count for the severity).
_overdue := {fingerprint: object.union(merged, {"age_seconds": age, "sla_days": days}) |
	some fingerprint, merged in _merge_entries(_seen_entries, _severities, {false})
	days := _limits.sla_days[merged.severity]
	age := input.evaluation.epoch_seconds - _earliest(merged)
	age > days * 86400
}

# _seen are the fingerprints of counted findings whose first-seen time is stated.
_seen := {finding.fingerprint |
	some item in _items
	some finding in item.data.findings
	not is_object(object.get(finding, "suppression", null))
	is_string(finding.first_seen)
	_ = lib.epoch_seconds(finding.first_seen)
}

_seen_entries := [[finding.fingerprint, item.id, index, object.get(_ranks, finding.severity, 5), false] |
	count(_seen) > 0
	some item in _items
	some index, finding in item.data.findings
	not is_object(object.get(finding, "suppression", null))
	finding.fingerprint in _seen
]

_overdue_items := _touched(_overdue)

# _earliest is the earliest first-seen time among a merged finding's sources, in epoch seconds.
_earliest(merged) := min({lib.epoch_seconds(_finding(source).first_seen) | some source in merged.sources})

# _touched is the set of item ids that are a source of some finding in a merged set.
_touched(findings) := {source[0] | some merged in findings; some source in merged.sources}

# _covering are the security items that scan for, or report findings of, one of these categories.
_covering(categories) := {item |
	some item in _items
	_covers(item, categories)
}

_covers(item, categories) if {
	some scan_type in item.data.scan_types
	scan_type in categories
}

_covers(item, categories) if {
	some category in _item_categories[item.id]
	category in categories
}

# _item_categories maps each item's id to the categories of its findings.
_item_categories := {item.id: {finding.category | some finding in item.data.findings} | some item in _items}

# _scan_types is the set of scan types the security items declare.
_scan_types := {scan_type |
	some item in _items
	some scan_type in item.data.scan_types
	is_string(scan_type)
}

_scanning(scan_type) := {item |
	some item in _items
	scan_type in item.data.scan_types
}

# --- results -------------------------------------------------------------------------------------

# _severity_result is the failure of a finding whose severity blocks, e.g. msg
#   "CVE-2026-1111 in openssl@3.0.1 -> 3.0.8 is critical; critical, high findings with a fix available
#    fail (tier critical); reported by security-grype /data/findings/7, security-trivy /data/findings/3"
_severity_result(criterion, name, fingerprint, merged) := lib.result_with_fingerprint(
	criterion, primary[0], sprintf("/data/findings/%d/severity", [primary[1]]),
	_finding(primary).severity, "not in", _limits[name],
	sprintf("%s is %s; %s; reported by %s", [_describe(merged), merged.severity, _blocking_text[criterion], _sources_text(merged)]),
	fingerprint,
) if {
	primary := merged.primary
}

# _blocking_text says, once per criterion, which findings fail it: "critical, high IaC findings fail (defaults)".
_blocking_text[criterion] := sprintf("%s %s (%s)", [_list(limit), _blocked_what[criterion], _source(name)]) if {
	some criterion, name in _severity_names
	limit := _limits[name]
}

_blocked_what := {
	"security.fixable_vulnerabilities": "findings with a fix available fail",
	"security.iac_misconfigurations": "IaC findings fail",
	"security.dast_alerts": "DAST alerts fail",
	"security.sast_findings": "SAST findings fail",
}

# _unknown_result warns about a finding whose severity is unknown, unless the tier blocks unknown
# severities (then it fails through _severity_result) or the threshold is broken (see _unjudged).
_unknown_result(criterion, name, fingerprint, merged) := lib.result_with_fingerprint(
	criterion, primary[0], lib.pointer(["data", "findings", primary[1], "severity"]),
	_finding(primary).severity, "not in", _limits[name],
	sprintf("%s has an unknown severity (the scanner gave none readiness maps), so it cannot be judged against %s (%s); judge it by hand; reported by %s", [
		_describe(merged), _list(_limits[name]), _source(name), _sources_text(merged),
	]),
	fingerprint,
) if {
	merged.severity == "unknown"
	_has_limit(name)
	not _blocks(name, "unknown")
	primary := merged.primary
}

_sla_result(fingerprint, merged) := lib.result_with_fingerprint(
	"security.remediation_sla", primary[0], lib.pointer(["data", "findings", primary[1]]),
	lib.ceil_div(merged.age_seconds, 86400), "<=", merged.sla_days,
	sprintf("%s is %s and was first seen %s, %d day(s) before the evaluation (counting a started day); the SLA for %s findings is %d day(s) (%s); reported by %s", [
		_describe(merged), merged.severity, _finding(primary).first_seen, lib.ceil_div(merged.age_seconds, 86400),
		merged.severity, merged.sla_days, _source("sla_days"), _sources_text(merged),
	]),
	fingerprint,
) if {
	# The first source stating the earliest first-seen time: the one the age is read from.
	earliest := _earliest(merged)
	primary := [source | some source in merged.sources; lib.epoch_seconds(_finding(source).first_seen) == earliest][0]
}

_secret_result(fingerprint, merged) := lib.result_with_fingerprint(
	"security.no_secrets", merged.primary[0], lib.pointer(["data", "findings", merged.primary[1]]),
	count(_secrets), "<=", _limits.max_secrets,
	sprintf("secret %s (%s); %d secret(s) found, at most %d allowed (%s); reported by %s", [
		_describe(merged), merged.severity, count(_secrets), _limits.max_secrets, _source("max_secrets"),
		_sources_text(merged),
	]),
	fingerprint,
)

# _clean_items reports, per item scanning the criterion's categories, that none of its findings made
# the criterion fail or warn.
_clean_items(criterion, name, noun) := {lib.result(
	criterion, item.id, "/data/findings", 0, "<=", 0,
	sprintf("none of the %d %s counted in %s is of a blocking severity (%s: %s)%s, nor of unknown severity", [
		_counted_in(item, categories), noun, item.id, _source(name), _list(_limits[name]), _condition[criterion],
	]),
) |
	touched := _touched(_judged[criterion])
	categories := _categories[criterion]
	some item in _covering(categories)
	not item.id in touched
}

_condition := {
	"security.fixable_vulnerabilities": " with a fix available",
	"security.iac_misconfigurations": "",
	"security.dast_alerts": "",
	"security.sast_findings": "",
}

_sla_checked(item) := lib.result(
	"security.remediation_sla", item.id, "/data/findings", 0, "<=", 0,
	sprintf("none of the %d counted findings in %s with a first-seen time (of %d counted) is past its severity's SLA (%s)", [
		count([i | some i, finding in item.data.findings; not is_object(object.get(finding, "suppression", null)); is_string(finding.first_seen); _ = lib.epoch_seconds(finding.first_seen)]),
		item.id, count([i | some i, finding in item.data.findings; not is_object(object.get(finding, "suppression", null))]), _source("sla_days"),
	]),
) if {
	_has_limit("sla_days")
}

_secrets_checked(item) := lib.result(
	"security.no_secrets", item.id, "/data/findings", _counted_in(item, _categories["security.no_secrets"]), "<=", _limits.max_secrets,
	sprintf("%s reports %d secret(s) that count; %d in all security items, at most %d allowed (%s)", [
		item.id, _counted_in(item, _categories["security.no_secrets"]), count(_secrets), _limits.max_secrets,
		_source("max_secrets"),
	]),
)

# _unjudged is the failure of a criterion whose threshold `name` is missing or invalid: it cannot judge
# the scans and fails instead of passing unchecked. Without security items there is no result: the host
# reports insufficient_evidence.
_unjudged(criterion, name) := lib.result(
	criterion, null, lib.threshold_pointer("security", name), _raw(name), "in", _expected[name],
	sprintf("cannot judge %d security scan(s): security threshold %s (%s) is missing or invalid (see security.rule_data)", [
		count(lib.items("security")), name, _source(name),
	]),
) if {
	count(lib.items("security")) > 0
	not _has_limit(name)
}

# _raw is the threshold as set (null when it is not set anywhere).
_raw(name) := value if {
	value := lib.threshold("security", name)
} else := null

# --- formatting ----------------------------------------------------------------------------------

# _describe names a finding for messages: its rule id and what it is in, from its primary source, e.g.
# "CVE-2026-1111 in openssl@3.0.1 -> 3.0.8, 3.1.2", "CKV_AWS_20 at main.tf:12 (aws_s3_bucket.data)",
# "10202 at https://shop.example.com/login".
_describe(merged) := sprintf("%s %s", [_text(_finding(merged.primary).rule_id), _place(_finding(merged.primary), merged)])

_place(finding, merged) := sprintf("in %s", [_package(finding["package"], _fixed(merged))]) if {
	is_string(finding["package"].name)
} else := sprintf("at %s", [_location(finding.location)]) if {
	is_string(finding.location.path)
} else := sprintf("at %s", [finding.location.url]) if {
	is_string(finding.location.url)
} else := "(no location given)"

_package(pkg, fixed) := concat("", [pkg.name, _installed(pkg), _fixed_text(fixed)])

_installed(pkg) := concat("", ["@", pkg.installed]) if is_string(pkg.installed) else := ""

_fixed_text(fixed) := concat("", [" -> ", concat(", ", fixed)]) if count(fixed) > 0 else := ""

# _fixed lists the fixed versions any source names, sorted.
_fixed(merged) := sort({version |
	some source in merged.sources
	some version in _finding(source)["package"].fixed
	is_string(version)
})

_location(location) := concat("", [location.path, _line(location), _resource(location)])

# _line is ":12" for line 12; nothing for a whole-file finding (line 0) or when no line is given.
_line(location) := concat("", [":", format_int(location.line, 10)]) if {
	lib.is_count(location.line)
	location.line > 0
} else := ""

_resource(location) := sprintf(" (%s)", [location.resource]) if is_string(location.resource) else := ""

_sources_text(merged) := concat(", ", [sprintf("%s /data/findings/%d", [source[0], source[1]]) | some source in merged.sources])

_text(value) := value if is_string(value) else := "(no rule id)"

_list(values) := concat(", ", values) if count(values) > 0 else := "nothing"

_format("max_secrets", value) := format_int(value, 10)

_format(name, value) := _list(value) if is_array(value)

_format("sla_days", value) := _list([sprintf("%s %d", [severity, value[severity]]) |
	some severity in _severities
	_ = value[severity]
])

# --- rule data -----------------------------------------------------------------------------------

# _levels are the places under data.readiness.thresholds that security thresholds apply from, most
# specific first, each with the mapping set there (missing places are left out).
_levels := array.concat(_tier_level, _default_level)

_tier_level := [{"path": ["tiers", lib.tier, "security"], "settings": settings}] if {
	settings := data.readiness.thresholds.tiers[lib.tier].security
} else := []

_default_level := [{"path": ["default", "security"], "settings": settings}] if {
	settings := data.readiness.thresholds.default.security
} else := []

_data_pointer(path) := lib.pointer(array.concat(["thresholds"], path))

_rule_data_violations contains result if {
	some level in _levels
	not is_object(level.settings)
	result := lib.result("security.rule_data", null, _data_pointer(level.path), level.settings, "in", "mapping",
		sprintf("%s under data.readiness must be a mapping", [_data_pointer(level.path)]))
}

_rule_data_violations contains result if {
	some level in _levels
	is_object(level.settings)
	some name, value in level.settings
	not name in _names
	result := lib.result("security.rule_data", null, _data_pointer(array.concat(level.path, [name])), value, "in", _names,
		sprintf("%s is not a security threshold (%s)", [name, _level_name(level.path)]))
}

_rule_data_violations contains result if {
	some name in _names
	not _is_set(name)
	result := lib.result("security.rule_data", null, lib.threshold_pointer("security", name), null, "in", _expected[name],
		sprintf("security threshold %s is set neither for %s nor in the defaults", [name, _tier_name]))
}

_rule_data_violations contains result if {
	some name in _names
	value := lib.threshold("security", name)
	not _valid(name, _integers(value))
	result := lib.result("security.rule_data", null, lib.threshold_pointer("security", name), value, "in", _expected[name],
		sprintf("security threshold %s (%s) is invalid: it must be a %s", [name, _source(name), _expected[name]]))
}

_is_set(name) if {
	_ = lib.threshold("security", name)
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("security.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

_level_name(path) := sprintf("tier %s", [path[1]]) if path[0] == "tiers" else := "defaults"
