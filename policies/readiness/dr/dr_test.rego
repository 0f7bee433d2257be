package readiness.dr_test

import data.readiness.dr

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"dr": {"required_scenarios": [], "max_drill_age_days": 90, "max_rto_s": 3600, "max_rpo_s": 3600}},
	"tiers": {
		"critical": {"dr": {
			"required_scenarios": ["instance-loss", "backup-restore"], "max_drill_age_days": 30,
			"max_rto_s": 900, "max_rpo_s": 60,
		}},
		"standard": {"dr": {"required_scenarios": ["instance-loss"]}},
	},
}

# _override is _thresholds plus a tier "broken" that sets one dr threshold.
_override(name, value) := {
	"default": _thresholds.default,
	"tiers": {"broken": {"dr": {name: value}}},
}

# The evaluation time: 2026-11-27T16:00:00Z.
_now := 1795795200

_objective(target, measured) := {"target_s": target, "measured_s": measured}

_drill(scenario, tags, status, start, end) := {
	"scenario": scenario, "tags": tags, "status": status, "start": start, "end": end,
	"rto": {}, "rpo": {}, "steps": [], "rollbacks": [],
}

# A drill of instance loss ten days before the evaluation that recovered in 40 s of a 60 s target.
_pod_kill := object.union(
	_drill("Checkout survives losing its instance", ["instance-loss"], "succeeded", "2026-11-17T10:00:00Z", "2026-11-17T10:05:00Z"),
	{"rto": {"target_s": 60, "measured_s": 40, "source": "journal"}},
)

# _with is `drill` with `key` set to `value` (object.union would merge nested objects).
_with(drill, key, value) := object.union(object.remove(drill, [key]), {key: value})

_item(id, drills) := {
	"id": id, "kind": "dr", "schema": "dr/v1", "collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": "chaostoolkit", "format": "chaostoolkit-journal", "file": "journal.json", "sha256": "00"},
	"data": {"drills": drills},
}

_input(tier, items) := {
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": _now, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"dr": items},
}

_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"dr": []}},
	{"tier": "critical", "evidence": {"tests": [{"id": "tests-unit", "kind": "tests", "data": {}}]}},
]

_results(kind, criterion, inp, thresholds) := results if {
	results := {r | some r in dr[kind]; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_deny(criterion, inp) := _results("deny", criterion, inp, _thresholds)

_warn(criterion, inp) := _results("warn", criterion, inp, _thresholds)

_insufficient(criterion, inp) := _results("insufficient", criterion, inp, _thresholds)

_checked(criterion, inp) := _results("checked", criterion, inp, _thresholds)

_criteria := ["dr.required_scenarios", "dr.drill_outcome", "dr.rto", "dr.rpo", "dr.data_loss"]

test_no_evidence_no_results if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp) == set()
			_insufficient(criterion, inp) == set()
			_checked(criterion, inp) == set()
		}
	}
}

# --- dr.required_scenarios ------------------------------------------------------------------------

test_required_scenario_recent_drill_passes if {
	inp := _input("standard", [_item("dr-chaos", [_pod_kill])])
	_deny("dr.required_scenarios", inp) == set()
	_insufficient("dr.required_scenarios", inp) == set()
	_checked("dr.required_scenarios", inp) == {{
		"criterion": "dr.required_scenarios",
		"msg": "latest drill of required scenario instance-loss: Checkout survives losing its instance (dr-chaos drill 0) ended 2026-11-17, 10 day(s) before the evaluation; tier standard allows 90",
		"observed": 10, "comparator": "<=", "threshold": 90,
		"evidence": "dr-chaos", "pointer": "/data/drills/0/end",
	}}
}

test_required_scenario_drill_too_old_fails if {
	old := object.union(_pod_kill, {"start": "2026-09-01T10:00:00Z", "end": "2026-09-01T10:05:00Z"})
	inp := _input("critical", [_item("dr-chaos", [old]), _item("dr-velero", [_drill("restore r1", ["restore", "backup-restore"], "succeeded", "2026-11-26T01:00:00Z", "2026-11-26T01:10:00Z")])])
	_deny("dr.required_scenarios", inp) == {{
		"criterion": "dr.required_scenarios",
		"msg": "latest drill of required scenario instance-loss: Checkout survives losing its instance (dr-chaos drill 0) ended 2026-09-01, 87 day(s) before the evaluation; tier critical allows 30",
		"observed": 87, "comparator": "<=", "threshold": 30,
		"evidence": "dr-chaos", "pointer": "/data/drills/0/end",
	}}
	{r.evidence | some r in _checked("dr.required_scenarios", inp)} == {"dr-velero"}
}

test_required_scenario_latest_drill_counts if {
	old := object.union(_pod_kill, {"start": "2026-06-01T10:00:00Z", "end": "2026-06-01T10:05:00Z"})
	inp := _input("critical", [_item("dr-old", [old]), _item("dr-new", [_pod_kill])])
	_deny("dr.required_scenarios", inp) == set()
	{r.evidence | some r in _checked("dr.required_scenarios", inp)} == {"dr-new"}
}

test_required_scenario_without_end_is_aged_from_start if {
	running := object.remove(_pod_kill, ["end"])
	inp := _input("standard", [_item("dr-chaos", [running])])
	{[r.observed, r.pointer] | some r in _checked("dr.required_scenarios", inp)} == {[10, "/data/drills/0/start"]}
}

test_required_scenario_drill_after_evaluation_is_age_zero if {
	future := object.union(_pod_kill, {"start": "2026-11-28T10:00:00Z", "end": "2026-11-28T10:05:00Z"})
	inp := _input("standard", [_item("dr-chaos", [future])])
	{r.observed | some r in _checked("dr.required_scenarios", inp)} == {0}
}

test_required_scenario_missing_is_insufficient if {
	inp := _input("critical", [_item("dr-chaos", [_pod_kill])])
	_insufficient("dr.required_scenarios", inp) == {{
		"criterion": "dr.required_scenarios",
		"msg": "no drill of required scenario backup-restore among 1 drill(s), whose tags are instance-loss; tier critical requires instance-loss, backup-restore",
		"observed": ["instance-loss"], "comparator": "includes", "threshold": "backup-restore",
		"evidence": null, "pointer": "/thresholds/tiers/critical/dr/required_scenarios",
	}}
	_deny("dr.required_scenarios", inp) == set()
}

test_required_scenario_missing_with_untagged_drills if {
	inp := _input("standard", [_item("dr-manual", [_drill("restore", [], "succeeded", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z")])])
	{r.msg | some r in _insufficient("dr.required_scenarios", inp)} == {"no drill of required scenario instance-loss among 1 drill(s), whose tags are nothing; tier standard requires instance-loss"}
}

test_no_required_scenario_reports_what_it_checked if {
	inp := _input("default", [_item("dr-chaos", [_pod_kill])])
	_checked("dr.required_scenarios", inp) == {{
		"criterion": "dr.required_scenarios",
		"msg": "tier default requires no scenario; the 1 drill(s) cover instance-loss",
		"observed": [], "comparator": "includes", "threshold": [],
		"evidence": null, "pointer": "/thresholds/default/dr/required_scenarios",
	}}
}

test_required_scenarios_broken_threshold_cannot_judge if {
	inp := _input("broken", [_item("dr-chaos", [_pod_kill])])
	results := _results("deny", "dr.required_scenarios", inp, _override("required_scenarios", "instance-loss"))
	results == {{
		"criterion": "dr.required_scenarios",
		"msg": "cannot judge 1 drill(s): threshold dr.required_scenarios for tier broken is missing or invalid (see dr.rule_data)",
		"observed": "instance-loss", "comparator": "in", "threshold": "list of scenario tags (non-empty strings)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/dr/required_scenarios",
	}}
	age := _results("deny", "dr.required_scenarios", inp, _override("max_drill_age_days", -1))
	{r.observed | some r in age} == {-1}
}

# --- dr.drill_outcome -----------------------------------------------------------------------------

test_outcome_succeeded_passes if {
	inp := _input("standard", [_item("dr-chaos", [_pod_kill])])
	_deny("dr.drill_outcome", inp) == set()
	_checked("dr.drill_outcome", inp) == {{
		"criterion": "dr.drill_outcome",
		"msg": "Checkout survives losing its instance (dr-chaos drill 0, 2026-11-17) succeeded",
		"observed": "succeeded", "comparator": "==", "threshold": "succeeded",
		"evidence": "dr-chaos", "pointer": "/data/drills/0/status",
	}}
}

test_outcome_deviated_fails_naming_steps if {
	deviated := object.union(_pod_kill, {
		"status": "deviated",
		"steps": [
			{"name": "kill checkout", "kind": "action", "status": "succeeded"},
			{"name": "checkout answers within 2 s", "kind": "probe", "status": "deviated"},
		],
		"rollbacks": [{"name": "restart checkout", "kind": "action", "status": "failed"}],
	})
	inp := _input("standard", [_item("dr-chaos", [deviated])])
	_deny("dr.drill_outcome", inp) == {{
		"criterion": "dr.drill_outcome",
		"msg": "Checkout survives losing its instance (dr-chaos drill 0, 2026-11-17) deviated: the system did not hold up under the drill; steps not succeeded: checkout answers within 2 s (deviated), restart checkout (failed)",
		"observed": "deviated", "comparator": "==", "threshold": "succeeded",
		"evidence": "dr-chaos", "pointer": "/data/drills/0/status",
	}}
}

test_outcome_every_failing_status_fails if {
	every status in ["failed", "aborted", "partially_failed"] {
		inp := _input("standard", [_item("dr-x", [object.union(_pod_kill, {"status": status})])])
		{r.observed | some r in _deny("dr.drill_outcome", inp)} == {status}
	}
}

test_outcome_in_progress_is_insufficient if {
	inp := _input("standard", [_item("dr-velero", [object.union(_pod_kill, {"status": "in_progress"})])])
	_deny("dr.drill_outcome", inp) == set()
	{r.msg | some r in _insufficient("dr.drill_outcome", inp)} == {"Checkout survives losing its instance (dr-velero drill 0, 2026-11-17) is still in progress, so its outcome is not known"}
}

test_outcome_failed_drill_repeated_successfully_passes if {
	failed := object.union(_pod_kill, {"status": "failed", "start": "2026-11-10T10:00:00Z", "end": "2026-11-10T10:05:00Z"})
	inp := _input("standard", [_item("dr-chaos", [failed, _pod_kill])])
	_deny("dr.drill_outcome", inp) == set()
	{r.pointer | some r in _checked("dr.drill_outcome", inp)} == {"/data/drills/1/status"}
}

# --- dr.rto ---------------------------------------------------------------------------------------

test_rto_within_own_target_passes if {
	inp := _input("standard", [_item("dr-chaos", [_pod_kill])])
	_deny("dr.rto", inp) == set()
	_insufficient("dr.rto", inp) == set()
	_checked("dr.rto", inp) == {{
		"criterion": "dr.rto",
		"msg": "Checkout survives losing its instance (dr-chaos drill 0): recovery time (RTO) 40 s, within the limit of 60 s (the drill's target 60 s; tier standard allows at most 3600 s)",
		"observed": 40, "comparator": "<=", "threshold": 60,
		"evidence": "dr-chaos", "pointer": "/data/drills/0/rto/measured_s",
	}}
}

test_rto_over_own_target_fails if {
	slow := object.union(_pod_kill, {"rto": {"target_s": 60, "measured_s": 75}})
	inp := _input("standard", [_item("dr-chaos", [slow])])
	{[r.observed, r.threshold, r.msg] | some r in _deny("dr.rto", inp)} == {[75, 60, "Checkout survives losing its instance (dr-chaos drill 0): recovery time (RTO) 75 s, over the limit of 60 s (the drill's target 60 s; tier standard allows at most 3600 s)"]}
}

test_rto_target_looser_than_tier_is_capped if {
	slow := object.union(_pod_kill, {"rto": {"target_s": 3600, "measured_s": 1000}})
	inp := _input("critical", [_item("dr-chaos", [slow])])
	{[r.observed, r.threshold] | some r in _deny("dr.rto", inp)} == {[1000, 900]}
}

test_rto_without_target_uses_tier_maximum if {
	drill := _with(_pod_kill, "rto", {"measured_s": 901})
	inp := _input("critical", [_item("dr-chaos", [drill])])
	{r.msg | some r in _deny("dr.rto", inp)} == {"Checkout survives losing its instance (dr-chaos drill 0): recovery time (RTO) 901 s, over the limit of 900 s (no target stated; tier critical allows at most 900 s)"}
}

test_rto_target_without_measurement_is_insufficient if {
	drill := _with(_pod_kill, "rto", {"target_s": 60})
	inp := _input("standard", [_item("dr-chaos", [drill])])
	{r.msg | some r in _insufficient("dr.rto", inp)} == {
		"Checkout survives losing its instance (dr-chaos drill 0) states a recovery time (RTO) target of 60 s but did not measure it",
		"none of the 1 current drill(s) measured a recovery time (Checkout survives losing its instance); tier standard allows at most 3600 s",
	}
}

test_rto_nothing_measured_is_insufficient if {
	inp := _input("standard", [_item("dr-velero", [_drill("backup b1", ["backup"], "succeeded", "2026-11-26T01:00:00Z", "2026-11-26T01:10:00Z")])])
	_insufficient("dr.rto", inp) == {{
		"criterion": "dr.rto",
		"msg": "none of the 1 current drill(s) measured a recovery time (backup b1); tier standard allows at most 3600 s",
		"observed": null, "comparator": "<=", "threshold": 3600,
		"evidence": null, "pointer": "/data/drills",
	}}
}

test_rto_broken_threshold_cannot_judge if {
	inp := _input("broken", [_item("dr-chaos", [_pod_kill])])
	{r.msg | some r in _results("deny", "dr.rto", inp, _override("max_rto_s", "1h"))} == {"cannot judge 1 drill(s): threshold dr.max_rto_s for tier broken is missing or invalid (see dr.rule_data)"}
	_results("checked", "dr.rto", inp, _override("max_rto_s", "1h")) == set()
	missing := {"default": {"dr": {"max_rpo_s": 60}}, "tiers": {"broken": {}}}
	{[r.observed, r.pointer] | some r in _results("deny", "dr.rto", inp, missing)} == {[null, "/thresholds/default/dr/max_rto_s"]}
}

# --- dr.rpo ---------------------------------------------------------------------------------------

_db_failover := object.union(
	_drill("Primary database lost", ["database-failover"], "succeeded", "2026-11-14T08:00:00Z", "2026-11-14T08:41:30Z"),
	{"rto": {"target_s": 900, "measured_s": 412}, "rpo": {"target_s": 60, "measured_s": 3}, "data_loss": false},
)

test_rpo_within_target_passes if {
	inp := _input("critical", [_item("dr-manual", [_db_failover])])
	_deny("dr.rpo", inp) == set()
	_checked("dr.rpo", inp) == {{
		"criterion": "dr.rpo",
		"msg": "Primary database lost (dr-manual drill 0): recovery point (RPO) 3 s, within the limit of 60 s (the drill's target 60 s; tier critical allows at most 60 s)",
		"observed": 3, "comparator": "<=", "threshold": 60,
		"evidence": "dr-manual", "pointer": "/data/drills/0/rpo/measured_s",
	}}
}

test_rpo_over_target_fails if {
	lossy := object.union(_db_failover, {"rpo": {"target_s": 60, "measured_s": 240}})
	inp := _input("standard", [_item("dr-manual", [lossy])])
	_deny("dr.rpo", inp) == {{
		"criterion": "dr.rpo",
		"msg": "Primary database lost (dr-manual drill 0): recovery point (RPO) 240 s, over the limit of 60 s (the drill's target 60 s; tier standard allows at most 3600 s)",
		"observed": 240, "comparator": "<=", "threshold": 60,
		"evidence": "dr-manual", "pointer": "/data/drills/0/rpo/measured_s",
	}}
}

test_rpo_target_without_measurement_is_insufficient if {
	drill := _with(_db_failover, "rpo", {"target_s": 60})
	inp := _input("standard", [_item("dr-manual", [drill])])
	_insufficient("dr.rpo", inp) == {{
		"criterion": "dr.rpo",
		"msg": "Primary database lost (dr-manual drill 0) states a recovery point (RPO) target of 60 s but did not measure it",
		"observed": null, "comparator": "<=", "threshold": 60,
		"evidence": "dr-manual", "pointer": "/data/drills/0/rpo",
	}}
}

test_rpo_stateless_drills_pass_saying_so if {
	inp := _input("standard", [_item("dr-chaos", [_pod_kill])])
	_deny("dr.rpo", inp) == set()
	_insufficient("dr.rpo", inp) == set()
	{r.msg | some r in _checked("dr.rpo", inp)} == {"none of the 1 current drill(s) states a recovery point (stateless scenarios); tier standard allows at most 3600 s"}
}

test_rpo_broken_threshold_cannot_judge if {
	inp := _input("broken", [_item("dr-manual", [_db_failover])])
	{r.pointer | some r in _results("deny", "dr.rpo", inp, _override("max_rpo_s", 1.5))} == {"/thresholds/tiers/broken/dr/max_rpo_s"}
}

# --- dr.data_loss ---------------------------------------------------------------------------------

test_data_loss_none_passes if {
	inp := _input("standard", [_item("dr-manual", [_db_failover]), _item("dr-chaos", [_pod_kill])])
	_deny("dr.data_loss", inp) == set()
	_checked("dr.data_loss", inp) == {
		{
			"criterion": "dr.data_loss", "msg": "Primary database lost (dr-manual drill 0) lost no data",
			"observed": false, "comparator": "==", "threshold": false,
			"evidence": "dr-manual", "pointer": "/data/drills/0/data_loss",
		},
		{
			"criterion": "dr.data_loss",
			"msg": "1 current drill(s) do not record whether data was lost: Checkout survives losing its instance",
			"observed": null, "comparator": "==", "threshold": false,
			"evidence": null, "pointer": "/data/drills",
		},
	}
}

test_data_loss_fails if {
	lossy := object.union(_db_failover, {"data_loss": true})
	inp := _input("standard", [_item("dr-manual", [lossy])])
	_deny("dr.data_loss", inp) == {{
		"criterion": "dr.data_loss", "msg": "Primary database lost (dr-manual drill 0) lost data",
		"observed": true, "comparator": "==", "threshold": false,
		"evidence": "dr-manual", "pointer": "/data/drills/0/data_loss",
	}}
}

# --- dr.rule_data ---------------------------------------------------------------------------------

test_rule_data_valid_reports_values if {
	inp := _input("critical", [])
	_results("deny", "dr.rule_data", inp, _thresholds) == set()
	{[r.pointer, r.observed] | some r in _results("checked", "dr.rule_data", inp, _thresholds)} == {
		["/thresholds/tiers/critical/dr/max_drill_age_days", 30],
		["/thresholds/tiers/critical/dr/max_rpo_s", 60],
		["/thresholds/tiers/critical/dr/max_rto_s", 900],
		["/thresholds/tiers/critical/dr/required_scenarios", ["instance-loss", "backup-restore"]],
	}
	{r.msg | some r in _results("checked", "dr.rule_data", inp, _thresholds)} == {
		"threshold dr.max_drill_age_days for tier critical is 30",
		"threshold dr.max_rpo_s for tier critical is 60",
		"threshold dr.max_rto_s for tier critical is 900",
		"threshold dr.required_scenarios for tier critical is instance-loss, backup-restore",
	}
}

test_rule_data_whole_floats_are_integers if {
	inp := _input("broken", [])
	{r.observed | some r in _results("checked", "dr.rule_data", inp, _override("max_rto_s", 600.0)); r.pointer == "/thresholds/tiers/broken/dr/max_rto_s"} == {600}
}

test_rule_data_invalid_values if {
	inp := _input("broken", [])
	every case in [["max_rto_s", -5], ["max_rpo_s", "60s"], ["max_drill_age_days", 1.5], ["required_scenarios", [""]], ["required_scenarios", [3]], ["required_scenarios", "instance-loss"]] {
		results := _results("deny", "dr.rule_data", inp, _override(case[0], case[1]))
		{r.msg | some r in results} == {sprintf("threshold dr.%s for tier broken is invalid: it must be a %s", [case[0], _expected(case[0])])}
	}
}

_expected("required_scenarios") := "list of scenario tags (non-empty strings)"

_expected(name) := "non-negative integer" if name != "required_scenarios"

test_rule_data_missing_values if {
	inp := _input("default", [])
	results := _results("deny", "dr.rule_data", inp, {"default": {"dr": {"max_rto_s": 60}}, "tiers": {}})
	{r.msg | some r in results} == {
		"threshold dr.max_drill_age_days is set neither for tier default nor in the defaults",
		"threshold dr.max_rpo_s is set neither for tier default nor in the defaults",
		"threshold dr.required_scenarios is set neither for tier default nor in the defaults",
	}
	{r.pointer | some r in results} == {"/thresholds/default/dr/max_drill_age_days", "/thresholds/default/dr/max_rpo_s", "/thresholds/default/dr/required_scenarios"}
}

test_rule_data_unknown_tier if {
	inp := _input("platinum", [])
	_results("deny", "dr.rule_data", inp, _thresholds) == {{
		"criterion": "dr.rule_data",
		"msg": "tier platinum is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "platinum", "comparator": "in", "threshold": ["critical", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_builtin_data_is_well_formed if {
	every tier in ["default", "critical", "high", "standard", "low"] {
		inp := _input(tier, [])
		denied := {r | some r in dr.deny; r.criterion == "dr.rule_data"} with input as inp
		checked := {r | some r in dr.checked; r.criterion == "dr.rule_data"} with input as inp
		count(denied) == 0
		count(checked) == 4
	}
}
