# METADATA
# scope: package
# title: Code coverage
# description: >-
#   Criteria over the `coverage` evidence kind (schema coverage/v1): the code coverage of the release's
#   test runs (Cobertura XML from coverage.py, JaCoCo, Istanbul and friends, or coverage.py JSON), one
#   evidence item per report. An item holds integer totals (lines and branches measured and covered, and
#   their rates in basis points, rounded down) and its least-covered files, lowest line rate first. Each
#   criterion judges every item on its own, names it (evidence id) and the rate it read (JSON pointer),
#   and shows the same numbers in `checked` results when it passes. The floors are rule data, with
#   per-tier overrides, in data.readiness.thresholds (policies/data/coverage.yaml), for example:
#
#     thresholds:
#       default:
#         coverage: {min_line_bp: 6000, min_branch_bp: 0}
#       tiers:
#         critical:
#           coverage: {min_line_bp: 8000, min_branch_bp: 7000}
#
#   min_branch_bp 0 means branch coverage is not judged for the tier; above 0, an item that measured no
#   branches (no branch_rate_bp) cannot decide coverage.branch_floor: it is insufficient evidence, not a
#   pass. coverage.rule_data checks that both floors are set and are integers from 0 to 10000 for the tier
#   being evaluated; a criterion whose floor is broken does not pass unchecked: it reports that it cannot
#   judge the items.
package readiness.coverage

import data.readiness.lib

# METADATA
# title: Line coverage at or above the tier's floor
# description: >-
#   Every coverage item covers at least the tier's min_line_bp of its executable lines (basis points,
#   rounded down by the collector). The result gives the rate, the covered and measured lines, the floor
#   and the least-covered files with their rates, where tests are most needed.
# custom:
#   id: coverage.line_floor
#   severity: high
#   requires: [coverage]
#   remediation: >-
#     Add tests for the least-covered files named in the result, or check that the coverage run executed
#     the whole suite (a test selection or a collection error lowers coverage too).
deny contains result if {
	some result in _line_floor_violations
}

_line_floor_violations contains result if {
	some item in lib.items("coverage")
	_lines_measured(item)
	item.data.totals.line_rate_bp < _limits.min_line_bp
	result := _line_result(item)
}

_line_floor_violations contains result if {
	some item in lib.items("coverage")
	not _lines_measured(item)
	result := lib.result("coverage.line_floor", item.id, "/data/totals", null, ">=", _raw_threshold("min_line_bp"),
		sprintf("%s reports no line rate and counts (data.totals.line_rate_bp, lines_covered, lines_valid), so its line coverage cannot be judged", [item.id]))
}

_line_floor_violations contains result if {
	result := _unjudged("coverage.line_floor", "min_line_bp")
}

checked contains result if {
	some item in lib.items("coverage")
	_lines_measured(item)
	item.data.totals.line_rate_bp >= _limits.min_line_bp
	result := _line_result(item)
}

# METADATA
# title: Branch coverage at or above the tier's floor
# description: >-
#   Every coverage item covers at least the tier's min_branch_bp of its branch destinations. A tier whose
#   floor is 0 does not judge branch coverage (the checked result says so). Above 0, an item that measured
#   no branches cannot decide the criterion: it is insufficient evidence until coverage is run with branch
#   measurement.
# custom:
#   id: coverage.branch_floor
#   severity: medium
#   requires: [coverage]
#   remediation: >-
#     Add tests for the untaken branches (error paths, early returns) of the least-covered files; when the
#     result says no branches were measured, run coverage with branch measurement (`coverage run --branch`,
#     `pytest --cov-branch`) and collect the report again.
deny contains result if {
	some result in _branch_floor_violations
}

_branch_floor_violations contains result if {
	some item in lib.items("coverage")
	_limits.min_branch_bp > 0
	_branches_measured(item)
	item.data.totals.branch_rate_bp < _limits.min_branch_bp
	result := _branch_result(item)
}

_branch_floor_violations contains result if {
	result := _unjudged("coverage.branch_floor", "min_branch_bp")
}

insufficient contains result if {
	some item in lib.items("coverage")
	_limits.min_branch_bp > 0
	not _branches_measured(item)
	result := lib.result("coverage.branch_floor", item.id, "/data/totals", null, ">=", _limits.min_branch_bp,
		sprintf("%s measured no branches; tier %s needs at least %s of branches covered: run coverage with branch measurement (e.g. coverage run --branch)", [
			item.id, lib.tier, lib.percent(_limits.min_branch_bp),
		]))
}

checked contains result if {
	some item in lib.items("coverage")
	_limits.min_branch_bp > 0
	_branches_measured(item)
	item.data.totals.branch_rate_bp >= _limits.min_branch_bp
	result := _branch_result(item)
}

checked contains result if {
	some item in lib.items("coverage")
	_limits.min_branch_bp == 0
	result := lib.result("coverage.branch_floor", item.id, "/data/totals", _branch_rate(item), ">=", 0,
		sprintf("branch coverage of %s is not judged: tier %s sets min_branch_bp 0 (%s)", [
			item.id, lib.tier, _branch_summary(item),
		]))
}

# METADATA
# title: Coverage thresholds are well-formed
# description: >-
#   The floors the coverage criteria read for the tier being evaluated (min_line_bp and min_branch_bp in
#   data.readiness.thresholds) are set and are integers from 0 to 10000, and a tier the bundle names is
#   listed under tiers. It is as severe as the most severe criterion it guards (coverage.line_floor), so
#   that a broken floor blocks a release exactly when that criterion would, and it needs no evidence.
# custom:
#   id: coverage.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/coverage.yaml or in the
#     --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _threshold_names
	value := _limits[name]
	result := lib.result("coverage.rule_data", null, lib.threshold_pointer("coverage", name), value, "in", _expected,
		sprintf("threshold coverage.%s for tier %s is %d (%s)", [name, lib.tier, value, lib.percent(value)]))
}

# --- thresholds ----------------------------------------------------------------------------------

_threshold_names := ["min_branch_bp", "min_line_bp"]

_maximum := 10000

_expected := "integer from 0 to 10000"

# _limits holds the tier's valid floors, normalised to integers (8000.0 in YAML becomes 8000), e.g.
#   {"min_branch_bp": 7000, "min_line_bp": 8000}
# An invalid or missing floor is absent: the criterion reading it reports _unjudged instead of comparing,
# and coverage.rule_data says what is wrong.
_limits := {name: floor(value) |
	some name in _threshold_names
	value := lib.threshold("coverage", name)
	_valid(value)
}

_rule_data_violations contains result if {
	some name in _threshold_names
	not _threshold_set(name)
	result := lib.result("coverage.rule_data", null, lib.threshold_pointer("coverage", name), null, "in", _expected,
		sprintf("threshold coverage.%s is set neither for tier %s nor in the defaults", [name, lib.tier]))
}

_rule_data_violations contains result if {
	some name in _threshold_names
	value := lib.threshold("coverage", name)
	not _valid(value)
	result := lib.result("coverage.rule_data", null, lib.threshold_pointer("coverage", name), value, "in", _expected,
		sprintf("threshold coverage.%s for tier %s %s: it must be an %s", [name, lib.tier, _problem(value), _expected]))
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("coverage.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

# _unjudged is the result of a criterion that cannot judge the items because its floor `name` is missing
# or invalid: the criterion fails instead of passing unchecked. Without evidence there is nothing to judge
# and no result: the host reports insufficient_evidence.
_unjudged(criterion, name) := lib.result(
	criterion, null, lib.threshold_pointer("coverage", name), _raw_threshold(name), "in", _expected,
	sprintf("cannot judge %d coverage item(s): threshold coverage.%s for tier %s is missing or invalid (see coverage.rule_data)", [
		count(lib.items("coverage")), name, lib.tier,
	]),
) if {
	count(lib.items("coverage")) > 0
	not _has_limit(name)
}

_has_limit(name) if {
	_ = _limits[name]
}

# _raw_threshold is the floor as configured, null when it is not set.
_raw_threshold(name) := value if {
	value := lib.threshold("coverage", name)
} else := null

_threshold_set(name) if {
	_ = lib.threshold("coverage", name)
}

_valid(value) if {
	lib.is_count(value)
	value <= _maximum
}

# _problem says what is wrong with an invalid floor without formatting it (the engines format floats
# differently); the result's observed field carries the value itself.
_problem(value) := "is not a number" if not is_number(value)

_problem(value) := "is negative" if {
	is_number(value)
	value < 0
}

_problem(value) := "is not a whole number" if {
	is_number(value)
	value >= 0
	floor(value) != value
}

_problem(value) := sprintf("exceeds %d", [_maximum]) if {
	lib.is_count(value)
	value > _maximum
}

# --- results -------------------------------------------------------------------------------------

_line_result(item) := lib.result(
	"coverage.line_floor", item.id, "/data/totals/line_rate_bp", item.data.totals.line_rate_bp, ">=", _limits.min_line_bp,
	sprintf("%s covers %s of lines (%d of %d); tier %s needs at least %s%s", [
		item.id, lib.percent(item.data.totals.line_rate_bp), item.data.totals.lines_covered,
		item.data.totals.lines_valid, lib.tier, lib.percent(_limits.min_line_bp), _least_covered(item),
	]),
)

_branch_result(item) := lib.result(
	"coverage.branch_floor", item.id, "/data/totals/branch_rate_bp", item.data.totals.branch_rate_bp, ">=",
	_limits.min_branch_bp,
	sprintf("%s covers %s; tier %s needs at least %s%s", [
		item.id, _branch_summary(item), lib.tier, lib.percent(_limits.min_branch_bp), _least_covered(item),
	]),
)

# --- measurements --------------------------------------------------------------------------------

# _lines_measured holds when the item reports its line rate and counts (the schema requires them; an input
# without them fails coverage.line_floor rather than passing it).
_lines_measured(item) if {
	lib.is_count(item.data.totals.line_rate_bp)
	lib.is_count(item.data.totals.lines_covered)
	lib.is_count(item.data.totals.lines_valid)
}

# _branches_measured holds when the item reports a branch rate (the collector leaves it out when the
# tool measured no branches).
_branches_measured(item) if lib.is_count(item.data.totals.branch_rate_bp)

# _branch_rate is the item's branch rate in basis points, null when it measured no branches.
_branch_rate(item) := item.data.totals.branch_rate_bp if {
	_branches_measured(item)
} else := null

# _branch_summary is "50.00% of branches (6 of 12)", "50.00% of branches" when the counts are missing
# (the schema requires them with the rate), or "no branches measured".
_branch_summary(item) := sprintf("%s of branches (%d of %d)", [
	lib.percent(item.data.totals.branch_rate_bp), item.data.totals.branches_covered, item.data.totals.branches_valid,
]) if {
	_branches_measured(item)
	lib.is_count(item.data.totals.branches_covered)
	lib.is_count(item.data.totals.branches_valid)
} else := sprintf("%s of branches", [lib.percent(item.data.totals.branch_rate_bp)]) if {
	_branches_measured(item)
} else := "no branches measured"

# _least_covered lists the first _shown of the item's least-covered files with their line rates, as
# "; least covered: calc/core.py 63.15%, calc/ops/text.py 63.63%"; "" when the item lists none.
_least_covered(item) := sprintf("; least covered: %s", [concat(", ", shown)]) if {
	files := object.get(item.data, "least_covered", [])
	shown := [sprintf("%s %s", [file.path, lib.percent(file.line_rate_bp)]) |
		some file in array.slice(files, 0, _shown)
		is_string(file.path)
		lib.is_count(file.line_rate_bp)
	]
	count(shown) > 0
} else := ""

_shown := 3
