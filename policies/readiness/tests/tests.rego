# METADATA
# scope: package
# title: Test results
# description: >-
#   Criteria over the `tests` evidence kind (schema tests/v1): the results of the release's test runs
#   (JUnit XML and friends), one evidence item per run. Each criterion judges every run on its own and
#   names the run (evidence id) and the totals it read (JSON pointer); when a criterion passes, its
#   `checked` results show the same numbers. The thresholds are rule data, with per-tier overrides,
#   in data.readiness.thresholds (policies/data/thresholds.yaml), for example:
#
#     thresholds:
#       default:
#         tests: {max_failed: 0, max_errored: 0, min_tests: 1, max_skipped_bp: 2000, max_flaky: 0}
#       tiers:
#         critical:
#           tests: {min_tests: 50, max_skipped_bp: 500}
#
#   tests.rule_data checks that each of these is set and is a non-negative integer for the tier being
#   evaluated: a misconfiguration is a violation, never a silent default. A criterion whose threshold
#   is broken does not pass unchecked either: it reports that it cannot judge the runs.
package readiness.tests

import data.readiness.lib

# METADATA
# title: No failing tests
# description: >-
#   Every test run passed: no failed and no errored test cases (at most max_failed failed and
#   max_errored errored cases per run, both 0 by default). A failing run is reported with its counts
#   and the first failing test cases, in report order.
# custom:
#   id: tests.no_failures
#   severity: high
#   requires: [tests]
#   remediation: >-
#     Fix the failing tests named in the result (the run's data.failures lists them with their
#     messages), or accept a known failure with an approved waiver.
deny contains result if {
	some result in _no_failures_violations
}

_no_failures_violations contains result if {
	some item in lib.items("tests")
	some outcome, limit in _failure_limits
	item.data.totals[outcome] > limit
	result := _failures_result(item, outcome, limit)
}

_no_failures_violations contains result if {
	some name in ["max_errored", "max_failed"]
	result := _unjudged("tests.no_failures", name)
}

checked contains result if {
	some item in lib.items("tests")
	some outcome, limit in _failure_limits
	item.data.totals[outcome] <= limit
	result := _failures_result(item, outcome, limit)
}

# METADATA
# title: Enough tests executed
# description: >-
#   Every test run executed at least the tier's min_tests test cases (tests minus skipped), so that a
#   run which selected or collected nothing is not taken as evidence that the release works.
# custom:
#   id: tests.minimum_count
#   severity: medium
#   requires: [tests]
#   remediation: >-
#     Check that the CI job runs the whole suite (test selection, collection errors, skip markers);
#     add tests until the run reaches the tier's minimum.
deny contains result if {
	some result in _minimum_count_violations
}

_minimum_count_violations contains result if {
	some item in lib.items("tests")
	_executed(item) < _limits.min_tests
	result := _minimum_result(item)
}

_minimum_count_violations contains result if {
	result := _unjudged("tests.minimum_count", "min_tests")
}

checked contains result if {
	some item in lib.items("tests")
	_executed(item) >= _limits.min_tests
	result := _minimum_result(item)
}

# METADATA
# title: Few skipped tests
# description: >-
#   The share of skipped test cases in every test run stays within the tier's max_skipped_bp (basis
#   points of the run's test cases, rounded up). A run that skips much of its suite says little about
#   the release.
# custom:
#   id: tests.skipped_ratio
#   severity: low
#   requires: [tests]
#   remediation: >-
#     Re-enable the skipped tests or delete the ones that no longer apply; a test skipped for a known
#     defect needs a ticket.
warn contains result if {
	some result in _skipped_ratio_warnings
}

_skipped_ratio_warnings contains result if {
	some item in lib.items("tests")
	_skipped_bp(item) > _limits.max_skipped_bp
	result := _skipped_result(item)
}

_skipped_ratio_warnings contains result if {
	result := _unjudged("tests.skipped_ratio", "max_skipped_bp")
}

checked contains result if {
	some item in lib.items("tests")
	_skipped_bp(item) <= _limits.max_skipped_bp
	result := _skipped_result(item)
}

# METADATA
# title: No flaky tests
# description: >-
#   No test case in a run passed only on a rerun (at most max_flaky per run, 0 by default). A flaky
#   test hides real failures among random ones; the result names the first flaky test cases.
# custom:
#   id: tests.flaky
#   severity: low
#   requires: [tests]
#   remediation: >-
#     Fix the flaky tests named in the result (timing, ordering, shared state), or quarantine them with
#     a ticket; reruns only hide them.
warn contains result if {
	some result in _flaky_warnings
}

_flaky_warnings contains result if {
	some item in lib.items("tests")
	item.data.totals.flaky > _limits.max_flaky
	result := _flaky_result(item)
}

_flaky_warnings contains result if {
	result := _unjudged("tests.flaky", "max_flaky")
}

checked contains result if {
	some item in lib.items("tests")
	item.data.totals.flaky <= _limits.max_flaky
	result := _flaky_result(item)
}

# METADATA
# title: Test thresholds are well-formed
# description: >-
#   The thresholds the tests criteria read for the tier being evaluated (max_failed, max_errored,
#   min_tests, max_skipped_bp and max_flaky in data.readiness.thresholds) are set and are
#   non-negative integers, max_skipped_bp at most 10000, and a tier the bundle names is listed under
#   tiers. It is as severe as the most severe criterion it guards (tests.no_failures), so that a
#   broken threshold blocks a release exactly when that criterion would, and it needs no evidence.
# custom:
#   id: tests.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/thresholds.yaml or
#     in the --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _threshold_names
	value := _limits[name]
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", name), value, "in", _expected(name),
		sprintf("threshold tests.%s for tier %s is %d", [name, lib.tier, value]))
}

# --- thresholds ----------------------------------------------------------------------------------

_threshold_names := ["max_errored", "max_failed", "max_flaky", "max_skipped_bp", "min_tests"]

# _limits holds the tier's valid thresholds, normalised to integers (50.0 in YAML becomes 50), e.g.
#   {"max_errored": 0, "max_failed": 0, "max_flaky": 0, "max_skipped_bp": 500, "min_tests": 50}
# An invalid or missing threshold is absent: the criterion reading it reports _unjudged instead of
# comparing, and tests.rule_data says what is wrong.
_limits := {name: floor(value) |
	some name in _threshold_names
	value := lib.threshold("tests", name)
	_valid(name, value)
}

# _failure_limits maps each failing outcome to its limit, e.g. {"failed": 0, "errored": 0}.
_failure_limits := {outcome: _limits[name] | some outcome, name in {"failed": "max_failed", "errored": "max_errored"}}

_rule_data_violations contains result if {
	some name in _threshold_names
	not _threshold_set(name)
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", name), null, "in", _expected(name),
		sprintf("threshold tests.%s is set neither for tier %s nor in the defaults", [name, lib.tier]))
}

_rule_data_violations contains result if {
	some name in _threshold_names
	value := lib.threshold("tests", name)
	not _valid(name, value)
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", name), value, "in", _expected(name),
		sprintf("threshold tests.%s for tier %s %s: it must be a %s", [name, lib.tier, _problem(name, value), _expected(name)]))
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("tests.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

# _unjudged is the result of a criterion that cannot judge the runs because its threshold `name` is
# missing or invalid: the criterion fails (or warns) instead of passing unchecked. Without evidence
# there is nothing to judge and no result: the host reports insufficient_evidence.
_unjudged(criterion, name) := lib.result(
	criterion, null, lib.threshold_pointer("tests", name), _raw_threshold(name), "in", _expected(name),
	sprintf("cannot judge %d test run(s): threshold tests.%s for tier %s is missing or invalid (see tests.rule_data)", [
		count(lib.items("tests")), name, lib.tier,
	]),
) if {
	count(lib.items("tests")) > 0
	not _has_limit(name)
}

_has_limit(name) if {
	_ = _limits[name]
}

# _raw_threshold is the threshold as configured, null when it is not set.
_raw_threshold(name) := value if {
	value := lib.threshold("tests", name)
} else := null

_threshold_set(name) if {
	_ = lib.threshold("tests", name)
}

# _maxima holds the upper bound of the thresholds that have one (basis points cannot exceed 100 %).
_maxima := {"max_skipped_bp": 10000}

_valid(name, value) if {
	lib.is_count(value)
	not _above_maximum(name, value)
}

# A helper rule, not `not value > _maxima[name]`: OPA evaluates an undefined reference inside a
# negated expression as undefined (the rule fails), regorus as false (the negation holds).
_above_maximum(name, value) if value > _maxima[name]

_expected(name) := sprintf("non-negative integer at most %d", [_maxima[name]]) if {
	_maxima[name]
} else := "non-negative integer"

# _problem says what is wrong with an invalid threshold without formatting it (the engines format
# floats differently); the result's observed field carries the value itself.
_problem(_, value) := "is not a number" if not is_number(value)

_problem(_, value) := "is negative" if {
	is_number(value)
	value < 0
}

_problem(_, value) := "is not a whole number" if {
	is_number(value)
	value >= 0
	floor(value) != value
}

_problem(name, value) := sprintf("exceeds %d", [_maxima[name]]) if {
	lib.is_count(value)
	_above_maximum(name, value)
}

# --- results -------------------------------------------------------------------------------------

_failures_result(item, outcome, limit) := lib.result(
	"tests.no_failures", item.id, lib.pointer(["data", "totals", outcome]),
	item.data.totals[outcome], "<=", limit,
	sprintf("%d of %d test cases %s in %s%s", [
		item.data.totals[outcome], item.data.totals.tests, outcome, item.id,
		_names(item.data.totals[outcome], [case | some case in item.data.failures; case.status == outcome]),
	]),
)

_minimum_result(item) := lib.result(
	"tests.minimum_count", item.id, "/data/totals", _executed(item), ">=", _limits.min_tests,
	sprintf("%s executed %d test cases (%d, %d of them skipped); tier %s needs at least %d", [
		item.id, _executed(item), item.data.totals.tests, item.data.totals.skipped, lib.tier, _limits.min_tests,
	]),
)

_skipped_result(item) := lib.result(
	"tests.skipped_ratio", item.id, "/data/totals", _skipped_bp(item), "<=", _limits.max_skipped_bp,
	sprintf("%s skipped %d of %d test cases (%s); tier %s allows %s", [
		item.id, item.data.totals.skipped, item.data.totals.tests, lib.percent(_skipped_bp(item)),
		lib.tier, lib.percent(_limits.max_skipped_bp),
	]),
)

_flaky_result(item) := lib.result(
	"tests.flaky", item.id, "/data/totals/flaky", item.data.totals.flaky, "<=", _limits.max_flaky,
	sprintf("%d of %d test cases in %s passed only on a rerun%s", [
		item.data.totals.flaky, item.data.totals.tests, item.id, _names(item.data.totals.flaky, item.data.flaky_cases),
	]),
)

# --- measurements --------------------------------------------------------------------------------

# _executed is the number of test cases that ran: tests minus skipped.
_executed(item) := item.data.totals.tests - item.data.totals.skipped

# _skipped_bp is the skipped share of the run's test cases in basis points, rounded up (0 for no tests).
_skipped_bp(item) := lib.share_bp(item.data.totals.skipped, item.data.totals.tests)

# _names lists the first _shown of the cases, as ": classname.name, name and 4 more"; total is the
# run's count, which may exceed the listed cases (the collector lists the first 1000). "" when none is listed.
_names(total, cases) := sprintf(": %s%s", [concat(", ", shown), _more(total - count(shown))]) if {
	shown := [_case_name(case) | some case in array.slice(cases, 0, _shown)]
	count(shown) > 0
}

_names(_, cases) := "" if count(cases) == 0

_shown := 3

_more(n) := sprintf(" and %d more", [n]) if n > 0

_more(n) := "" if n <= 0

# _case_name is "classname.name", or the name alone when there is no classname or it repeats the name
# (Jest and CTest report the same string in both).
_case_name(case) := concat(".", [case.classname, case.name]) if {
	is_string(case.classname)
	case.classname != ""
	case.classname != case.name
} else := case.name
