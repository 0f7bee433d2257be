# METADATA
# scope: package
# title: Disaster-recovery drills
# description: >-
#   Criteria over the `dr` evidence kind (schema dr/v1): disaster-recovery and resilience drills, from
#   Chaos Toolkit journals, LitmusChaos ChaosResults, Velero backups and restores, and drill records of
#   manual drills. Every drill has a scenario (what was simulated), tags (the scenario classes it
#   exercises, e.g. instance-loss, database-failover, backup-restore), a status, start and end, RTO and
#   RPO (target and measured, whole seconds) and whether data was lost.
#
#   The current drill of a scenario is its latest (by start) among every dr item of the bundle, so a
#   failed drill repeated successfully later no longer counts against the release; outcome, RTO, RPO and
#   data loss are judged on current drills. Every result points at the drill (pointer
#   /data/drills/N/...) and names its scenario.
#
#   The thresholds are rule data in data.readiness.thresholds (policies/data/dr.yaml), per tier:
#
#     thresholds:
#       default:
#         dr:
#           required_scenarios: []       # scenario tags that must have a recent drill (dr.required_scenarios)
#           max_drill_age_days: 90       # the latest drill of a required scenario at most this old
#           max_rto_s: 3600              # an RTO measured above this fails, whatever the drill's own target
#           max_rpo_s: 3600              # the same for the RPO
#       tiers:
#         critical:
#           dr: {required_scenarios: [instance-loss, database-failover, backup-restore], max_drill_age_days: 30}
#
#   dr.rule_data checks them; a criterion whose threshold is broken fails (it cannot judge), never passes.
package readiness.dr

import data.readiness.lib

# METADATA
# title: Required scenarios drilled recently
# description: >-
#   Every scenario class the tier requires (required_scenarios, matched against the drills' tags) has a
#   drill in the evidence, and the latest drill of each ended at most max_drill_age_days before the
#   evaluation. A required scenario without any drill is insufficient evidence; one whose latest drill
#   is too old fails with its age.
# custom:
#   id: dr.required_scenarios
#   severity: high
#   requires: [dr]
#   remediation: >-
#     Run the drill of the scenario named in the result (a Chaos Toolkit experiment, a restore, the
#     manual runbook with a drill record), tag it with the scenario, collect its record with `readiness
#     collect` and add it to the bundle.
deny contains result if {
	some tag in _limits.required_scenarios
	entry := _latest_tagged(tag)
	_age_days(entry) > _limits.max_drill_age_days
	result := _age_result(tag, entry)
}

deny contains result if {
	some name in ["max_drill_age_days", "required_scenarios"]
	result := _unjudged("dr.required_scenarios", name)
}

insufficient contains result if {
	count(_drills) > 0
	some tag in _limits.required_scenarios
	not _latest_at(tag)
	result := lib.result(
		"dr.required_scenarios", null, lib.threshold_pointer("dr", "required_scenarios"), _all_tags, "includes", tag,
		sprintf("no drill of required scenario %s among %d drill(s), whose tags are %s; tier %s requires %s", [
			tag, count(_drills), _list(_all_tags), lib.tier, _list(_limits.required_scenarios),
		]),
	)
}

checked contains result if {
	some tag in _limits.required_scenarios
	entry := _latest_tagged(tag)
	_age_days(entry) <= _limits.max_drill_age_days
	result := _age_result(tag, entry)
}

checked contains result if {
	count(_drills) > 0
	count(_limits.required_scenarios) == 0
	result := lib.result(
		"dr.required_scenarios", null, lib.threshold_pointer("dr", "required_scenarios"), [], "includes", [],
		sprintf("tier %s requires no scenario; the %d drill(s) cover %s", [lib.tier, count(_drills), _list(_all_tags)]),
	)
}

# METADATA
# title: Drills succeeded
# description: >-
#   The current drill of every scenario in the evidence succeeded: its hypothesis held and every step
#   went as planned. A drill that deviated (the system did not hold up), failed, was aborted or finished
#   with errors (a partially failed backup or restore) fails, naming its failed steps; a drill still in
#   progress is insufficient evidence.
# custom:
#   id: dr.drill_outcome
#   severity: high
#   requires: [dr]
#   remediation: >-
#     Find out why the drill named in the result did not succeed (its failed steps are listed), fix the
#     system or the runbook, and run the drill again.
deny contains result if {
	some entry in _current
	entry.drill.status in {"deviated", "failed", "aborted", "partially_failed"}
	result := _outcome_result(entry)
}

insufficient contains result if {
	some entry in _current
	entry.drill.status == "in_progress"
	result := _outcome_result(entry)
}

checked contains result if {
	some entry in _current
	entry.drill.status == "succeeded"
	result := _outcome_result(entry)
}

# METADATA
# title: Recovery time within target
# description: >-
#   Every current drill that measured its recovery time (RTO) recovered within its limit: the drill's own
#   target when it states one, and never more than the tier's max_rto_s. A drill stating a target without
#   a measurement, or evidence where no drill measured a recovery time at all, is insufficient evidence.
# custom:
#   id: dr.rto
#   severity: high
#   requires: [dr]
#   remediation: >-
#     Shorten recovery for the scenario named in the result (automation, warm standbys, runbook steps),
#     or agree a longer target; measure the recovery time in the drill if it is missing.
deny contains result if {
	some result in _over_limit("rto")
}

deny contains result if {
	result := _unjudged("dr.rto", "max_rto_s")
}

insufficient contains result if {
	some result in _unmeasured("rto")
}

insufficient contains result if {
	count(_current) > 0
	count([entry | some entry in _current; _measured(entry, "rto")]) == 0
	result := lib.result(
		"dr.rto", null, "/data/drills", null, "<=", _limits.max_rto_s,
		sprintf("none of the %d current drill(s) measured a recovery time (%s); tier %s allows at most %d s", [
			count(_current), _list(sort({entry.drill.scenario | some entry in _current})), lib.tier, _limits.max_rto_s,
		]),
	)
}

checked contains result if {
	some result in _within_limit("rto")
}

# METADATA
# title: Recovery point within target
# description: >-
#   Every current drill that measured its recovery point (RPO, the window of data lost) stayed within
#   its limit: the drill's own target when it states one, and never more than the tier's max_rpo_s. A
#   drill stating an RPO target without a measurement is insufficient evidence. Drills of stateless
#   scenarios state no RPO and are not judged here; require a stateful scenario (database-failover,
#   backup-restore) in the tier's required_scenarios to make sure one is drilled.
# custom:
#   id: dr.rpo
#   severity: high
#   requires: [dr]
#   remediation: >-
#     Reduce the data-loss window for the scenario named in the result (replication, backup frequency,
#     write-ahead log shipping), or agree a larger target; measure it in the drill if it is missing.
deny contains result if {
	some result in _over_limit("rpo")
}

deny contains result if {
	result := _unjudged("dr.rpo", "max_rpo_s")
}

insufficient contains result if {
	some result in _unmeasured("rpo")
}

checked contains result if {
	some result in _within_limit("rpo")
}

checked contains result if {
	count(_current) > 0
	count([entry | some entry in _current; _states(entry, "rpo")]) == 0
	result := lib.result(
		"dr.rpo", null, "/data/drills", null, "<=", _limits.max_rpo_s,
		sprintf("none of the %d current drill(s) states a recovery point (stateless scenarios); tier %s allows at most %d s", [
			count(_current), lib.tier, _limits.max_rpo_s,
		]),
	)
}

# METADATA
# title: No data lost
# description: >-
#   No current drill lost data. A drill that records data loss fails, whatever its RPO; drills that do
#   not record whether data was lost are named in the passing result.
# custom:
#   id: dr.data_loss
#   severity: critical
#   requires: [dr]
#   remediation: >-
#     Find out which writes the drill named in the result lost and why (unreplicated writes, a backup
#     that missed them), fix it and run the drill again.
deny contains result if {
	some entry in _current
	entry.drill.data_loss == true
	result := _data_loss_result(entry)
}

checked contains result if {
	some entry in _current
	entry.drill.data_loss == false
	result := _data_loss_result(entry)
}

checked contains result if {
	unrecorded := [entry | some entry in _current; not _records_loss(entry)]
	count(unrecorded) > 0
	result := lib.result(
		"dr.data_loss", null, "/data/drills", null, "==", false,
		sprintf("%d current drill(s) do not record whether data was lost: %s", [
			count(unrecorded), _list(sort({entry.drill.scenario | some entry in unrecorded})),
		]),
	)
}

# METADATA
# title: DR thresholds are well-formed
# description: >-
#   The thresholds the dr criteria read for the tier being evaluated (required_scenarios: a list of
#   scenario tags; max_drill_age_days, max_rto_s and max_rpo_s: non-negative integers) are set and
#   well-formed, and a tier the bundle names is listed under tiers. It is as severe as the criteria it
#   guards and needs no evidence.
# custom:
#   id: dr.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/dr.yaml or in the
#     --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _names
	value := _limits[name]
	result := lib.result("dr.rule_data", null, lib.threshold_pointer("dr", name), value, "in", _expected[name],
		sprintf("threshold dr.%s for tier %s is %s", [name, lib.tier, _format(value)]))
}

# --- drills --------------------------------------------------------------------------------------

# _drills lists every drill of every dr item with where it is and its start in epoch seconds, e.g.
#   {"item": "dr-chaos", "index": 0, "drill": {...}, "at": 1795795200}
_drills := [{"item": item.id, "index": index, "drill": drill, "at": lib.epoch_seconds(drill.start)} |
	some item in lib.items("dr")
	some index, drill in item.data.drills
]

# _current holds the latest drill (by start) of each scenario; drills of a scenario starting at the
# same second are all current.
_current := [entry |
	some entry in _drills
	not _superseded(entry)
]

_superseded(entry) if {
	some other in _drills
	other.drill.scenario == entry.drill.scenario
	other.at > entry.at
}

# _all_tags lists the tags of every drill, sorted.
_all_tags := sort({tag | some entry in _drills; some tag in entry.drill.tags})

_latest_at(tag) := max({entry.at | some entry in _drills; tag in entry.drill.tags})

# _latest_tagged is the latest drill carrying `tag` (the first in evidence order among drills starting
# at the same second); undefined when no drill carries it.
_latest_tagged(tag) := [entry | some entry in _drills; tag in entry.drill.tags; entry.at == _latest_at(tag)][0]

# _ended_at is when a drill ended (its start while it has no end), in epoch seconds.
_ended_at(entry) := lib.epoch_seconds(entry.drill.end) if is_string(entry.drill.end) else := entry.at

# _age_days is the number of whole days from a drill's end to the evaluation time (0 for a drill
# ending after the evaluation time, so that no negative number is formatted: the engines differ).
_age_days(entry) := max({0, lib.floor_div(input.evaluation.epoch_seconds - _ended_at(entry), 86400)})

_measured(entry, objective) if lib.is_count(entry.drill[objective].measured_s)

_has_target(entry, objective) if lib.is_count(entry.drill[objective].target_s)

_states(entry, objective) if _measured(entry, objective)

_states(entry, objective) if _has_target(entry, objective)

_max_name := {"rto": "max_rto_s", "rpo": "max_rpo_s"}

_objective_name := {"rto": "recovery time (RTO)", "rpo": "recovery point (RPO)"}

# _limit is the limit a drill's measured objective is judged against: its own target, capped by the
# tier's maximum; the tier's maximum when the drill states no target. Undefined when the maximum is
# broken (the criterion then reports _unjudged).
_limit(entry, objective) := min({entry.drill[objective].target_s, _limits[_max_name[objective]]}) if {
	_has_target(entry, objective)
} else := _limits[_max_name[objective]]

_limit_source(entry, objective) := sprintf("the drill's target %d s; tier %s allows at most %d s", [
	entry.drill[objective].target_s, lib.tier, _limits[_max_name[objective]],
]) if {
	_has_target(entry, objective)
} else := sprintf("no target stated; tier %s allows at most %d s", [lib.tier, _limits[_max_name[objective]]])

_over_limit(objective) := {result |
	some entry in _current
	_measured(entry, objective)
	entry.drill[objective].measured_s > _limit(entry, objective)
	result := _objective_result(entry, objective, "over")
}

_within_limit(objective) := {result |
	some entry in _current
	_measured(entry, objective)
	entry.drill[objective].measured_s <= _limit(entry, objective)
	result := _objective_result(entry, objective, "within")
}

_unmeasured(objective) := {result |
	some entry in _current
	_has_target(entry, objective)
	not _measured(entry, objective)
	result := lib.result(
		sprintf("dr.%s", [objective]), entry.item, _drill_pointer(entry, [objective]), null, "<=",
		entry.drill[objective].target_s,
		sprintf("%s (%s) states a %s target of %d s but did not measure it", [
			entry.drill.scenario, _where(entry), _objective_name[objective], entry.drill[objective].target_s,
		]),
	)
}

# --- results -------------------------------------------------------------------------------------

_age_result(tag, entry) := lib.result(
	"dr.required_scenarios", entry.item, _drill_pointer(entry, [_end_field(entry)]), _age_days(entry), "<=",
	_limits.max_drill_age_days,
	sprintf("latest drill of required scenario %s: %s (%s) ended %s, %d day(s) before the evaluation; tier %s allows %d", [
		tag, entry.drill.scenario, _where(entry), _day(entry), _age_days(entry), lib.tier, _limits.max_drill_age_days,
	]),
)

_end_field(entry) := "end" if is_string(entry.drill.end) else := "start"

# _day is the date part of when the drill ended, e.g. "2026-11-14".
_day(entry) := substring(entry.drill[_end_field(entry)], 0, 10)

_outcome_result(entry) := lib.result(
	"dr.drill_outcome", entry.item, _drill_pointer(entry, ["status"]), entry.drill.status, "==", "succeeded",
	sprintf("%s (%s, %s) %s%s", [
		entry.drill.scenario, _where(entry), substring(entry.drill.start, 0, 10), _status_text[entry.drill.status],
		_failed_steps(entry.drill),
	]),
)

_status_text := {
	"succeeded": "succeeded",
	"deviated": "deviated: the system did not hold up under the drill",
	"failed": "failed",
	"aborted": "was aborted",
	"partially_failed": "finished with errors (partially failed)",
	"in_progress": "is still in progress, so its outcome is not known",
}

# _failed_steps lists the drill's steps and rollbacks that did not succeed, e.g.
# "; steps not succeeded: stop primary (failed), checkout answers (deviated)"; "" when there are none.
_failed_steps(drill) := sprintf("; steps not succeeded: %s", [concat(", ", names)]) if {
	names := [sprintf("%s (%s)", [step.name, step.status]) |
		some step in array.concat(drill.steps, drill.rollbacks)
		step.status in {"failed", "deviated"}
	]
	count(names) > 0
} else := ""

_objective_result(entry, objective, verdict) := lib.result(
	sprintf("dr.%s", [objective]), entry.item, _drill_pointer(entry, [objective, "measured_s"]),
	entry.drill[objective].measured_s, "<=", _limit(entry, objective),
	sprintf("%s (%s): %s %d s, %s the limit of %d s (%s)", [
		entry.drill.scenario, _where(entry), _objective_name[objective], entry.drill[objective].measured_s, verdict,
		_limit(entry, objective), _limit_source(entry, objective),
	]),
)

_data_loss_result(entry) := lib.result(
	"dr.data_loss", entry.item, _drill_pointer(entry, ["data_loss"]), entry.drill.data_loss, "==", false,
	sprintf("%s (%s) %s", [entry.drill.scenario, _where(entry), _loss_text(entry.drill.data_loss)]),
)

# A helper rule, not `not is_boolean(entry.drill.data_loss)`: OPA evaluates an undefined reference
# inside a negated expression as undefined (the rule fails), regorus as false (the negation holds).
_records_loss(entry) if is_boolean(entry.drill.data_loss)

_loss_text(true) := "lost data"

_loss_text(false) := "lost no data"

_where(entry) := sprintf("%s drill %d", [entry.item, entry.index])

_drill_pointer(entry, path) := lib.pointer(array.concat(["data", "drills", entry.index], path))

_list(values) := concat(", ", values) if count(values) > 0 else := "nothing"

# --- thresholds ----------------------------------------------------------------------------------

_names := ["max_drill_age_days", "max_rpo_s", "max_rto_s", "required_scenarios"]

_expected := {
	"max_drill_age_days": "non-negative integer",
	"max_rpo_s": "non-negative integer",
	"max_rto_s": "non-negative integer",
	"required_scenarios": "list of scenario tags (non-empty strings)",
}

# _limits holds the tier's valid thresholds, whole numbers as integers (90.0 in YAML becomes 90), e.g.
#   {"max_drill_age_days": 90, "max_rpo_s": 3600, "max_rto_s": 3600, "required_scenarios": ["instance-loss"]}
# An invalid or missing threshold is absent: the criterion reading it reports _unjudged instead.
_limits := {name: _normal(value) |
	some name in _names
	value := lib.threshold("dr", name)
	_valid(name, value)
}

_normal(value) := floor(value) if lib.is_count(value) else := value

_valid("required_scenarios", value) if {
	is_array(value)
	every tag in value {
		is_string(tag)
		tag != ""
	}
}

_valid(name, value) if {
	name != "required_scenarios"
	lib.is_count(value)
}

_format(value) := _list(value) if is_array(value) else := format_int(value, 10)

_rule_data_violations contains result if {
	some name in _names
	not _threshold_set(name)
	result := lib.result("dr.rule_data", null, lib.threshold_pointer("dr", name), null, "in", _expected[name],
		sprintf("threshold dr.%s is set neither for tier %s nor in the defaults", [name, lib.tier]))
}

_rule_data_violations contains result if {
	some name in _names
	value := lib.threshold("dr", name)
	not _valid(name, value)
	result := lib.result("dr.rule_data", null, lib.threshold_pointer("dr", name), value, "in", _expected[name],
		sprintf("threshold dr.%s for tier %s is invalid: it must be a %s", [name, lib.tier, _expected[name]]))
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("dr.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

_threshold_set(name) if {
	_ = lib.threshold("dr", name)
}

# _unjudged is the failure of a criterion that cannot judge the drills because its threshold `name` is
# missing or invalid. Without dr evidence there is nothing to judge and no result.
_unjudged(criterion, name) := lib.result(
	criterion, null, lib.threshold_pointer("dr", name), _raw_threshold(name), "in", _expected[name],
	sprintf("cannot judge %d drill(s): threshold dr.%s for tier %s is missing or invalid (see dr.rule_data)", [
		count(_drills), name, lib.tier,
	]),
) if {
	count(_drills) > 0
	not _has_limit(name)
}

_has_limit(name) if {
	_ = _limits[name]
}

_raw_threshold(name) := value if {
	value := lib.threshold("dr", name)
} else := null
