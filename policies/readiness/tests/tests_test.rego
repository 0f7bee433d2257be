package readiness.tests_test

import data.readiness.tests

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"tests": {"max_failed": 0, "max_errored": 0, "min_tests": 1, "max_skipped_bp": 2000, "max_flaky": 0}},
	"tiers": {
		"critical": {"tests": {"min_tests": 50, "max_skipped_bp": 500}},
		"lenient": {"tests": {"max_failed": 2, "max_errored": 1, "max_flaky": 3, "max_skipped_bp": 5000}},
		"standard": {},
	},
}

# _override is _thresholds plus a tier "broken" that sets one tests threshold.
_override(name, value) := {
	"default": _thresholds.default,
	"tiers": {"broken": {"tests": {name: value}}},
}

_totals(passed, failed, errored, skipped, flaky) := {
	"tests": ((passed + failed) + errored) + skipped,
	"passed": passed,
	"failed": failed,
	"errored": errored,
	"skipped": skipped,
	"flaky": flaky,
	"duration_ms": 1200,
}

_run(id, totals, failures, flaky_cases) := {
	"id": id,
	"kind": "tests",
	"schema": "tests/v1",
	"collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": "pytest", "format": "junit-xml", "file": "reports/junit.xml", "sha256": "00"},
	"data": {
		"totals": totals,
		"suites": [],
		"failures": failures,
		"flaky_cases": flaky_cases,
	},
}

_clean(id, passed) := _run(id, _totals(passed, 0, 0, 0, 0), [], [])

_input(tier, runs) := {
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": 1795795200, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"tests": runs},
}

_failed(classname, name) := {"suite": "unit", "classname": classname, "name": name, "status": "failed", "message": "assert 1 == 2"}

_errored(name) := {"suite": "unit", "name": name, "status": "errored", "message": "fixture failed"}

_flaky_case(name) := {"suite": "unit", "classname": "test_cart", "name": name, "failed_attempts": 1}

# Inputs without tests evidence: the host makes the criteria insufficient_evidence; the policy says nothing.
_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"tests": []}},
	{"tier": "critical", "evidence": {"load": [{"id": "load-k6", "kind": "load", "data": {}}]}},
]

_deny(criterion, inp, thresholds) := results if {
	results := {r | some r in tests.deny; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_warn(criterion, inp, thresholds) := results if {
	results := {r | some r in tests.warn; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_checked(criterion, inp, thresholds) := results if {
	results := {r | some r in tests.checked; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

# --- tests.no_failures ----------------------------------------------------------------------------

test_no_failures_pass_reports_what_it_checked if {
	inp := _input("default", [_clean("tests-unit", 120)])
	_deny("tests.no_failures", inp, _thresholds) == set()
	_checked("tests.no_failures", inp, _thresholds) == {
		{
			"criterion": "tests.no_failures", "msg": "0 of 120 test cases failed in tests-unit",
			"observed": 0, "comparator": "<=", "threshold": 0,
			"evidence": "tests-unit", "pointer": "/data/totals/failed",
		},
		{
			"criterion": "tests.no_failures", "msg": "0 of 120 test cases errored in tests-unit",
			"observed": 0, "comparator": "<=", "threshold": 0,
			"evidence": "tests-unit", "pointer": "/data/totals/errored",
		},
	}
}

test_no_failures_failed_exact_result if {
	failures := [
		_failed("test_cart", "test_total"), _errored("test_setup"), _failed("test_cart", "test_vat[fr]"),
		_failed("", "test_bare"), _failed("test_cart", "test_voucher"),
	]
	inp := _input("default", [_run("tests-unit", _totals(115, 4, 0, 1, 0), failures, [])])
	_deny("tests.no_failures", inp, _thresholds) == {{
		"criterion": "tests.no_failures",
		"msg": "4 of 120 test cases failed in tests-unit: test_cart.test_total, test_cart.test_vat[fr], test_bare and 1 more",
		"observed": 4, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data/totals/failed",
	}}
}

test_no_failures_errored_exact_result if {
	inp := _input("default", [_run("tests-api", _totals(10, 0, 2, 0, 0), [_errored("test_db"), _errored("test_queue")], [])])
	_deny("tests.no_failures", inp, _thresholds) == {{
		"criterion": "tests.no_failures",
		"msg": "2 of 12 test cases errored in tests-api: test_db, test_queue",
		"observed": 2, "comparator": "<=", "threshold": 0,
		"evidence": "tests-api", "pointer": "/data/totals/errored",
	}}
}

test_no_failures_failed_and_errored_are_two_results if {
	inp := _input("default", [_run("tests-unit", _totals(5, 1, 1, 0, 0), [_failed("a", "b"), _errored("c")], [])])
	deny := _deny("tests.no_failures", inp, _thresholds)
	{r.pointer | some r in deny} == {"/data/totals/failed", "/data/totals/errored"}
	_checked("tests.no_failures", inp, _thresholds) == set()
}

test_no_failures_names_cases_beyond_the_listed_ones if {
	# The collector lists the first 1000 failing cases; the totals count all of them.
	failures := [_failed("m", "t1"), _failed("m", "t2"), _failed("m", "t3"), _failed("m", "t4")]
	inp := _input("default", [_run("tests-big", _totals(10, 1500, 0, 0, 0), failures, [])])
	some r in _deny("tests.no_failures", inp, _thresholds)
	r.msg == "1500 of 1510 test cases failed in tests-big: m.t1, m.t2, m.t3 and 1497 more"
	r.observed == 1500
}

test_no_failures_without_listed_cases if {
	inp := _input("default", [_run("tests-unit", _totals(8, 2, 0, 0, 0), [], [])])
	some r in _deny("tests.no_failures", inp, _thresholds)
	r.msg == "2 of 10 test cases failed in tests-unit"
}

test_no_failures_classname_repeating_the_name_is_shown_once if {
	# Jest and CTest report the same string as classname and name.
	case := {"suite": "price", "classname": "price applies the voucher", "name": "price applies the voucher", "status": "failed"}
	inp := _input("default", [_run("tests-jest", _totals(3, 1, 0, 0, 0), [case], [])])
	some r in _deny("tests.no_failures", inp, _thresholds)
	r.msg == "1 of 4 test cases failed in tests-jest: price applies the voucher"
}

test_no_failures_judges_each_run if {
	inp := _input("default", [_clean("tests-unit", 50), _run("tests-e2e", _totals(9, 1, 0, 0, 0), [_failed("e2e", "login")], [])])
	{r.evidence | some r in _deny("tests.no_failures", inp, _thresholds)} == {"tests-e2e"}
	{[r.evidence, r.pointer] | some r in _checked("tests.no_failures", inp, _thresholds)} == {
		["tests-unit", "/data/totals/failed"],
		["tests-unit", "/data/totals/errored"],
		["tests-e2e", "/data/totals/errored"],
	}
}

test_no_failures_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("tests.no_failures", inp, _thresholds) == set()
		_checked("tests.no_failures", inp, _thresholds) == set()
	}
}

test_no_failures_tier_override_allows_known_failures if {
	inp := _input("lenient", [_run("tests-unit", _totals(7, 2, 1, 0, 0), [_failed("a", "b"), _failed("a", "c"), _errored("d")], [])])
	_deny("tests.no_failures", inp, _thresholds) == set()
	{[r.observed, r.threshold] | some r in _checked("tests.no_failures", inp, _thresholds)} == {[2, 2], [1, 1]}
}

test_no_failures_tier_override_exceeded if {
	inp := _input("lenient", [_run("tests-unit", _totals(7, 3, 0, 0, 0), [], [])])
	_deny("tests.no_failures", inp, _thresholds) == {{
		"criterion": "tests.no_failures", "msg": "3 of 10 test cases failed in tests-unit",
		"observed": 3, "comparator": "<=", "threshold": 2,
		"evidence": "tests-unit", "pointer": "/data/totals/failed",
	}}
}

# --- tests.minimum_count --------------------------------------------------------------------------

test_minimum_count_pass_reports_what_it_checked if {
	inp := _input("critical", [_run("tests-unit", _totals(60, 0, 0, 4, 0), [], [])])
	_deny("tests.minimum_count", inp, _thresholds) == set()
	_checked("tests.minimum_count", inp, _thresholds) == {{
		"criterion": "tests.minimum_count",
		"msg": "tests-unit executed 60 test cases (64, 4 of them skipped); tier critical needs at least 50",
		"observed": 60, "comparator": ">=", "threshold": 50,
		"evidence": "tests-unit", "pointer": "/data/totals",
	}}
}

test_minimum_count_fail_exact_result if {
	inp := _input("critical", [_run("tests-unit", _totals(38, 1, 1, 5, 0), [], [])])
	_deny("tests.minimum_count", inp, _thresholds) == {{
		"criterion": "tests.minimum_count",
		"msg": "tests-unit executed 40 test cases (45, 5 of them skipped); tier critical needs at least 50",
		"observed": 40, "comparator": ">=", "threshold": 50,
		"evidence": "tests-unit", "pointer": "/data/totals",
	}}
	_checked("tests.minimum_count", inp, _thresholds) == set()
}

test_minimum_count_boundary_passes if {
	inp := _input("critical", [_clean("tests-unit", 50)])
	_deny("tests.minimum_count", inp, _thresholds) == set()
}

test_minimum_count_skipped_cases_do_not_count if {
	inp := _input("critical", [_run("tests-unit", _totals(45, 0, 0, 10, 0), [], [])])
	some r in _deny("tests.minimum_count", inp, _thresholds)
	r.observed == 45
}

test_minimum_count_empty_run_fails if {
	inp := _input("default", [_run("tests-none", _totals(0, 0, 0, 0, 0), [], [])])
	_deny("tests.minimum_count", inp, _thresholds) == {{
		"criterion": "tests.minimum_count",
		"msg": "tests-none executed 0 test cases (0, 0 of them skipped); tier default needs at least 1",
		"observed": 0, "comparator": ">=", "threshold": 1,
		"evidence": "tests-none", "pointer": "/data/totals",
	}}
}

test_minimum_count_tier_override_applies if {
	run := _clean("tests-unit", 30)
	_deny("tests.minimum_count", _input("default", [run]), _thresholds) == set()
	_deny("tests.minimum_count", _input("standard", [run]), _thresholds) == set()
	some r in _deny("tests.minimum_count", _input("critical", [run]), _thresholds)
	r.threshold == 50
}

test_minimum_count_judges_each_run if {
	inp := _input("critical", [_clean("tests-unit", 200), _clean("tests-smoke", 8)])
	{r.evidence | some r in _deny("tests.minimum_count", inp, _thresholds)} == {"tests-smoke"}
	{r.evidence | some r in _checked("tests.minimum_count", inp, _thresholds)} == {"tests-unit"}
}

test_minimum_count_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("tests.minimum_count", inp, _thresholds) == set()
		_checked("tests.minimum_count", inp, _thresholds) == set()
	}
}

# --- tests.skipped_ratio --------------------------------------------------------------------------

test_skipped_ratio_pass_reports_what_it_checked if {
	inp := _input("default", [_run("tests-unit", _totals(10, 0, 0, 2, 0), [], [])])
	_warn("tests.skipped_ratio", inp, _thresholds) == set()
	_checked("tests.skipped_ratio", inp, _thresholds) == {{
		"criterion": "tests.skipped_ratio",
		"msg": "tests-unit skipped 2 of 12 test cases (16.67%); tier default allows 20.00%",
		"observed": 1667, "comparator": "<=", "threshold": 2000,
		"evidence": "tests-unit", "pointer": "/data/totals",
	}}
}

test_skipped_ratio_warn_exact_result if {
	inp := _input("default", [_run("tests-unit", _totals(9, 0, 0, 3, 0), [], [])])
	_warn("tests.skipped_ratio", inp, _thresholds) == {{
		"criterion": "tests.skipped_ratio",
		"msg": "tests-unit skipped 3 of 12 test cases (25.00%); tier default allows 20.00%",
		"observed": 2500, "comparator": "<=", "threshold": 2000,
		"evidence": "tests-unit", "pointer": "/data/totals",
	}}
	_checked("tests.skipped_ratio", inp, _thresholds) == set()
}

test_skipped_ratio_is_a_warning_never_a_denial if {
	inp := _input("default", [_run("tests-unit", _totals(1, 0, 0, 9, 0), [], [])])
	count(_warn("tests.skipped_ratio", inp, _thresholds)) == 1
	_deny("tests.skipped_ratio", inp, _thresholds) == set()
}

test_skipped_ratio_boundary_passes if {
	inp := _input("default", [_run("tests-unit", _totals(8, 0, 0, 2, 0), [], [])])
	_warn("tests.skipped_ratio", inp, _thresholds) == set()
	some r in _checked("tests.skipped_ratio", inp, _thresholds)
	r.observed == 2000
}

test_skipped_ratio_rounds_up_so_any_excess_warns if {
	# 1 of 3 is 3333.33 bp: above a 3333 bp budget, and reported as 3334 so observed > threshold holds.
	inp := _input("broken", [_run("tests-unit", _totals(2, 0, 0, 1, 0), [], [])])
	some r in _warn("tests.skipped_ratio", inp, _override("max_skipped_bp", 3333))
	r.observed == 3334
	r.threshold == 3333
	r.msg == "tests-unit skipped 1 of 3 test cases (33.34%); tier broken allows 33.33%"
}

test_skipped_ratio_tier_override_applies if {
	run := _run("tests-unit", _totals(11, 0, 0, 1, 0), [], [])
	_warn("tests.skipped_ratio", _input("default", [run]), _thresholds) == set()
	some r in _warn("tests.skipped_ratio", _input("critical", [run]), _thresholds)
	r.observed == 834
	r.threshold == 500
}

test_skipped_ratio_empty_run_is_zero if {
	inp := _input("default", [_run("tests-none", _totals(0, 0, 0, 0, 0), [], [])])
	_warn("tests.skipped_ratio", inp, _thresholds) == set()
	some r in _checked("tests.skipped_ratio", inp, _thresholds)
	r.observed == 0
}

test_skipped_ratio_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_warn("tests.skipped_ratio", inp, _thresholds) == set()
		_checked("tests.skipped_ratio", inp, _thresholds) == set()
	}
}

# --- tests.flaky ----------------------------------------------------------------------------------

test_flaky_pass_reports_what_it_checked if {
	inp := _input("default", [_clean("tests-unit", 20)])
	_warn("tests.flaky", inp, _thresholds) == set()
	_checked("tests.flaky", inp, _thresholds) == {{
		"criterion": "tests.flaky", "msg": "0 of 20 test cases in tests-unit passed only on a rerun",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data/totals/flaky",
	}}
}

test_flaky_warn_exact_result if {
	inp := _input("default", [_run("tests-unit", _totals(20, 0, 0, 0, 2), [], [_flaky_case("test_reserve"), _flaky_case("test_pay")])])
	_warn("tests.flaky", inp, _thresholds) == {{
		"criterion": "tests.flaky",
		"msg": "2 of 20 test cases in tests-unit passed only on a rerun: test_cart.test_reserve, test_cart.test_pay",
		"observed": 2, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data/totals/flaky",
	}}
	_deny("tests.flaky", inp, _thresholds) == set()
	_checked("tests.flaky", inp, _thresholds) == set()
}

test_flaky_tier_override_applies if {
	run := _run("tests-unit", _totals(20, 0, 0, 0, 3), [], [])
	_warn("tests.flaky", _input("lenient", [run]), _thresholds) == set()
	some r in _checked("tests.flaky", _input("lenient", [run]), _thresholds)
	r.threshold == 3
	count(_warn("tests.flaky", _input("critical", [run]), _thresholds)) == 1
}

test_flaky_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_warn("tests.flaky", inp, _thresholds) == set()
		_checked("tests.flaky", inp, _thresholds) == set()
	}
}

# --- tests.rule_data ------------------------------------------------------------------------------

test_rule_data_valid_reports_what_it_checked if {
	inp := _input("critical", [])
	_deny("tests.rule_data", inp, _thresholds) == set()
	_checked("tests.rule_data", inp, _thresholds) == {
		_rule_data_checked("max_errored", "/thresholds/default/tests/max_errored", 0, "non-negative integer"),
		_rule_data_checked("max_failed", "/thresholds/default/tests/max_failed", 0, "non-negative integer"),
		_rule_data_checked("max_flaky", "/thresholds/default/tests/max_flaky", 0, "non-negative integer"),
		_rule_data_checked("max_skipped_bp", "/thresholds/tiers/critical/tests/max_skipped_bp", 500, "non-negative integer at most 10000"),
		_rule_data_checked("min_tests", "/thresholds/tiers/critical/tests/min_tests", 50, "non-negative integer"),
		{
			"criterion": "tests.rule_data", "msg": "allowed-flaky list for tier critical has 0 entries (0 in force, 0 expired)",
			"observed": 0, "comparator": "in",
			"threshold": "mapping with test, reason and ticket (non-empty strings) and expires (YYYY-MM-DD)",
			"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky",
		},
	}
}

_rule_data_checked(name, pointer, value, expected) := {
	"criterion": "tests.rule_data", "msg": sprintf("threshold tests.%s for tier critical is %d", [name, value]),
	"observed": value, "comparator": "in", "threshold": expected,
	"evidence": null, "pointer": pointer,
}

test_rule_data_needs_no_evidence if {
	every inp in _no_evidence {
		count(_checked("tests.rule_data", inp, _thresholds)) == 6
	}
}

test_rule_data_missing_threshold_exact_result if {
	thresholds := {"default": {"tests": {"max_failed": 0, "max_errored": 0, "max_skipped_bp": 2000, "max_flaky": 0}}}
	_deny("tests.rule_data", _input("default", []), thresholds) == {{
		"criterion": "tests.rule_data",
		"msg": "threshold tests.min_tests is set neither for tier default nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/tests/min_tests",
	}}
}

test_rule_data_no_thresholds_at_all if {
	deny := _deny("tests.rule_data", _input("default", []), {})
	{r.pointer | some r in deny} == {
		"/thresholds/default/tests/max_errored", "/thresholds/default/tests/max_failed",
		"/thresholds/default/tests/max_flaky", "/thresholds/default/tests/max_skipped_bp",
		"/thresholds/default/tests/min_tests",
	}
}

test_rule_data_string_override_exact_result if {
	inp := _input("broken", [_clean("tests-unit", 3)])
	_deny("tests.rule_data", inp, _override("min_tests", "50")) == {{
		"criterion": "tests.rule_data",
		"msg": "threshold tests.min_tests for tier broken is not a number: it must be a non-negative integer",
		"observed": "50", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/tests/min_tests",
	}}
}

# --- a criterion whose threshold is broken does not pass unchecked ----------------------------------

test_broken_threshold_fails_minimum_count_exact_result if {
	inp := _input("broken", [_clean("tests-unit", 3), _clean("tests-api", 300)])
	_deny("tests.minimum_count", inp, _override("min_tests", "50")) == {{
		"criterion": "tests.minimum_count",
		"msg": "cannot judge 2 test run(s): threshold tests.min_tests for tier broken is missing or invalid (see tests.rule_data)",
		"observed": "50", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/tests/min_tests",
	}}
	_checked("tests.minimum_count", inp, _override("min_tests", "50")) == set()
}

test_broken_threshold_fails_no_failures_and_the_other_count_is_still_judged if {
	inp := _input("broken", [_run("tests-unit", _totals(9, 0, 1, 0, 0), [_errored("test_db")], [])])
	deny := _deny("tests.no_failures", inp, _override("max_failed", -1))
	{[r.evidence, r.pointer, r.observed] | some r in deny} == {
		[null, "/thresholds/tiers/broken/tests/max_failed", -1],
		["tests-unit", "/data/totals/errored", 1],
	}
}

test_broken_threshold_warns_skipped_ratio if {
	inp := _input("broken", [_clean("tests-unit", 3)])
	some r in _warn("tests.skipped_ratio", inp, _override("max_skipped_bp", 20000))
	r.observed == 20000
	r.threshold == "non-negative integer at most 10000"
	_checked("tests.skipped_ratio", inp, _override("max_skipped_bp", 20000)) == set()
}

test_missing_threshold_warns_flaky if {
	thresholds := {"default": {"tests": {"max_failed": 0, "max_errored": 0, "min_tests": 1, "max_skipped_bp": 2000}}}
	some r in _warn("tests.flaky", _input("default", [_clean("tests-unit", 3)]), thresholds)
	r.observed == null
	r.pointer == "/thresholds/default/tests/max_flaky"
	r.msg == "cannot judge 1 test run(s): threshold tests.max_flaky for tier default is missing or invalid (see tests.rule_data)"
}

test_broken_threshold_without_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("tests.minimum_count", inp, _override("min_tests", "50")) == set()
		_deny("tests.no_failures", inp, {}) == set()
		_warn("tests.skipped_ratio", inp, {}) == set()
		_warn("tests.flaky", inp, {}) == set()
	}
}

test_rule_data_problems if {
	_rule_data_message("min_tests", -1) == "threshold tests.min_tests for tier broken is negative: it must be a non-negative integer"
	_rule_data_message("min_tests", 2.5) == "threshold tests.min_tests for tier broken is not a whole number: it must be a non-negative integer"
	_rule_data_message("max_failed", null) == "threshold tests.max_failed for tier broken is not a number: it must be a non-negative integer"
	_rule_data_message("max_flaky", true) == "threshold tests.max_flaky for tier broken is not a number: it must be a non-negative integer"
	_rule_data_message("max_errored", [0]) == "threshold tests.max_errored for tier broken is not a number: it must be a non-negative integer"
	_rule_data_message("max_skipped_bp", 20000) == "threshold tests.max_skipped_bp for tier broken exceeds 10000: it must be a non-negative integer at most 10000"
	_rule_data_message("max_skipped_bp", 10000.5) == "threshold tests.max_skipped_bp for tier broken is not a whole number: it must be a non-negative integer at most 10000"
}

_rule_data_message(name, value) := r.msg if {
	some r in _deny("tests.rule_data", _input("broken", []), _override(name, value))
}

test_rule_data_limits if {
	_deny("tests.rule_data", _input("broken", []), _override("max_skipped_bp", 10000)) == set()
	_deny("tests.rule_data", _input("broken", []), _override("min_tests", 20000)) == set()
	_deny("tests.rule_data", _input("broken", []), _override("max_failed", 0)) == set()
}

test_rule_data_whole_float_is_an_integer if {
	# YAML 50.0 is a whole number: accepted, and used as the integer 50.
	inp := _input("broken", [_clean("tests-unit", 49)])
	_deny("tests.rule_data", inp, _override("min_tests", 50.0)) == set()
	some r in _deny("tests.minimum_count", inp, _override("min_tests", 50.0))
	r.threshold == 50
	r.msg == "tests-unit executed 49 test cases (49, 0 of them skipped); tier broken needs at least 50"
}

test_rule_data_unknown_tier_exact_result if {
	_deny("tests.rule_data", _input("gold", []), _thresholds) == {{
		"criterion": "tests.rule_data",
		"msg": "tier gold is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "gold", "comparator": "in", "threshold": ["critical", "lenient", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_rule_data_default_tier_needs_no_tiers if {
	thresholds := {"default": _thresholds.default}
	_deny("tests.rule_data", _input("default", []), thresholds) == set()
	_deny("tests.rule_data", {}, thresholds) == set()
}

test_rule_data_tier_without_overrides_is_known if {
	_deny("tests.rule_data", _input("standard", []), _thresholds) == set()
}

# --- the shipped thresholds (policies/data/thresholds.yaml) ---------------------------------------

test_shipped_thresholds_are_valid_for_every_tier if {
	count(data.readiness.thresholds.tiers) >= 4
	count({r | some r in tests.deny; r.criterion == "tests.rule_data"}) == 0 with input as {"tier": "default"}
	every tier, _ in data.readiness.thresholds.tiers {
		count({r | some r in tests.deny; r.criterion == "tests.rule_data"}) == 0 with input as {"tier": tier}
		count({r | some r in tests.checked; r.criterion == "tests.rule_data"}) == 6 with input as {"tier": tier}
	}
}

test_shipped_thresholds_get_stricter_with_the_tier if {
	min_tests := [n |
		some tier in ["low", "standard", "high", "critical"]
		n := data.readiness.lib.threshold("tests", "min_tests") with input as {"tier": tier}
	]
	min_tests == sort(min_tests)
	max_skipped := [n |
		some tier in ["critical", "high", "standard", "low"]
		n := data.readiness.lib.threshold("tests", "max_skipped_bp") with input as {"tier": tier}
	]
	max_skipped == sort(max_skipped)
}

# --- the allowed-flaky list (thresholds.<tier>.tests.allowed_flaky) --------------------------------

_entry(test, expires) := {"test": test, "reason": "times out under parallel runs", "ticket": "SHOP-123", "expires": expires}

# _allowing is _thresholds with an allowed-flaky list in the defaults.
_allowing(entries) := {
	"default": {"tests": object.union(_thresholds.default.tests, {"allowed_flaky": entries})},
	"tiers": _thresholds.tiers,
}

# The evaluation is on 2026-11-27 (see _input): an entry expiring that day is still in force.
_in_force := "2026-11-27"

_expired := "2026-11-26"

test_allowed_flaky_excused_failure_passes_and_warns if {
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])])
	thresholds := _allowing([_entry("test_cart.test_reserve", _in_force)])
	_deny("tests.no_failures", inp, thresholds) == set()
	_checked("tests.no_failures", inp, thresholds) == {
		{
			"criterion": "tests.no_failures",
			"msg": "0 of 10 test cases failed in tests-unit, not counting 1 allowed flaky test(s) (see tests.flaky)",
			"observed": 0, "comparator": "<=", "threshold": 0,
			"evidence": "tests-unit", "pointer": "/data",
		},
		{
			"criterion": "tests.no_failures", "msg": "0 of 10 test cases errored in tests-unit",
			"observed": 0, "comparator": "<=", "threshold": 0,
			"evidence": "tests-unit", "pointer": "/data/totals/errored",
		},
	}
	_warn("tests.flaky", inp, thresholds) == {{
		"criterion": "tests.flaky",
		"msg": "allowed flaky test test_cart.test_reserve failed in tests-unit (ticket SHOP-123, allowed until 2026-11-27)",
		"observed": "test_cart.test_reserve", "comparator": null, "threshold": "test_cart.test_reserve",
		"evidence": "tests-unit", "pointer": "/data/failures/0",
	}}
}

test_allowed_flaky_without_the_list_the_same_failure_fails if {
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])])
	count(_deny("tests.no_failures", inp, _allowing([]))) == 1
	count(_deny("tests.no_failures", inp, _allowing([_entry("test_cart.test_other", _in_force)]))) == 1
	_warn("tests.flaky", inp, _allowing([])) == set()
}

test_allowed_flaky_excused_errored if {
	inp := _input("default", [_run("tests-api", _totals(10, 0, 2, 0, 0), [_errored("test_db"), _errored("test_queue")], [])])
	thresholds := _allowing([_entry("test_db", _in_force)])
	_deny("tests.no_failures", inp, thresholds) == {{
		"criterion": "tests.no_failures",
		"msg": "1 of 12 test cases errored in tests-api, not counting 1 allowed flaky test(s) (see tests.flaky): test_queue",
		"observed": 1, "comparator": "<=", "threshold": 0,
		"evidence": "tests-api", "pointer": "/data",
	}}
	{r.msg | some r in _warn("tests.flaky", inp, thresholds)} == {
		"allowed flaky test test_db errored in tests-api (ticket SHOP-123, allowed until 2026-11-27)",
	}
}

test_allowed_flaky_excuses_only_the_matching_listed_cases if {
	failures := [_failed("m", "t1"), _failed("m", "t2"), _failed("m", "t3"), _failed("m", "t4")]
	inp := _input("default", [_run("tests-big", _totals(10, 1500, 0, 0, 0), failures, [])])
	thresholds := _allowing([_entry("m.t2", _in_force), _entry("m.t4", _in_force)])
	some r in _deny("tests.no_failures", inp, thresholds)
	r.observed == 1498
	r.msg == "1498 of 1510 test cases failed in tests-big, not counting 2 allowed flaky test(s) (see tests.flaky): m.t1, m.t3 and 1496 more"
	{w.pointer | some w in _warn("tests.flaky", inp, thresholds)} == {"/data/failures/1", "/data/failures/3"}
}

test_allowed_flaky_never_counts_fewer_than_the_unexcused_listed_cases if {
	# Totals that disagree with the listed cases (hand-made): the unexcused listed case still fails the run.
	inp := _input("default", [_run("tests-odd", _totals(9, 1, 0, 0, 0), [_failed("m", "t1"), _failed("m", "t2")], [])])
	some r in _deny("tests.no_failures", inp, _allowing([_entry("m.t1", _in_force)]))
	r.observed == 1
	r.msg == "1 of 10 test cases failed in tests-odd, not counting 1 allowed flaky test(s) (see tests.flaky): m.t2"
}

test_allowed_flaky_tier_limit_still_applies_to_the_rest if {
	failures := [_failed("a", "b"), _failed("a", "c"), _failed("a", "d")]
	inp := _input("lenient", [_run("tests-unit", _totals(7, 3, 0, 0, 0), failures, [])])
	thresholds := _allowing([_entry("a.d", _in_force)])
	_deny("tests.no_failures", inp, thresholds) == set()
	some r in _checked("tests.no_failures", inp, thresholds)
	r.pointer == "/data"
	r.observed == 2
	r.threshold == 2
}

test_allowed_flaky_expired_entry_fails_and_warns if {
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])])
	thresholds := _allowing([_entry("test_cart.test_reserve", _expired)])
	_deny("tests.no_failures", inp, thresholds) == {{
		"criterion": "tests.no_failures", "msg": "1 of 10 test cases failed in tests-unit: test_cart.test_reserve",
		"observed": 1, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data/totals/failed",
	}}
	_warn("tests.flaky", inp, thresholds) == {{
		"criterion": "tests.flaky",
		"msg": "allowed-flaky entry 0 for test_cart.test_reserve (ticket SHOP-123) expired on 2026-11-26: it no longer excuses the test",
		"observed": "2026-11-26", "comparator": ">=", "threshold": "2026-11-27",
		"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky/0/expires",
	}}
}

test_allowed_flaky_entry_applies_through_its_expiry_day if {
	run := _run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])
	thresholds := _allowing([_entry("test_cart.test_reserve", "2026-11-27")])
	last_second := {"tier": "default", "evidence": {"tests": [run]}, "evaluation": {"time": "2026-11-27T23:59:59Z", "epoch_seconds": 1795823999, "date": "2026-11-27"}}
	next_day := {"tier": "default", "evidence": {"tests": [run]}, "evaluation": {"time": "2026-11-28T00:00:00Z", "epoch_seconds": 1795824000, "date": "2026-11-28"}}
	_deny("tests.no_failures", last_second, thresholds) == set()
	count(_deny("tests.no_failures", next_day, thresholds)) == 1
	{r.observed | some r in _warn("tests.flaky", next_day, thresholds)} == {"2026-11-27"}
}

test_allowed_flaky_expired_without_an_evaluation_date if {
	# The input schema requires the date with the time; without it the warning still says what expired.
	run := _run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])
	inp := {"tier": "default", "evidence": {"tests": [run]}, "evaluation": {"epoch_seconds": 1795795200}}
	some r in _warn("tests.flaky", inp, _allowing([_entry("test_cart.test_reserve", _expired)]))
	r.observed == "2026-11-26"
	r.threshold == null
}

test_allowed_flaky_without_an_evaluation_time_excuses_nothing if {
	run := _run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])
	thresholds := _allowing([_entry("test_cart.test_reserve", _in_force), _entry("other", _expired)])
	inp := {"tier": "default", "evidence": {"tests": [run]}}
	count(_deny("tests.no_failures", inp, thresholds)) == 1
	_warn("tests.flaky", inp, thresholds) == set()
	some r in _checked("tests.rule_data", inp, thresholds)
	r.msg == "allowed-flaky list for tier default has 2 entries (0 in force, 0 expired)"
}

test_allowed_flaky_expired_entry_without_evidence_reports_nothing if {
	every inp in _no_evidence {
		_warn("tests.flaky", inp, _allowing([_entry("test_cart.test_reserve", _expired)])) == set()
	}
}

test_allowed_flaky_glob_match if {
	names := {n | some n in ["a.test_vat[fr]", "a.test_vat[de]", "a.test_vatx", "a.b.test_login", "x.test_login.slow", "a.test_vat[fr-0.2]"]}
	_excused_names("a.test_vat[*]", names) == {"a.test_vat[fr]", "a.test_vat[de]", "a.test_vat[fr-0.2]"}
	_excused_names("*.test_login", names) == {"a.b.test_login"}
	_excused_names("*test_login*", names) == {"a.b.test_login", "x.test_login.slow"}
	_excused_names("a.*", names) == names - {"x.test_login.slow"}
	_excused_names("a.test_vat**", names) == {"a.test_vat[fr]", "a.test_vat[de]", "a.test_vatx", "a.test_vat[fr-0.2]"}
}

test_allowed_flaky_everything_but_star_is_literal if {
	names := {"a.test_vat[fr]", "a.test_vatf", "aXtest_vat[fr]", "a.test_vat[fr-0.2]", "a.test_vat[fr-0x2]", "x^$|(a)+?{1}\\"}
	_excused_names("a.test_vat[fr]", names) == {"a.test_vat[fr]"}
	_excused_names("a.test_vat[fr-0.2]", names) == {"a.test_vat[fr-0.2]"}
	_excused_names("x^$|(a)+?{1}\\", names) == {"x^$|(a)+?{1}\\"}
	_excused_names("a.test_vat", names) == set()
	_excused_names("test_vat[fr]", names) == set()
}

# _excused_names runs one failing case per name (classname "a", the rest of the name after "a.", or the
# name alone) through tests.no_failures with one entry, and returns the names tests.flaky says it excused.
_excused_names(pattern, names) := {r.observed |
	failures := [{"suite": "unit", "name": name, "status": "failed"} | some name in names]
	inp := _input("default", [_run("tests-unit", _totals(1, count(failures), 0, 0, 0), failures, [])])
	some r in _warn("tests.flaky", inp, _allowing([_entry(pattern, _in_force)]))
}

test_allowed_flaky_names_the_first_matching_entry if {
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("test_cart", "test_reserve")], [])])
	entries := [
		_entry("test_cart.*", _expired),
		{"test": "test_cart.test_res*", "reason": "r", "ticket": "SHOP-1", "expires": "2026-12-01"},
		{"test": "test_cart.test_reserve", "reason": "r", "ticket": "SHOP-2", "expires": "2026-12-02"},
	]
	{r.msg | some r in _warn("tests.flaky", inp, _allowing(entries))} == {
		"allowed flaky test test_cart.test_reserve failed in tests-unit (ticket SHOP-1, allowed until 2026-12-01)",
		"allowed-flaky entry 0 for test_cart.* (ticket SHOP-123) expired on 2026-11-26: it no longer excuses the test",
	}
}

test_allowed_flaky_flaky_case_excused if {
	run := _run("tests-unit", _totals(20, 0, 0, 0, 2), [], [_flaky_case("test_reserve"), _flaky_case("test_pay")])
	inp := _input("default", [run])
	one := _allowing([_entry("test_cart.test_reserve", _in_force)])
	_warn("tests.flaky", inp, one) == {{
		"criterion": "tests.flaky",
		"msg": "1 of 20 test cases in tests-unit passed only on a rerun, not counting 1 allowed flaky test(s): test_cart.test_pay",
		"observed": 1, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data",
	}}
	both := _allowing([_entry("test_cart.test_*", _in_force)])
	_warn("tests.flaky", inp, both) == set()
	_checked("tests.flaky", inp, both) == {{
		"criterion": "tests.flaky",
		"msg": "0 of 20 test cases in tests-unit passed only on a rerun, not counting 2 allowed flaky test(s)",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "tests-unit", "pointer": "/data",
	}}
	expired := _allowing([_entry("test_cart.test_*", _expired)])
	some r in _warn("tests.flaky", inp, expired)
	r.observed == 2
	r.pointer == "/data/totals/flaky"
}

test_allowed_flaky_tier_override_replaces_the_default_list if {
	inp := _input("quarantine", [_run("tests-unit", _totals(8, 2, 0, 0, 0), [_failed("a", "in_default"), _failed("a", "in_tier")], [])])
	thresholds := {
		"default": {"tests": object.union(_thresholds.default.tests, {"allowed_flaky": [_entry("a.in_default", _in_force)]})},
		"tiers": {"quarantine": {"tests": {"allowed_flaky": [_entry("a.in_tier", _in_force), _entry("a.old", _expired)]}}},
	}
	some r in _deny("tests.no_failures", inp, thresholds)
	r.msg == "1 of 10 test cases failed in tests-unit, not counting 1 allowed flaky test(s) (see tests.flaky): a.in_default"
	{w.pointer | some w in _warn("tests.flaky", inp, thresholds)} == {
		"/data/failures/1", "/thresholds/tiers/quarantine/tests/allowed_flaky/1/expires",
	}
	some c in _checked("tests.rule_data", inp, thresholds)
	c.pointer == "/thresholds/tiers/quarantine/tests/allowed_flaky"
	c.msg == "allowed-flaky list for tier quarantine has 2 entries (1 in force, 1 expired)"
	# The default tier keeps the default list.
	some d in _deny("tests.no_failures", object.union(inp, {"tier": "default"}), thresholds)
	d.msg == "1 of 10 test cases failed in tests-unit, not counting 1 allowed flaky test(s) (see tests.flaky): a.in_tier"
}

test_allowed_flaky_malformed_entries_exact_results if {
	entries := [
		_entry("a.ok", _in_force),
		{"test": "a.b", "reason": "r", "expires": _in_force},
		"a.c",
		{},
	]
	_deny("tests.rule_data", _input("default", []), _allowing(entries)) == {
		{
			"criterion": "tests.rule_data",
			"msg": "allowed-flaky entry 1 for tier default is malformed, so it excuses nothing: missing ticket",
			"observed": {"test": "a.b", "reason": "r", "expires": _in_force}, "comparator": "in",
			"threshold": "mapping with test, reason and ticket (non-empty strings) and expires (YYYY-MM-DD)",
			"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky/1",
		},
		{
			"criterion": "tests.rule_data",
			"msg": "allowed-flaky entry 2 for tier default is malformed, so it excuses nothing: is not a mapping",
			"observed": "a.c", "comparator": "in",
			"threshold": "mapping with test, reason and ticket (non-empty strings) and expires (YYYY-MM-DD)",
			"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky/2",
		},
		{
			"criterion": "tests.rule_data",
			"msg": "allowed-flaky entry 3 for tier default is malformed, so it excuses nothing: missing expires; missing reason; missing test; missing ticket",
			"observed": {}, "comparator": "in",
			"threshold": "mapping with test, reason and ticket (non-empty strings) and expires (YYYY-MM-DD)",
			"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky/3",
		},
	}
	_checked("tests.rule_data", _input("default", []), _allowing(entries)) == {r | some r in _checked("tests.rule_data", _input("default", []), _thresholds); r.pointer != "/thresholds/default/tests/allowed_flaky"}
}

test_allowed_flaky_malformed_entry_excuses_nothing if {
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("a", "b")], [])])
	thresholds := _allowing([{"test": "a.b", "reason": "r", "ticket": "T-1", "expires": "2026-02-30"}])
	count(_deny("tests.no_failures", inp, thresholds)) == 1
	_warn("tests.flaky", inp, thresholds) == set()
}

test_allowed_flaky_field_problems if {
	_entry_message({"test": "", "reason": "r", "ticket": "T", "expires": _in_force}) == "test is not a non-empty string"
	_entry_message({"test": "a", "reason": "  ", "ticket": "T", "expires": _in_force}) == "reason is not a non-empty string"
	_entry_message({"test": "a", "reason": "r", "ticket": 123, "expires": _in_force}) == "ticket is not a non-empty string"
	_entry_message({"test": "a", "reason": "r", "ticket": "T", "expires": 20270101}) == "expires is not a non-empty string"
	_entry_message({"test": "*", "reason": "r", "ticket": "T", "expires": _in_force}) == "test is only `*`, which would excuse every test"
	_entry_message({"test": "***", "reason": "r", "ticket": "T", "expires": _in_force}) == "test is only `*`, which would excuse every test"
	_entry_message({"test": null, "reason": "r", "ticket": "T", "expires": "soon"}) == "expires is not a date YYYY-MM-DD from 1970 to 2199; test is not a non-empty string"
}

test_allowed_flaky_expiry_dates if {
	every date in ["2027-01-31", "2027-12-31", "2028-02-29", "2000-02-29", "2027-04-30", "1970-01-01", "2199-12-31"] {
		_entry_message(_entry("a", date)) == ""
	}
	every date in [
		"2027-02-29", "2100-02-29", "2027-02-30", "2027-04-31", "2027-06-31", "2027-09-31", "2027-11-31", "2027-13-01",
		"2027-00-10", "2027-01-00", "2027-01-32", "1969-12-31", "2027-1-01", "27-01-01", "2027-01-31T00:00:00Z",
		"2027/01/31", " 2027-01-31", "2200-01-01", "9999-12-31",
	] {
		_entry_message(_entry("a", date)) == "expires is not a date YYYY-MM-DD from 1970 to 2199"
	}
}

# _entry_message is the problems tests.rule_data reports for a list holding only `entry`, "" for none.
_entry_message(entry) := concat("", [trim_prefix(r.msg, "allowed-flaky entry 0 for tier default is malformed, so it excuses nothing: ") |
	some r in _deny("tests.rule_data", _input("default", []), _allowing([entry]))
])

test_allowed_flaky_not_a_list if {
	value := {"test": "a.b"}
	_deny("tests.rule_data", _input("default", []), _allowing(value)) == {{
		"criterion": "tests.rule_data",
		"msg": "allowed-flaky list tests.allowed_flaky for tier default is not a list, so it excuses nothing",
		"observed": value, "comparator": "in", "threshold": "list of allowed-flaky entries",
		"evidence": null, "pointer": "/thresholds/default/tests/allowed_flaky",
	}}
	inp := _input("default", [_run("tests-unit", _totals(9, 1, 0, 0, 0), [_failed("a", "b")], [])])
	count(_deny("tests.no_failures", inp, _allowing(value))) == 1
}

test_allowed_flaky_not_a_list_every_form if {
	every value in [{"test": "a"}, "a.b", null, 3] {
		count(_deny("tests.rule_data", _input("default", []), _allowing(value))) == 1
		_checked("tests.rule_data", _input("default", []), _allowing(value)) == {r |
			some r in _checked("tests.rule_data", _input("default", []), _thresholds)
			r.pointer != "/thresholds/default/tests/allowed_flaky"
		}
	}
}
