# METADATA
# scope: package
# title: Deployment and rollback drills
# description: >-
#   Criteria over the `rollout` evidence kind (schema rollout/v1): deployment and rollback drills that
#   `readiness drill run` ran and recorded, one item per drill. A drill runs the team's own deploy
#   command, a health check until it passes, the rollback command and the health check again; each
#   phase records its command, outcome, exit code, duration and the end of its output. deploy_ms is the
#   time to a healthy deployment, rollback_ms the time to health restored after the rollback.
#
#   Every result names the drill (evidence id), the phase and command, and points at the phase
#   (/data/phases/N/...) or the measured time. The thresholds are rule data in
#   data.readiness.thresholds (policies/data/rollout.yaml), per tier:
#
#     thresholds:
#       default:
#         rollout: {max_deploy_ms: 900000, max_rollback_ms: 300000}
#       tiers:
#         critical:
#           rollout: {max_rollback_ms: 120000}
#
#   rollout.rule_data checks them; a criterion whose threshold is broken fails, never passes unchecked.
package readiness.rollout

import data.readiness.lib

# METADATA
# title: Rollback works
# description: >-
#   In every rollout drill the rollback command succeeded and a health check passed after it: the
#   release can be taken back. A rollback that exited non-zero, timed out or could not start, or after
#   which the service did not become healthy again, fails with the phase, its exit code or time-out
#   and the last line of its output.
# custom:
#   id: rollout.rollback
#   severity: high
#   requires: [rollout]
#   remediation: >-
#     Fix the rollback procedure named in the result (its output is in the item's phase), run `readiness
#     drill run` again and add the new item to the bundle.
deny contains result if {
	some item in lib.items("rollout")
	item.data.outcome in {"rollback_failed", "unhealthy_after_rollback"}
	result := _phase_result("rollout.rollback", item, _failed_phase(item))
}

checked contains result if {
	some item in lib.items("rollout")
	item.data.healthy_after_rollback == true
	result := _phase_result("rollout.rollback", item, _last_phase(item, "health_after_rollback"))
}

# METADATA
# title: Rollback within the tier's time
# description: >-
#   In every rollout drill health was restored within max_rollback_ms of the start of the rollback
#   (rollback command plus health checks until one passed). A drill whose health was never restored has
#   no rollback time: it is insufficient evidence here and fails rollout.rollback.
# custom:
#   id: rollout.rollback_time
#   severity: high
#   requires: [rollout]
#   remediation: >-
#     Make the rollback faster (pre-pulled images, a kept previous version, fewer migration steps), or
#     agree a longer time for the tier; the phases of the item show where the time went.
deny contains result if {
	some item in lib.items("rollout")
	item.data.rollback_ms > _limits.max_rollback_ms
	result := _time_result("rollout.rollback_time", item, "rollback_ms", "max_rollback_ms", "health restored after the rollback")
}

deny contains result if {
	result := _unjudged("rollout.rollback_time", "max_rollback_ms")
}

insufficient contains result if {
	some item in lib.items("rollout")
	not _timed(item, "rollback_ms")
	result := lib.result(
		"rollout.rollback_time", item.id, "/data/outcome", item.data.outcome, "==", "succeeded",
		sprintf("%s: health was not restored after the rollback (%s), so there is no rollback time to judge", [
			_name(item), item.data.outcome,
		]),
	)
}

checked contains result if {
	some item in lib.items("rollout")
	item.data.rollback_ms <= _limits.max_rollback_ms
	result := _time_result("rollout.rollback_time", item, "rollback_ms", "max_rollback_ms", "health restored after the rollback")
}

# METADATA
# title: Deployment becomes healthy in time
# description: >-
#   In every rollout drill the deploy command succeeded and a health check passed after it within
#   max_deploy_ms of the start of the deployment: the deployment automation works. A deploy that
#   failed, timed out or never became healthy fails with the phase, its exit code and output.
# custom:
#   id: rollout.deploy
#   severity: high
#   requires: [rollout]
#   remediation: >-
#     Fix the deployment or the health check named in the result (its output is in the item's phase),
#     or make the deployment faster; run `readiness drill run` again.
deny contains result if {
	some item in lib.items("rollout")
	item.data.outcome in {"deploy_failed", "unhealthy_after_deploy"}
	result := _phase_result("rollout.deploy", item, _failed_phase(item))
}

deny contains result if {
	some item in lib.items("rollout")
	item.data.deploy_ms > _limits.max_deploy_ms
	result := _time_result("rollout.deploy", item, "deploy_ms", "max_deploy_ms", "healthy after the deploy")
}

deny contains result if {
	result := _unjudged("rollout.deploy", "max_deploy_ms")
}

checked contains result if {
	some item in lib.items("rollout")
	item.data.deploy_ms <= _limits.max_deploy_ms
	result := _time_result("rollout.deploy", item, "deploy_ms", "max_deploy_ms", "healthy after the deploy")
}

# METADATA
# title: Rollout thresholds are well-formed
# description: >-
#   The thresholds the rollout criteria read for the tier being evaluated (max_deploy_ms and
#   max_rollback_ms, non-negative integers) are set and well-formed, and a tier the bundle names is
#   listed under tiers. It is as severe as the criteria it guards and needs no evidence.
# custom:
#   id: rollout.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/rollout.yaml or in
#     the --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some name in _names
	not _threshold_set(name)
	result := lib.result("rollout.rule_data", null, lib.threshold_pointer("rollout", name), null, "in", "non-negative integer",
		sprintf("threshold rollout.%s is set neither for tier %s nor in the defaults", [name, lib.tier]))
}

deny contains result if {
	some name in _names
	value := lib.threshold("rollout", name)
	not lib.is_count(value)
	result := lib.result("rollout.rule_data", null, lib.threshold_pointer("rollout", name), value, "in", "non-negative integer",
		sprintf("threshold rollout.%s for tier %s is invalid: it must be a non-negative integer (milliseconds)", [name, lib.tier]))
}

deny contains result if {
	not lib.known_tier
	result := lib.result("rollout.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

checked contains result if {
	some name in _names
	value := _limits[name]
	result := lib.result("rollout.rule_data", null, lib.threshold_pointer("rollout", name), value, "in", "non-negative integer",
		sprintf("threshold rollout.%s for tier %s is %s", [name, lib.tier, _duration(value)]))
}

# --- thresholds ----------------------------------------------------------------------------------

_names := ["max_deploy_ms", "max_rollback_ms"]

# _limits holds the tier's valid thresholds as integers, e.g. {"max_deploy_ms": 900000, "max_rollback_ms": 300000};
# an invalid or missing one is absent and the criterion reading it reports _unjudged.
_limits := {name: floor(value) |
	some name in _names
	value := lib.threshold("rollout", name)
	lib.is_count(value)
}

_threshold_set(name) if {
	_ = lib.threshold("rollout", name)
}

_has_limit(name) if {
	_ = _limits[name]
}

# _unjudged is the failure of a criterion that cannot judge the drills because its threshold `name` is
# missing or invalid. Without rollout evidence there is nothing to judge and no result.
_unjudged(criterion, name) := lib.result(
	criterion, null, lib.threshold_pointer("rollout", name), _raw_threshold(name), "in", "non-negative integer",
	sprintf("cannot judge %d rollout drill(s): threshold rollout.%s for tier %s is missing or invalid (see rollout.rule_data)", [
		count(lib.items("rollout")), name, lib.tier,
	]),
) if {
	count(lib.items("rollout")) > 0
	not _has_limit(name)
}

_raw_threshold(name) := value if {
	value := lib.threshold("rollout", name)
} else := null

# --- phases --------------------------------------------------------------------------------------

_timed(item, name) if lib.is_count(item.data[name])

# _failed_phase is the index of the phase the drill's outcome names: the last phase of that name.
_failed_phase(item) := _last_phase(item, _outcome_phase[item.data.outcome])

_outcome_phase := {
	"deploy_failed": "deploy",
	"unhealthy_after_deploy": "health_after_deploy",
	"rollback_failed": "rollback",
	"unhealthy_after_rollback": "health_after_rollback",
}

_last_phase(item, name) := max({index | some index, phase in item.data.phases; phase.name == name})

_phase_result(criterion, item, index) := lib.result(
	criterion, item.id, lib.pointer(["data", "phases", index, "outcome"]), item.data.phases[index].outcome, "==", "succeeded",
	sprintf("%s: %s `%s` %s%s", [
		_name(item), _phase_text[item.data.phases[index].name], item.data.phases[index].command_line,
		_ended(item.data.phases[index]), _output(item.data.phases[index]),
	]),
)

_time_result(criterion, item, field, limit, what) := lib.result(
	criterion, item.id, lib.pointer(["data", field]), item.data[field], "<=", _limits[limit],
	sprintf("%s: %s after %s; tier %s allows %s", [
		_name(item), what, _duration(item.data[field]), lib.tier, _duration(_limits[limit]),
	]),
)

_phase_text := {
	"deploy": "deploy",
	"health_after_deploy": "health check after the deploy",
	"rollback": "rollback",
	"health_after_rollback": "health check after the rollback",
}

# _name is "drill <id>" plus what was deployed, when the drill names it.
_name(item) := sprintf("rollout drill %s of %s", [item.id, item.data.target]) if {
	is_string(item.data.target)
} else := sprintf("rollout drill %s", [item.id])

_ended(phase) := sprintf("succeeded after %s (%d attempt(s))", [_duration(phase.duration_ms), phase.attempts]) if {
	phase.outcome == "succeeded"
} else := sprintf("exited %d after %s (%d attempt(s))", [phase.exit_code, _duration(phase.duration_ms), phase.attempts]) if {
	phase.outcome == "failed"
	lib.is_count(phase.exit_code)
} else := sprintf("was ended by signal %d after %s", [phase.signal, _duration(phase.duration_ms)]) if {
	phase.outcome == "failed"
	lib.is_count(phase.signal)
} else := sprintf("timed out after %d s (its process group was killed)", [phase.timeout_s]) if {
	phase.outcome == "timed_out"
} else := sprintf("could not start: %s", [phase.error]) if {
	phase.outcome == "not_started"
} else := sprintf("ended %s after %s", [phase.outcome, _duration(phase.duration_ms)])

# _output quotes the last non-empty line of the phase's output (the runner cuts it to 200 characters).
_output(phase) := sprintf("; output ends: %s", [phase.last_line]) if is_string(phase.last_line) else := ""

# _duration formats milliseconds as seconds with one decimal, without floats: 12345 -> "12.3 s".
_duration(ms) := sprintf("%d.%d s", [lib.floor_div(ms, 1000), lib.floor_div(ms % 1000, 100)])
