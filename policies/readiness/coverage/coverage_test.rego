package readiness.coverage_test

import data.readiness.coverage

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"coverage": {"min_line_bp": 6000, "min_branch_bp": 0}},
	"tiers": {
		"critical": {"coverage": {"min_line_bp": 8000, "min_branch_bp": 7000}},
		"standard": {},
	},
}

# _override is the defaults plus a tier "broken" that sets one coverage threshold.
_override(name, value) := {
	"default": _thresholds.default,
	"tiers": {"broken": {"coverage": {name: value}}},
}

# _branch_data is the data of a real report: coverage.py 7 JSON with --branch over the calc sample
# (tests/data/coverage/coveragepy/cov7-branch.json), as `readiness collect` normalises it, packages left
# out. _rated items and the ones built inline are hand-made edge cases (boundaries, missing fields).
_branch_data := {
	"totals": {
		"lines_valid": 30, "lines_covered": 19, "line_rate_bp": 6333,
		"branches_valid": 12, "branches_covered": 6, "branch_rate_bp": 5000,
	},
	"files": 4,
	"packages": [],
	"least_covered": [
		{
			"path": "calc/core.py", "lines_valid": 19, "lines_covered": 12, "line_rate_bp": 6315,
			"branches_valid": 10, "branches_covered": 5, "branch_rate_bp": 5000,
		},
		{
			"path": "calc/ops/text.py", "lines_valid": 11, "lines_covered": 7, "line_rate_bp": 6363,
			"branches_valid": 2, "branches_covered": 1, "branch_rate_bp": 5000,
		},
	],
}

# _lines_data is the same suite measured without --branch (cov7-lines.xml, Cobertura): no branch counts.
_lines_data := {
	"totals": {"lines_valid": 30, "lines_covered": 19, "line_rate_bp": 6333},
	"files": 4,
	"packages": [],
	"least_covered": [
		{"path": "calc/core.py", "lines_valid": 19, "lines_covered": 12, "line_rate_bp": 6315},
		{"path": "calc/ops/text.py", "lines_valid": 11, "lines_covered": 7, "line_rate_bp": 6363},
	],
}

_item(id, body) := {
	"id": id,
	"kind": "coverage",
	"schema": "coverage/v1",
	"collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": "coverage.py", "format": "coverage-json", "file": "coverage.json", "sha256": "00"},
	"data": body,
}

# _rated is an item with the given line and branch totals (branches null: not measured) and no files listed.
_rated(id, lines_covered, lines_valid, line_bp, branches) := _item(id, {
	"totals": object.union({"lines_valid": lines_valid, "lines_covered": lines_covered, "line_rate_bp": line_bp}, branches),
	"files": 1,
	"packages": [],
	"least_covered": [],
})

_branches(covered, valid, bp) := {"branches_valid": valid, "branches_covered": covered, "branch_rate_bp": bp}

_input(tier, items) := {
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": 1795795200, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"coverage": items},
}

# Inputs without coverage evidence: the host makes the criteria insufficient_evidence; the policy says nothing.
_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"coverage": []}},
	{"tier": "critical", "evidence": {"tests": [{"id": "tests-unit", "kind": "tests", "data": {}}]}},
]

_deny(criterion, inp, thresholds) := results if {
	results := {r | some r in coverage.deny; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_insufficient(criterion, inp, thresholds) := results if {
	results := {r | some r in coverage.insufficient; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_checked(criterion, inp, thresholds) := results if {
	results := {r | some r in coverage.checked; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

# --- coverage.line_floor --------------------------------------------------------------------------

test_line_floor_pass_reports_what_it_checked if {
	inp := _input("default", [_item("cov-unit", _branch_data)])
	_deny("coverage.line_floor", inp, _thresholds) == set()
	_checked("coverage.line_floor", inp, _thresholds) == {{
		"criterion": "coverage.line_floor",
		"msg": "cov-unit covers 63.33% of lines (19 of 30); tier default needs at least 60.00%; least covered: calc/core.py 63.15%, calc/ops/text.py 63.63%",
		"observed": 6333, "comparator": ">=", "threshold": 6000,
		"evidence": "cov-unit", "pointer": "/data/totals/line_rate_bp",
	}}
}

test_line_floor_fail_exact_result if {
	inp := _input("critical", [_item("cov-unit", _lines_data)])
	_deny("coverage.line_floor", inp, _thresholds) == {{
		"criterion": "coverage.line_floor",
		"msg": "cov-unit covers 63.33% of lines (19 of 30); tier critical needs at least 80.00%; least covered: calc/core.py 63.15%, calc/ops/text.py 63.63%",
		"observed": 6333, "comparator": ">=", "threshold": 8000,
		"evidence": "cov-unit", "pointer": "/data/totals/line_rate_bp",
	}}
	_checked("coverage.line_floor", inp, _thresholds) == set()
}

test_line_floor_names_the_first_three_least_covered_files if {
	files := [
		{"path": "a.py", "lines_valid": 10, "lines_covered": 0, "line_rate_bp": 0},
		{"path": "b.py", "lines_valid": 200, "lines_covered": 1, "line_rate_bp": 50},
		{"path": "c.py", "lines_valid": 10, "lines_covered": 5, "line_rate_bp": 5000},
		{"path": "d.py", "lines_valid": 10, "lines_covered": 6, "line_rate_bp": 6000},
	]
	big := {"totals": {"lines_valid": 230, "lines_covered": 12, "line_rate_bp": 521}, "files": 4, "packages": [], "least_covered": files}
	some r in _deny("coverage.line_floor", _input("default", [_item("cov-big", big)]), _thresholds)
	r.msg == "cov-big covers 5.21% of lines (12 of 230); tier default needs at least 60.00%; least covered: a.py 0.00%, b.py 0.50%, c.py 50.00%"
}

test_line_floor_without_listed_files if {
	some r in _deny("coverage.line_floor", _input("default", [_rated("cov-unit", 1, 2, 5000, {})]), _thresholds)
	r.msg == "cov-unit covers 50.00% of lines (1 of 2); tier default needs at least 60.00%"
}

test_line_floor_boundary_passes if {
	# The collector rounds rates down, so exactly the floor is met only by real 80.00 %.
	inp := _input("critical", [_rated("cov-unit", 8, 10, 8000, {}), _rated("cov-api", 7999, 10000, 7999, {})])
	{r.evidence | some r in _checked("coverage.line_floor", inp, _thresholds)} == {"cov-unit"}
	{[r.evidence, r.observed] | some r in _deny("coverage.line_floor", inp, _thresholds)} == {["cov-api", 7999]}
}

test_line_floor_tier_override_applies if {
	item := _rated("cov-unit", 7, 10, 7000, {})
	_deny("coverage.line_floor", _input("default", [item]), _thresholds) == set()
	_deny("coverage.line_floor", _input("standard", [item]), _thresholds) == set()
	some r in _deny("coverage.line_floor", _input("critical", [item]), _thresholds)
	r.threshold == 8000
}

test_line_floor_missing_line_rate_fails if {
	# The schema requires the totals; an input without them fails rather than passing unjudged.
	item := _item("cov-odd", {"totals": {"lines_valid": 3, "line_rate_bp": 10000}, "files": 0, "packages": [], "least_covered": []})
	_deny("coverage.line_floor", _input("default", [item]), _thresholds) == {{
		"criterion": "coverage.line_floor",
		"msg": "cov-odd reports no line rate and counts (data.totals.line_rate_bp, lines_covered, lines_valid), so its line coverage cannot be judged",
		"observed": null, "comparator": ">=", "threshold": 6000,
		"evidence": "cov-odd", "pointer": "/data/totals",
	}}
	_checked("coverage.line_floor", _input("default", [item]), _thresholds) == set()
}

test_line_floor_non_integer_rate_fails if {
	item := _rated("cov-odd", 1, 3, "33%", {})
	count(_deny("coverage.line_floor", _input("default", [item]), _thresholds)) == 1
	_checked("coverage.line_floor", _input("default", [item]), _thresholds) == set()
}

test_line_floor_judges_each_item if {
	inp := _input("default", [_item("cov-unit", _branch_data), _rated("cov-e2e", 1, 10, 1000, {})])
	{r.evidence | some r in _deny("coverage.line_floor", inp, _thresholds)} == {"cov-e2e"}
	{r.evidence | some r in _checked("coverage.line_floor", inp, _thresholds)} == {"cov-unit"}
}

test_line_floor_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("coverage.line_floor", inp, _thresholds) == set()
		_checked("coverage.line_floor", inp, _thresholds) == set()
	}
}

# --- coverage.branch_floor ------------------------------------------------------------------------

test_branch_floor_pass_reports_what_it_checked if {
	inp := _input("critical", [_rated("cov-unit", 9, 10, 9000, _branches(15, 20, 7500))])
	_deny("coverage.branch_floor", inp, _thresholds) == set()
	_insufficient("coverage.branch_floor", inp, _thresholds) == set()
	_checked("coverage.branch_floor", inp, _thresholds) == {{
		"criterion": "coverage.branch_floor",
		"msg": "cov-unit covers 75.00% of branches (15 of 20); tier critical needs at least 70.00%",
		"observed": 7500, "comparator": ">=", "threshold": 7000,
		"evidence": "cov-unit", "pointer": "/data/totals/branch_rate_bp",
	}}
}

test_branch_floor_fail_exact_result if {
	inp := _input("critical", [_item("cov-unit", _branch_data)])
	_deny("coverage.branch_floor", inp, _thresholds) == {{
		"criterion": "coverage.branch_floor",
		"msg": "cov-unit covers 50.00% of branches (6 of 12); tier critical needs at least 70.00%; least covered: calc/core.py 63.15%, calc/ops/text.py 63.63%",
		"observed": 5000, "comparator": ">=", "threshold": 7000,
		"evidence": "cov-unit", "pointer": "/data/totals/branch_rate_bp",
	}}
	_checked("coverage.branch_floor", inp, _thresholds) == set()
	_insufficient("coverage.branch_floor", inp, _thresholds) == set()
}

test_branch_floor_boundary_passes if {
	inp := _input("critical", [_rated("cov-unit", 9, 10, 9000, _branches(7, 10, 7000))])
	_deny("coverage.branch_floor", inp, _thresholds) == set()
	count(_checked("coverage.branch_floor", inp, _thresholds)) == 1
}

test_branch_floor_no_branches_measured_is_insufficient if {
	inp := _input("critical", [_item("cov-unit", _lines_data)])
	_insufficient("coverage.branch_floor", inp, _thresholds) == {{
		"criterion": "coverage.branch_floor",
		"msg": "cov-unit measured no branches; tier critical needs at least 70.00% of branches covered: run coverage with branch measurement (e.g. coverage run --branch)",
		"observed": null, "comparator": ">=", "threshold": 7000,
		"evidence": "cov-unit", "pointer": "/data/totals",
	}}
	_deny("coverage.branch_floor", inp, _thresholds) == set()
	_checked("coverage.branch_floor", inp, _thresholds) == set()
}

test_branch_floor_non_integer_rate_is_insufficient if {
	item := _rated("cov-odd", 9, 10, 9000, {"branch_rate_bp": "50%"})
	count(_insufficient("coverage.branch_floor", _input("critical", [item]), _thresholds)) == 1
	_deny("coverage.branch_floor", _input("critical", [item]), _thresholds) == set()
	_checked("coverage.branch_floor", _input("critical", [item]), _thresholds) == set()
}

test_branch_floor_judges_each_item if {
	inp := _input("critical", [
		_rated("cov-good", 9, 10, 9000, _branches(9, 10, 9000)),
		_rated("cov-bad", 9, 10, 9000, _branches(1, 10, 1000)),
		_rated("cov-lines", 9, 10, 9000, {}),
	])
	{r.evidence | some r in _checked("coverage.branch_floor", inp, _thresholds)} == {"cov-good"}
	{r.evidence | some r in _deny("coverage.branch_floor", inp, _thresholds)} == {"cov-bad"}
	{r.evidence | some r in _insufficient("coverage.branch_floor", inp, _thresholds)} == {"cov-lines"}
}

test_branch_floor_zero_is_not_judged if {
	inp := _input("default", [_item("cov-unit", _branch_data), _item("cov-lines", _lines_data)])
	_deny("coverage.branch_floor", inp, _thresholds) == set()
	_insufficient("coverage.branch_floor", inp, _thresholds) == set()
	_checked("coverage.branch_floor", inp, _thresholds) == {
		{
			"criterion": "coverage.branch_floor",
			"msg": "branch coverage of cov-unit is not judged: tier default sets min_branch_bp 0 (50.00% of branches (6 of 12))",
			"observed": 5000, "comparator": ">=", "threshold": 0,
			"evidence": "cov-unit", "pointer": "/data/totals",
		},
		{
			"criterion": "coverage.branch_floor",
			"msg": "branch coverage of cov-lines is not judged: tier default sets min_branch_bp 0 (no branches measured)",
			"observed": null, "comparator": ">=", "threshold": 0,
			"evidence": "cov-lines", "pointer": "/data/totals",
		},
	}
}

test_branch_floor_rate_without_counts if {
	# The schema requires the counts with the rate; a message without them still names the rate.
	inp := _input("default", [_rated("cov-odd", 9, 10, 9000, {"branch_rate_bp": 4200})])
	some r in _checked("coverage.branch_floor", inp, _thresholds)
	r.msg == "branch coverage of cov-odd is not judged: tier default sets min_branch_bp 0 (42.00% of branches)"
}

test_branch_floor_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("coverage.branch_floor", inp, _thresholds) == set()
		_insufficient("coverage.branch_floor", inp, _thresholds) == set()
		_checked("coverage.branch_floor", inp, _thresholds) == set()
	}
}

# --- coverage.rule_data ---------------------------------------------------------------------------

test_rule_data_valid_reports_what_it_checked if {
	inp := _input("critical", [])
	_deny("coverage.rule_data", inp, _thresholds) == set()
	_checked("coverage.rule_data", inp, _thresholds) == {
		{
			"criterion": "coverage.rule_data", "msg": "threshold coverage.min_branch_bp for tier critical is 7000 (70.00%)",
			"observed": 7000, "comparator": "in", "threshold": "integer from 0 to 10000",
			"evidence": null, "pointer": "/thresholds/tiers/critical/coverage/min_branch_bp",
		},
		{
			"criterion": "coverage.rule_data", "msg": "threshold coverage.min_line_bp for tier critical is 8000 (80.00%)",
			"observed": 8000, "comparator": "in", "threshold": "integer from 0 to 10000",
			"evidence": null, "pointer": "/thresholds/tiers/critical/coverage/min_line_bp",
		},
	}
}

test_rule_data_needs_no_evidence if {
	every inp in _no_evidence {
		count(_checked("coverage.rule_data", inp, _thresholds)) == 2
	}
}

test_rule_data_missing_threshold_exact_result if {
	thresholds := {"default": {"coverage": {"min_line_bp": 6000}}}
	_deny("coverage.rule_data", _input("default", []), thresholds) == {{
		"criterion": "coverage.rule_data",
		"msg": "threshold coverage.min_branch_bp is set neither for tier default nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "integer from 0 to 10000",
		"evidence": null, "pointer": "/thresholds/default/coverage/min_branch_bp",
	}}
}

test_rule_data_no_thresholds_at_all if {
	{r.pointer | some r in _deny("coverage.rule_data", _input("default", []), {})} == {
		"/thresholds/default/coverage/min_branch_bp", "/thresholds/default/coverage/min_line_bp",
	}
}

test_rule_data_string_override_exact_result if {
	_deny("coverage.rule_data", _input("broken", []), _override("min_line_bp", "80%")) == {{
		"criterion": "coverage.rule_data",
		"msg": "threshold coverage.min_line_bp for tier broken is not a number: it must be an integer from 0 to 10000",
		"observed": "80%", "comparator": "in", "threshold": "integer from 0 to 10000",
		"evidence": null, "pointer": "/thresholds/tiers/broken/coverage/min_line_bp",
	}}
}

test_rule_data_problems if {
	_rule_data_message("min_line_bp", -1) == "threshold coverage.min_line_bp for tier broken is negative: it must be an integer from 0 to 10000"
	_rule_data_message("min_line_bp", 80.5) == "threshold coverage.min_line_bp for tier broken is not a whole number: it must be an integer from 0 to 10000"
	_rule_data_message("min_branch_bp", 10001) == "threshold coverage.min_branch_bp for tier broken exceeds 10000: it must be an integer from 0 to 10000"
	_rule_data_message("min_branch_bp", null) == "threshold coverage.min_branch_bp for tier broken is not a number: it must be an integer from 0 to 10000"
	_rule_data_message("min_branch_bp", true) == "threshold coverage.min_branch_bp for tier broken is not a number: it must be an integer from 0 to 10000"
}

_rule_data_message(name, value) := r.msg if {
	some r in _deny("coverage.rule_data", _input("broken", []), _override(name, value))
}

test_rule_data_limits if {
	_deny("coverage.rule_data", _input("broken", []), _override("min_line_bp", 10000)) == set()
	_deny("coverage.rule_data", _input("broken", []), _override("min_line_bp", 0)) == set()
	_deny("coverage.rule_data", _input("broken", []), _override("min_branch_bp", 10000)) == set()
}

test_rule_data_whole_float_is_an_integer if {
	# YAML 8000.0 is a whole number: accepted, and used as the integer 8000.
	inp := _input("broken", [_rated("cov-unit", 79, 100, 7900, {})])
	_deny("coverage.rule_data", inp, _override("min_line_bp", 8000.0)) == set()
	some r in _deny("coverage.line_floor", inp, _override("min_line_bp", 8000.0))
	r.threshold == 8000
	r.msg == "cov-unit covers 79.00% of lines (79 of 100); tier broken needs at least 80.00%"
}

test_rule_data_unknown_tier_exact_result if {
	_deny("coverage.rule_data", _input("gold", []), _thresholds) == {{
		"criterion": "coverage.rule_data",
		"msg": "tier gold is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "gold", "comparator": "in", "threshold": ["critical", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_rule_data_default_tier_needs_no_tiers if {
	thresholds := {"default": _thresholds.default}
	_deny("coverage.rule_data", _input("default", []), thresholds) == set()
	_deny("coverage.rule_data", {}, thresholds) == set()
}

# --- a criterion whose threshold is broken does not pass unchecked ----------------------------------

test_broken_line_floor_fails_exact_result if {
	inp := _input("broken", [_rated("cov-unit", 10, 10, 10000, {}), _rated("cov-api", 1, 10, 1000, {})])
	_deny("coverage.line_floor", inp, _override("min_line_bp", "80%")) == {{
		"criterion": "coverage.line_floor",
		"msg": "cannot judge 2 coverage item(s): threshold coverage.min_line_bp for tier broken is missing or invalid (see coverage.rule_data)",
		"observed": "80%", "comparator": "in", "threshold": "integer from 0 to 10000",
		"evidence": null, "pointer": "/thresholds/tiers/broken/coverage/min_line_bp",
	}}
	_checked("coverage.line_floor", inp, _override("min_line_bp", "80%")) == set()
}

test_broken_branch_floor_fails_and_is_not_insufficient if {
	inp := _input("broken", [_rated("cov-unit", 10, 10, 10000, _branches(1, 2, 5000)), _rated("cov-lines", 10, 10, 10000, {})])
	thresholds := _override("min_branch_bp", 20000)
	{[r.evidence, r.observed, r.pointer] | some r in _deny("coverage.branch_floor", inp, thresholds)} == {
		[null, 20000, "/thresholds/tiers/broken/coverage/min_branch_bp"],
	}
	_insufficient("coverage.branch_floor", inp, thresholds) == set()
	_checked("coverage.branch_floor", inp, thresholds) == set()
}

test_missing_branch_floor_fails if {
	thresholds := {"default": {"coverage": {"min_line_bp": 6000}}}
	some r in _deny("coverage.branch_floor", _input("default", [_item("cov-unit", _branch_data)]), thresholds)
	r.observed == null
	r.pointer == "/thresholds/default/coverage/min_branch_bp"
}

test_broken_threshold_without_evidence_reports_nothing if {
	every inp in _no_evidence {
		_deny("coverage.line_floor", inp, {}) == set()
		_deny("coverage.branch_floor", inp, {}) == set()
	}
}

# --- the shipped thresholds (policies/data/coverage.yaml) -----------------------------------------

test_shipped_thresholds_are_valid_for_every_tier if {
	count(data.readiness.thresholds.tiers) >= 4
	count({r | some r in coverage.deny; r.criterion == "coverage.rule_data"}) == 0 with input as {"tier": "default"}
	every tier, _ in data.readiness.thresholds.tiers {
		count({r | some r in coverage.deny; r.criterion == "coverage.rule_data"}) == 0 with input as {"tier": tier}
		count({r | some r in coverage.checked; r.criterion == "coverage.rule_data"}) == 2 with input as {"tier": tier}
	}
}

test_shipped_thresholds_set_both_floors_for_every_tier if {
	every tier, _ in data.readiness.thresholds.tiers {
		is_number(data.readiness.thresholds.tiers[tier].coverage.min_line_bp)
		is_number(data.readiness.thresholds.tiers[tier].coverage.min_branch_bp)
	}
}

test_shipped_thresholds_get_stricter_with_the_tier if {
	every name in ["min_line_bp", "min_branch_bp"] {
		floors := [n |
			some tier in ["low", "standard", "high", "critical"]
			n := data.readiness.lib.threshold("coverage", name) with input as {"tier": tier}
		]
		floors == sort(floors)
	}
}

test_shipped_thresholds_judge_branches_for_high_and_critical_only if {
	data.readiness.lib.threshold("coverage", "min_branch_bp") == 0 with input as {"tier": "default"}
	data.readiness.lib.threshold("coverage", "min_branch_bp") == 0 with input as {"tier": "standard"}
	data.readiness.lib.threshold("coverage", "min_branch_bp") == 0 with input as {"tier": "low"}
	data.readiness.lib.threshold("coverage", "min_branch_bp") > 0 with input as {"tier": "critical"}
	data.readiness.lib.threshold("coverage", "min_branch_bp") > 0 with input as {"tier": "high"}
}
