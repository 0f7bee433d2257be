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
#
#   thresholds.<default or tier>.tests.allowed_flaky is the allowed-flaky list: known-flaky tests,
#   each with a reason, a ticket and an expiry date (the last day it applies, UTC), e.g.
#
#     allowed_flaky:
#       - {test: "tests.test_cart.test_reserve", reason: "...", ticket: "SHOP-123", expires: "2027-01-31"}
#       - {test: "tests.e2e.test_login*", reason: "...", ticket: "SHOP-130", expires: "2027-02-15"}
#
#   `test` is a test case's name as the results give it (classname.name, the text results print) or a
#   pattern where `*` stands for any run of characters (dots included) and everything else is literal.
#   A tier that sets the list replaces the default one. A failed or errored case listed in the run's
#   data.failures whose name matches an unexpired entry does not count toward max_failed or
#   max_errored (tests.flaky warns about it instead, naming the ticket and the expiry), and a case that
#   passed only on a rerun matching one does not count toward max_flaky. Only listed cases can be
#   excused (the collector lists the first 1000): the count is the run's total minus the matched listed
#   cases. An expired entry excuses nothing and tests.flaky warns about it; a malformed entry excuses
#   nothing and is a tests.rule_data violation.
package readiness.tests

import data.readiness.lib

# METADATA
# title: No failing tests
# description: >-
#   Every test run passed: no failed and no errored test cases (at most max_failed failed and
#   max_errored errored cases per run, both 0 by default). A failing run is reported with its counts
#   and the first failing test cases, in report order. A listed case matching an unexpired entry of the
#   tier's allowed-flaky list is not counted (the message says how many were excused; tests.flaky
#   warns about each).
# custom:
#   id: tests.no_failures
#   severity: high
#   requires: [tests]
#   remediation: >-
#     Fix the failing tests named in the result (the run's data.failures lists them with their
#     messages), or accept a known failure with an approved waiver; a known-flaky test goes on the
#     allowed-flaky list (thresholds.<tier>.tests.allowed_flaky) with a ticket and an expiry.
deny contains result if {
	some result in _no_failures_violations
}

_no_failures_violations contains result if {
	some item in lib.items("tests")
	some outcome, limit in _failure_limits
	_counted_failures(item, outcome) > limit
	result := _failures_result(item, outcome, limit)
}

_no_failures_violations contains result if {
	some name in ["max_errored", "max_failed"]
	result := _unjudged("tests.no_failures", name)
}

checked contains result if {
	some item in lib.items("tests")
	some outcome, limit in _failure_limits
	_counted_failures(item, outcome) <= limit
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
#   test hides real failures among random ones; the result names the first flaky test cases. A case
#   matching an unexpired entry of the allowed-flaky list is not counted. The criterion also warns
#   about every failed or errored case the list excused from tests.no_failures (naming the entry's
#   ticket and expiry) and about every expired entry, which excuses nothing.
# custom:
#   id: tests.flaky
#   severity: low
#   requires: [tests]
#   remediation: >-
#     Fix the flaky tests named in the result (timing, ordering, shared state), or quarantine them with
#     a ticket on the allowed-flaky list; reruns only hide them. Fix the tests of an expired entry, or
#     renew the entry with a new expiry if the ticket is still open.
warn contains result if {
	some result in _flaky_warnings
}

_flaky_warnings contains result if {
	some item in lib.items("tests")
	_counted_flaky(item) > _limits.max_flaky
	result := _flaky_result(item)
}

# A failed or errored case the allowed-flaky list excused from tests.no_failures.
_flaky_warnings contains result if {
	some item in lib.items("tests")
	some index, case in item.data.failures
	excuse := _excuse(case)
	result := lib.result(
		"tests.flaky", item.id, lib.pointer(["data", "failures", index]), _case_name(case), null, excuse.entry.test,
		sprintf("allowed flaky test %s %s in %s (ticket %s, allowed until %s)", [
			_case_name(case), case.status, item.id, excuse.entry.ticket, excuse.entry.expires,
		]),
	)
}

# An expired entry of the allowed-flaky list: it excuses nothing.
_flaky_warnings contains result if {
	count(lib.items("tests")) > 0
	some index in _expired_entries
	entry := _allowed_flaky[index]
	result := lib.result(
		"tests.flaky", null, _allowed_flaky_pointer([index, "expires"]), entry.expires, ">=", _today,
		sprintf("allowed-flaky entry %d for %s (ticket %s) expired on %s: it no longer excuses the test", [
			index, entry.test, entry.ticket, entry.expires,
		]),
	)
}

_flaky_warnings contains result if {
	result := _unjudged("tests.flaky", "max_flaky")
}

checked contains result if {
	some item in lib.items("tests")
	_counted_flaky(item) <= _limits.max_flaky
	result := _flaky_result(item)
}

# METADATA
# title: Test thresholds are well-formed
# description: >-
#   The thresholds the tests criteria read for the tier being evaluated (max_failed, max_errored,
#   min_tests, max_skipped_bp and max_flaky in data.readiness.thresholds) are set and are
#   non-negative integers, max_skipped_bp at most 10000, and a tier the bundle names is listed under
#   tiers. The allowed-flaky list, when set, is a list whose every entry has a test name or pattern
#   (not `*` alone), a reason, a ticket and an expires date YYYY-MM-DD. It is as severe as the most
#   severe criterion it guards (tests.no_failures), so that a broken threshold blocks a release
#   exactly when that criterion would, and it needs no evidence.
# custom:
#   id: tests.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/thresholds.yaml or
#     in the --data file that overrides it; add a missing tier under thresholds.tiers; complete or
#     remove a malformed allowed-flaky entry.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _threshold_names
	value := _limits[name]
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", name), value, "in", _expected(name),
		sprintf("threshold tests.%s for tier %s is %d", [name, lib.tier, value]))
}

checked contains result if {
	_allowed_flaky_is_list
	count(_malformed_entries) == 0
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", "allowed_flaky"), count(_allowed_flaky), "in",
		_entry_expected, sprintf("allowed-flaky list for tier %s has %d entries (%d in force, %d expired)", [
			lib.tier, count(_allowed_flaky), count(_entries_in_force), count(_expired_entries),
		]))
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
	not _allowed_flaky_is_list
	result := lib.result("tests.rule_data", null, lib.threshold_pointer("tests", "allowed_flaky"),
		lib.threshold("tests", "allowed_flaky"), "in", "list of allowed-flaky entries",
		sprintf("allowed-flaky list tests.allowed_flaky for tier %s is not a list, so it excuses nothing", [lib.tier]))
}

_rule_data_violations contains result if {
	some index, problems in _malformed_entries
	result := lib.result("tests.rule_data", null, _allowed_flaky_pointer([index]), _allowed_flaky[index], "in", _entry_expected,
		sprintf("allowed-flaky entry %d for tier %s is malformed, so it excuses nothing: %s", [
			index, lib.tier, concat("; ", sort(problems)),
		]))
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

# --- the allowed-flaky list ----------------------------------------------------------------------

# _allowed_flaky is the tier's allowed-flaky list (the tier's own list replaces the default one); [] when
# it is set nowhere, or is not a list (a tests.rule_data violation: it excuses nothing).
_allowed_flaky := value if {
	value := lib.threshold("tests", "allowed_flaky")
	is_array(value)
} else := []

# _allowed_flaky_is_list holds when the list is unset (no entries) or is a list.
_allowed_flaky_is_list if not _allowed_flaky_set

_allowed_flaky_is_list if is_array(lib.threshold("tests", "allowed_flaky"))

_allowed_flaky_set if {
	_ = lib.threshold("tests", "allowed_flaky")
}

# _allowed_flaky_pointer points below the list in data.readiness, e.g. [2, "expires"] ->
# "/thresholds/tiers/critical/tests/allowed_flaky/2/expires".
_allowed_flaky_pointer(segments) := concat("", [lib.threshold_pointer("tests", "allowed_flaky"), lib.pointer(segments)])

_entry_expected := "mapping with test, reason and ticket (non-empty strings) and expires (YYYY-MM-DD)"

# _malformed_entries maps the index of each malformed entry to its problems, e.g.
#   {1: {"missing ticket", "reason is not a non-empty string"}}
_malformed_entries := {index: problems |
	some index, entry in _allowed_flaky
	problems := _entry_problems(entry)
	count(problems) > 0
}

_entry_problems(entry) := {"is not a mapping"} if not is_object(entry)

_entry_problems(entry) := _field_problems(entry) if is_object(entry)

_field_problems(entry) := {problem |
	some field in ["test", "reason", "ticket", "expires"]
	problem := _field_problem(entry, field)
}

_field_problem(entry, field) := sprintf("missing %s", [field]) if not _has_field(entry, field)

_field_problem(entry, field) := sprintf("%s is not a non-empty string", [field]) if {
	_has_field(entry, field)
	not _text(entry[field])
}

_field_problem(entry, "test") := "test is only `*`, which would excuse every test" if {
	_text(entry.test)
	regex.match(`^\*+$`, entry.test)
}

_field_problem(entry, "expires") := "expires is not a date YYYY-MM-DD from 1970 to 2199" if {
	_text(entry.expires)
	not _calendar_date(entry.expires)
}

_has_field(entry, field) if {
	_ = entry[field]
}

_text(value) if {
	is_string(value)
	trim_space(value) != ""
}

# _calendar_date holds for a real date "YYYY-MM-DD" from 1970 to 2199 (2027-02-29 is not one). The day is
# checked against the month before any parsing, and the years are those whose nanoseconds since the epoch
# fit 64 bits: the engines raise an error on an out-of-range date.
_calendar_date(text) if {
	regex.match(`^(19[7-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, text)
	not _beyond_month_end(text)
}

_beyond_month_end(text) if {
	substring(text, 8, 2) == "31"
	substring(text, 5, 2) in {"02", "04", "06", "09", "11"}
}

_beyond_month_end(text) if substring(text, 5, 5) == "02-30"

_beyond_month_end(text) if {
	substring(text, 5, 5) == "02-29"
	not _leap_year(to_number(substring(text, 0, 4)))
}

_leap_year(year) if {
	year % 4 == 0
	year % 100 != 0
}

_leap_year(year) if year % 400 == 0

# _now is the evaluation time in epoch seconds; without it no entry is in force and none has expired.
_now := input.evaluation.epoch_seconds if lib.is_count(input.evaluation.epoch_seconds)

# _today is the evaluation's UTC date, null when the input has none.
_today := input.evaluation.date if {
	is_string(input.evaluation.date)
} else := null

# _entry_end is the first second after an entry's expiry date (UTC): it applies through that whole day.
_entry_end(entry) := lib.epoch_seconds(concat("", [entry.expires, "T00:00:00Z"])) + 86400

# _entries_in_force lists the well-formed, unexpired entries in list order, with their `*` patterns
# compiled to anchored regular expressions.
_entries_in_force := [{"index": index, "entry": entry, "pattern": _pattern(entry.test)} |
	some index, entry in _allowed_flaky
	not _malformed_entries[index]
	_now < _entry_end(entry)
]

# _expired_entries holds the indices of well-formed entries whose expiry date is before the evaluation's.
_expired_entries contains index if {
	some index, entry in _allowed_flaky
	not _malformed_entries[index]
	_now >= _entry_end(entry)
}

# _pattern turns an entry's test into an anchored regular expression: `*` matches any run of characters,
# every other character itself (test names hold brackets, dots and parentheses: "test_vat[fr-0.2]").
_pattern(test) := concat("", ["^(?s:", concat(".*", [_escape(part) | some part in split(test, "*")]), ")$"])

_escape(text) := concat("", [_escape_char(char) | some char in split(text, "")])

_escape_char(char) := concat("", ["\\", char]) if char in _regex_meta

_escape_char(char) := char if not char in _regex_meta

_regex_meta := {"\\", ".", "+", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"}

# _excuse is the first entry in force (in list order) whose test matches the case's name, as
# {"index": 0, "entry": {...}, "pattern": "..."}; undefined when none does.
_excuse(case) := matching[0] if {
	name := _case_name(case)
	matching := [excuse | some excuse in _entries_in_force; regex.match(excuse.pattern, name)]
	count(matching) > 0
}

_excused(case) if {
	_ = _excuse(case)
}

# _excused_cases and _unexcused_cases are the listed cases with a status (failed, errored) that the list
# excused, and the others.
_excused_cases(cases, status) := [case | some case in cases; case.status == status; _excused(case)]

_unexcused_cases(cases, status) := [case | some case in cases; case.status == status; not _excused(case)]

# _counted_failures is the run's count of an outcome minus the listed cases the list excused; when it
# excused some, never less than the listed cases it did not excuse (should the list disagree with the totals).
_counted_failures(item, outcome) := max({
	item.data.totals[outcome] - count(_excused_cases(item.data.failures, outcome)),
	count(_unexcused_cases(item.data.failures, outcome)),
}) if {
	count(_excused_cases(item.data.failures, outcome)) > 0
} else := item.data.totals[outcome]

_excused_flaky(item) := [case | some case in item.data.flaky_cases; _excused(case)]

_unexcused_flaky(item) := [case | some case in item.data.flaky_cases; not _excused(case)]

# _counted_flaky is the run's flaky count minus the listed flaky cases the list excused (see _counted_failures).
_counted_flaky(item) := max({
	item.data.totals.flaky - count(_excused_flaky(item)),
	count(_unexcused_flaky(item)),
}) if {
	count(_excused_flaky(item)) > 0
} else := item.data.totals.flaky

# --- results -------------------------------------------------------------------------------------

_failures_result(item, outcome, limit) := lib.result(
	"tests.no_failures", item.id, lib.pointer(["data", "totals", outcome]),
	item.data.totals[outcome], "<=", limit,
	sprintf("%d of %d test cases %s in %s%s", [
		item.data.totals[outcome], item.data.totals.tests, outcome, item.id,
		_names(item.data.totals[outcome], _unexcused_cases(item.data.failures, outcome)),
	]),
) if {
	count(_excused_cases(item.data.failures, outcome)) == 0
}

# With excused cases the observed count is derived from the totals and the listed cases: the pointer
# names the object holding both.
_failures_result(item, outcome, limit) := lib.result(
	"tests.no_failures", item.id, "/data", _counted_failures(item, outcome), "<=", limit,
	sprintf("%d of %d test cases %s in %s, not counting %d allowed flaky test(s) (see tests.flaky)%s", [
		_counted_failures(item, outcome), item.data.totals.tests, outcome, item.id, excused,
		_names(_counted_failures(item, outcome), _unexcused_cases(item.data.failures, outcome)),
	]),
) if {
	excused := count(_excused_cases(item.data.failures, outcome))
	excused > 0
}

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
) if {
	count(_excused_flaky(item)) == 0
}

_flaky_result(item) := lib.result(
	"tests.flaky", item.id, "/data", _counted_flaky(item), "<=", _limits.max_flaky,
	sprintf("%d of %d test cases in %s passed only on a rerun, not counting %d allowed flaky test(s)%s", [
		_counted_flaky(item), item.data.totals.tests, item.id, excused, _names(_counted_flaky(item), _unexcused_flaky(item)),
	]),
) if {
	excused := count(_excused_flaky(item))
	excused > 0
}

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
