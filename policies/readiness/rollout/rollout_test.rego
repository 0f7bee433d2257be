package readiness.rollout_test

import data.readiness.rollout

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"rollout": {"max_deploy_ms": 900000, "max_rollback_ms": 300000}},
	"tiers": {
		"critical": {"rollout": {"max_deploy_ms": 600000, "max_rollback_ms": 120000}},
		"standard": {},
	},
}

_override(name, value) := {
	"default": _thresholds.default,
	"tiers": {"broken": {"rollout": {name: value}}},
}

_phase(name, command, outcome, duration_ms, attempts, extra) := object.union(
	{
		"name": name, "command": command, "command_line": concat(" ", command), "shell": false, "outcome": outcome,
		"start": "2026-11-27T15:00:00Z", "end": "2026-11-27T15:00:10Z", "duration_ms": duration_ms,
		"timeout_s": 600, "attempts": attempts, "output_tail": "", "output_bytes": 0,
	},
	extra,
)

_deploy := _phase("deploy", ["./deploy.sh", "1.42.0"], "succeeded", 12345, 1, {"exit_code": 0, "output_tail": "deployed 1.42.0\n", "output_bytes": 16, "last_line": "deployed 1.42.0"})

_healthy(name) := _phase(name, ["curl", "-fsS", "http://127.0.0.1:8080/health"], "succeeded", 2100, 2, {"exit_code": 0})

_rollback := _phase("rollback", ["./deploy.sh", "1.41.0"], "succeeded", 9000, 1, {"exit_code": 0})

_item(id, outcome, phases, times) := {
	"id": id, "kind": "rollout", "schema": "rollout/v1", "collected_at": "2026-11-27T15:01:00Z",
	"source": {"tool": "readiness", "format": "drill-run", "file": "drill run", "sha256": "00"},
	"data": object.union(
		{
			"target": "1.42.0", "outcome": outcome, "start": "2026-11-27T15:00:00Z", "end": "2026-11-27T15:01:00Z",
			"healthy_after_deploy": outcome != "deploy_failed", "healthy_after_rollback": _restored(outcome),
			"phases": phases,
		},
		times,
	),
}

_restored(outcome) := false if {
	outcome in {"rollback_failed", "unhealthy_after_rollback"}
} else := true

_good := _item("rollout-drill", "succeeded", [_deploy, _healthy("health_after_deploy"), _rollback, _healthy("health_after_rollback")], {"deploy_ms": 14445, "rollback_ms": 11100})

_input(tier, items) := {
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": 1795795200, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"rollout": items},
}

_results(kind, criterion, inp, thresholds) := results if {
	results := {r | some r in rollout[kind]; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_deny(criterion, inp) := _results("deny", criterion, inp, _thresholds)

_insufficient(criterion, inp) := _results("insufficient", criterion, inp, _thresholds)

_checked(criterion, inp) := _results("checked", criterion, inp, _thresholds)

test_no_evidence_no_results if {
	every inp in [{"tier": "critical"}, {"tier": "critical", "evidence": {}}, _input("critical", [])] {
		every criterion in ["rollout.rollback", "rollout.rollback_time", "rollout.deploy"] {
			_deny(criterion, inp) == set()
			_insufficient(criterion, inp) == set()
			_checked(criterion, inp) == set()
		}
	}
}

# --- a drill that went well -----------------------------------------------------------------------

test_good_drill_passes_with_numbers if {
	inp := _input("standard", [_good])
	every criterion in ["rollout.rollback", "rollout.rollback_time", "rollout.deploy"] {
		_deny(criterion, inp) == set()
		_insufficient(criterion, inp) == set()
	}
	_checked("rollout.rollback", inp) == {{
		"criterion": "rollout.rollback",
		"msg": "rollout drill rollout-drill of 1.42.0: health check after the rollback `curl -fsS http://127.0.0.1:8080/health` succeeded after 2.1 s (2 attempt(s))",
		"observed": "succeeded", "comparator": "==", "threshold": "succeeded",
		"evidence": "rollout-drill", "pointer": "/data/phases/3/outcome",
	}}
	_checked("rollout.rollback_time", inp) == {{
		"criterion": "rollout.rollback_time",
		"msg": "rollout drill rollout-drill of 1.42.0: health restored after the rollback after 11.1 s; tier standard allows 300.0 s",
		"observed": 11100, "comparator": "<=", "threshold": 300000,
		"evidence": "rollout-drill", "pointer": "/data/rollback_ms",
	}}
	_checked("rollout.deploy", inp) == {{
		"criterion": "rollout.deploy",
		"msg": "rollout drill rollout-drill of 1.42.0: healthy after the deploy after 14.4 s; tier standard allows 900.0 s",
		"observed": 14445, "comparator": "<=", "threshold": 900000,
		"evidence": "rollout-drill", "pointer": "/data/deploy_ms",
	}}
}

# --- rollout.rollback -----------------------------------------------------------------------------

test_rollback_command_failed if {
	failed := _phase("rollback", ["./deploy.sh", "1.41.0"], "failed", 4200, 1, {"exit_code": 3, "output_tail": "pulling image\nerror: image 1.41.0 not found\n\n", "last_line": "error: image 1.41.0 not found"})
	item := _item("rollout-drill", "rollback_failed", [_deploy, _healthy("health_after_deploy"), failed], {"deploy_ms": 14445})
	inp := _input("standard", [item])
	_deny("rollout.rollback", inp) == {{
		"criterion": "rollout.rollback",
		"msg": "rollout drill rollout-drill of 1.42.0: rollback `./deploy.sh 1.41.0` exited 3 after 4.2 s (1 attempt(s)); output ends: error: image 1.41.0 not found",
		"observed": "failed", "comparator": "==", "threshold": "succeeded",
		"evidence": "rollout-drill", "pointer": "/data/phases/2/outcome",
	}}
	_insufficient("rollout.rollback_time", inp) == {{
		"criterion": "rollout.rollback_time",
		"msg": "rollout drill rollout-drill of 1.42.0: health was not restored after the rollback (rollback_failed), so there is no rollback time to judge",
		"observed": "rollback_failed", "comparator": "==", "threshold": "succeeded",
		"evidence": "rollout-drill", "pointer": "/data/outcome",
	}}
	_checked("rollout.rollback", inp) == set()
}

test_rollback_unhealthy_after_rollback if {
	unhealthy := _phase("health_after_rollback", ["curl", "-fsS", "http://127.0.0.1:8080/health"], "failed", 120000, 40, {"exit_code": 22})
	item := _item("rollout-drill", "unhealthy_after_rollback", [_deploy, _healthy("health_after_deploy"), _rollback, unhealthy], {"deploy_ms": 14445})
	{r.msg | some r in _deny("rollout.rollback", _input("standard", [item]))} == {"rollout drill rollout-drill of 1.42.0: health check after the rollback `curl -fsS http://127.0.0.1:8080/health` exited 22 after 120.0 s (40 attempt(s))"}
}

test_rollback_timed_out_and_not_started if {
	timed_out := _phase("rollback", ["./rollback.sh"], "timed_out", 605000, 1, {"signal": 9, "timeout_s": 600})
	item := object.union(_item("rollout-a", "rollback_failed", [_deploy, _healthy("health_after_deploy"), timed_out], {}), {"data": {"target": null}})
	not_started := _phase("rollback", ["./missing.sh"], "not_started", 0, 0, {"error": "command not found: ./missing.sh"})
	other := _item("rollout-b", "rollback_failed", [_deploy, _healthy("health_after_deploy"), not_started], {})
	{r.msg | some r in _deny("rollout.rollback", _input("standard", [item, other]))} == {
		"rollout drill rollout-a: rollback `./rollback.sh` timed out after 600 s (its process group was killed)",
		"rollout drill rollout-b of 1.42.0: rollback `./missing.sh` could not start: command not found: ./missing.sh",
	}
}

test_rollback_killed_by_signal if {
	killed := _phase("rollback", ["./rollback.sh"], "failed", 1500, 1, {"signal": 15})
	item := _item("rollout-drill", "rollback_failed", [_deploy, _healthy("health_after_deploy"), killed], {})
	{r.msg | some r in _deny("rollout.rollback", _input("standard", [item]))} == {"rollout drill rollout-drill of 1.42.0: rollback `./rollback.sh` was ended by signal 15 after 1.5 s"}
}

test_unknown_phase_outcome_is_described if {
	odd := _phase("rollback", ["./rollback.sh"], "failed", 2000, 1, {})
	item := _item("r", "rollback_failed", [_deploy, _healthy("health_after_deploy"), odd], {})
	{r.msg | some r in _deny("rollout.rollback", _input("standard", [item]))} == {"rollout drill r of 1.42.0: rollback `./rollback.sh` ended failed after 2.0 s"}
}

# --- rollout.rollback_time ------------------------------------------------------------------------

test_rollback_too_slow_fails if {
	slow := object.union(_good, {"data": {"rollback_ms": 150000}})
	inp := _input("critical", [slow])
	_deny("rollout.rollback_time", inp) == {{
		"criterion": "rollout.rollback_time",
		"msg": "rollout drill rollout-drill of 1.42.0: health restored after the rollback after 150.0 s; tier critical allows 120.0 s",
		"observed": 150000, "comparator": "<=", "threshold": 120000,
		"evidence": "rollout-drill", "pointer": "/data/rollback_ms",
	}}
	_deny("rollout.rollback", inp) == set()
}

test_rollback_time_broken_threshold_cannot_judge if {
	inp := _input("broken", [_good])
	_results("deny", "rollout.rollback_time", inp, _override("max_rollback_ms", "5m")) == {{
		"criterion": "rollout.rollback_time",
		"msg": "cannot judge 1 rollout drill(s): threshold rollout.max_rollback_ms for tier broken is missing or invalid (see rollout.rule_data)",
		"observed": "5m", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/rollout/max_rollback_ms",
	}}
	missing := {"default": {"rollout": {"max_deploy_ms": 1}}, "tiers": {"broken": {}}}
	{r.observed | some r in _results("deny", "rollout.rollback_time", inp, missing)} == {null}
}

# --- rollout.deploy -------------------------------------------------------------------------------

test_deploy_failed if {
	failed := _phase("deploy", ["./deploy.sh", "1.42.0"], "failed", 800, 1, {"exit_code": 2, "output_tail": "error: manifest invalid\n", "last_line": "error: manifest invalid"})
	item := _item("rollout-drill", "deploy_failed", [failed, _rollback, _healthy("health_after_rollback")], {"rollback_ms": 11100})
	inp := _input("standard", [item])
	_deny("rollout.deploy", inp) == {{
		"criterion": "rollout.deploy",
		"msg": "rollout drill rollout-drill of 1.42.0: deploy `./deploy.sh 1.42.0` exited 2 after 0.8 s (1 attempt(s)); output ends: error: manifest invalid",
		"observed": "failed", "comparator": "==", "threshold": "succeeded",
		"evidence": "rollout-drill", "pointer": "/data/phases/0/outcome",
	}}
	_deny("rollout.rollback", inp) == set()
	{r.pointer | some r in _checked("rollout.rollback", inp)} == {"/data/phases/2/outcome"}
}

test_deploy_unhealthy if {
	unhealthy := _phase("health_after_deploy", ["curl", "-fsS", "http://127.0.0.1:8080/health"], "timed_out", 120000, 12, {"signal": 9, "timeout_s": 120})
	item := _item("rollout-drill", "unhealthy_after_deploy", [_deploy, unhealthy, _rollback, _healthy("health_after_rollback")], {"rollback_ms": 11100})
	{r.msg | some r in _deny("rollout.deploy", _input("standard", [item]))} == {"rollout drill rollout-drill of 1.42.0: health check after the deploy `curl -fsS http://127.0.0.1:8080/health` timed out after 120 s (its process group was killed)"}
}

test_deploy_too_slow if {
	slow := object.union(_good, {"data": {"deploy_ms": 600001}})
	{[r.observed, r.threshold] | some r in _deny("rollout.deploy", _input("critical", [slow]))} == {[600001, 600000]}
}

test_deploy_broken_threshold_cannot_judge if {
	inp := _input("broken", [_good])
	{r.pointer | some r in _results("deny", "rollout.deploy", inp, _override("max_deploy_ms", -1))} == {"/thresholds/tiers/broken/rollout/max_deploy_ms"}
}

# --- rollout.rule_data ----------------------------------------------------------------------------

test_rule_data_valid if {
	inp := _input("critical", [])
	_results("deny", "rollout.rule_data", inp, _thresholds) == set()
	{r.msg | some r in _results("checked", "rollout.rule_data", inp, _thresholds)} == {
		"threshold rollout.max_deploy_ms for tier critical is 600.0 s",
		"threshold rollout.max_rollback_ms for tier critical is 120.0 s",
	}
}

test_rule_data_invalid_and_missing if {
	inp := _input("broken", [])
	{r.msg | some r in _results("deny", "rollout.rule_data", inp, _override("max_deploy_ms", 1.5))} == {"threshold rollout.max_deploy_ms for tier broken is invalid: it must be a non-negative integer (milliseconds)"}
	missing := {"default": {"rollout": {"max_deploy_ms": 1}}, "tiers": {"broken": {}}}
	_results("deny", "rollout.rule_data", inp, missing) == {{
		"criterion": "rollout.rule_data",
		"msg": "threshold rollout.max_rollback_ms is set neither for tier broken nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/rollout/max_rollback_ms",
	}}
}

test_rule_data_unknown_tier if {
	{r.pointer | some r in _results("deny", "rollout.rule_data", _input("gold", []), _thresholds)} == {"/thresholds/tiers"}
}

test_builtin_data_is_well_formed if {
	every tier in ["default", "critical", "high", "standard", "low"] {
		inp := _input(tier, [])
		denied := {r | some r in rollout.deny; r.criterion == "rollout.rule_data"} with input as inp
		checked := {r | some r in rollout.checked; r.criterion == "rollout.rule_data"} with input as inp
		count(denied) == 0
		count(checked) == 2
	}
}
