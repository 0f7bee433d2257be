# METADATA
# scope: package
# title: Load test results
# description: >-
#   Criteria over the `load` evidence kind (schema load/v1): the results of a load test (k6, Locust,
#   JMeter, Gatling), one evidence item per test. Every number in the evidence is an integer:
#   latencies in microseconds, error rates in basis points, throughput in milli-requests per second.
#   Each criterion judges every test on its own and names the test (evidence id), the endpoint and the
#   value it read (JSON pointer, e.g. /data/endpoints/3/latency_us/p95); when a criterion passes, its
#   `checked` results show the same numbers.
#
#   The thresholds are rule data in data.readiness.thresholds (policies/data/load.yaml), for example:
#
#     thresholds:
#       default:
#         load:
#           p95_ms: 500              # per endpoint p95 latency budget (load.latency_p95)
#           p99_ms: 1000             # per endpoint p99 latency budget (load.latency_p99)
#           max_error_rate_bp: 100   # failed share of requests, overall and per endpoint, 1 % (load.error_rate)
#           expected_peak_rps: 1     # expected production peak, requests/s (load.throughput)
#           headroom_pct: 150        # the test must sustain peak x 150 % (load.throughput)
#           min_duration_s: 300      # shortest test that counts as a load test (load.duration_and_load)
#           min_vus: 10              # fewest peak virtual users, when the tool reports them (ditto)
#           endpoint_overrides:      # per endpoint budgets: p95_ms, p99_ms, max_error_rate_bp
#             "GET /health": {p95_ms: 50}
#       tiers:
#         critical:
#           load: {p95_ms: 300, max_error_rate_bp: 10, headroom_pct: 200}
#       services:
#         checkout:
#           load:
#             expected_peak_rps: 250
#             endpoint_overrides:
#               "POST /checkout": {p95_ms: 800, p99_ms: 2000}
#
#   A threshold is read from the most specific place that sets it: thresholds.services.<service>.load
#   (the service under evaluation, input.subject.service), then thresholds.tiers.<tier>.load, then
#   thresholds.default.load. Endpoint budgets (endpoint_overrides) are looked up the same way, at each
#   of those three places first under the key "METHOD name" (e.g. "POST /checkout") and then under the
#   name alone ("/checkout", any method); an endpoint budget, wherever it is set, wins over the general
#   p95_ms, p99_ms or max_error_rate_bp. The overall error rate always uses the general budget.
#
#   load.rule_data checks that every threshold is set, is a non-negative integer (basis points at most
#   10000), that endpoint_overrides are mappings of known budgets and that no unknown name is set: a
#   misconfiguration is a violation, never a silent default. A criterion whose threshold is broken does
#   not pass unchecked either: it reports that it cannot judge the test.
package readiness.load

import data.readiness.lib

# METADATA
# title: p95 latency within budget
# description: >-
#   The 95th percentile response time of every endpoint (or of all requests, when the test reports no
#   endpoints) is within the budget in milliseconds: the endpoint's override, else the tier's p95_ms.
#   An endpoint that reports no p95 cannot be judged and fails (see load.latency_percentiles).
# custom:
#   id: load.latency_p95
#   severity: high
#   requires: [load]
#   remediation: >-
#     Make the endpoints named in the result faster (profile them under load: queries, locks, pool
#     sizes, downstream calls), or agree a per-endpoint budget in endpoint_overrides.
deny contains result if {
	some result in _latency_violations("p95")
}

checked contains result if {
	some result in _latency_passes("p95")
}

# METADATA
# title: p99 latency within budget
# description: >-
#   The 99th percentile response time of every endpoint (or of all requests, when the test reports no
#   endpoints) is within the budget in milliseconds: the endpoint's override, else the tier's p99_ms.
#   An endpoint that reports no p99 cannot be judged and fails (see load.latency_percentiles).
# custom:
#   id: load.latency_p99
#   severity: medium
#   requires: [load]
#   remediation: >-
#     Find the slow tail of the endpoints named in the result (garbage collection pauses, cold caches,
#     retries, lock contention), or agree a per-endpoint budget in endpoint_overrides.
deny contains result if {
	some result in _latency_violations("p99")
}

checked contains result if {
	some result in _latency_passes("p99")
}

# METADATA
# title: Latency percentiles reported
# description: >-
#   Every endpoint (or all requests, when the test reports no endpoints) reports its p95 and p99
#   latency. Without them the latency criteria cannot judge the endpoint: a missing percentile is an
#   evidence defect, never a pass.
# custom:
#   id: load.latency_percentiles
#   severity: medium
#   requires: [load]
#   remediation: >-
#     Make the load tool export p95 and p99 (k6: summaryTrendStats with p(95) and p(99); Gatling: the
#     percentiles in gatling.conf) or collect the raw results, from which readiness computes them.
deny contains result if {
	some target in _latency_targets
	some percentile in _percentiles
	not _has_latency(target, percentile)
	result := _percentile_result(target, percentile, null)
}

checked contains result if {
	some target in _latency_targets
	some percentile in _percentiles
	result := _percentile_result(target, percentile, target.traffic.latency_us[percentile])
}

# METADATA
# title: Error rate within budget
# description: >-
#   The share of failed requests, over the whole test and per endpoint, is within the budget in basis
#   points (max_error_rate_bp; an endpoint's override applies to that endpoint only).
# custom:
#   id: load.error_rate
#   severity: critical
#   requires: [load]
#   remediation: >-
#     Fix the failing endpoints named in the result; the load tool's failure output lists the status
#     codes and errors. A failing test set-up (wrong host, expired token) fails every endpoint.
deny contains result if {
	some target in _error_targets
	target.traffic.error_rate_bp > _budget(target, "max_error_rate_bp")
	result := _error_result(target)
}

deny contains result if {
	some result in _unjudged_budgets("load.error_rate", "max_error_rate_bp", _error_targets)
}

checked contains result if {
	some target in _error_targets
	target.traffic.error_rate_bp <= _budget(target, "max_error_rate_bp")
	result := _error_result(target)
}

# METADATA
# title: Throughput covers the expected peak
# description: >-
#   The test sustained at least the expected production peak (expected_peak_rps, per service or per
#   tier) times the headroom factor (headroom_pct, 150 = 1.5 x), overall, in requests per second. A
#   test that does not report its throughput cannot be judged and fails.
# custom:
#   id: load.throughput
#   severity: high
#   requires: [load]
#   remediation: >-
#     Raise the test's arrival rate or virtual users until it reaches the required rate; if the service
#     saturates first, scale it or fix the bottleneck. Update expected_peak_rps when the peak changed.
deny contains result if {
	some item in lib.items("load")
	item.data.totals.throughput_mrps < _required_mrps
	result := _throughput_result(item)
}

deny contains result if {
	some item in lib.items("load")
	not _has_throughput(item)
	result := lib.result(
		"load.throughput", item.id, "/data/totals/throughput_mrps", null, ">=", _required_mrps,
		sprintf("%s reports no overall throughput, so it cannot show that it reached %s rps", [
			item.id, _thousandths(_required_mrps),
		]),
	)
}

deny contains result if {
	some name in ["expected_peak_rps", "headroom_pct"]
	result := _unjudged_tests("load.throughput", name, lib.items("load"))
}

checked contains result if {
	some item in lib.items("load")
	item.data.totals.throughput_mrps >= _required_mrps
	result := _throughput_result(item)
}

# METADATA
# title: A real load test
# description: >-
#   The test ran at least min_duration_s seconds, reached at least min_vus concurrent virtual users
#   (when the tool reports them) and sent requests: a 30-second smoke test is not a load test, and a
#   test without requests is evidence of a test that did not happen.
# custom:
#   id: load.duration_and_load
#   severity: high
#   requires: [load]
#   remediation: >-
#     Run the load test for the tier's duration with its number of virtual users (a soak of the peak
#     load, not a smoke test), and check that it reached the service under test.
deny contains result if {
	some item in lib.items("load")
	item.data.duration_ms < _limits.min_duration_s * 1000
	result := _duration_result(item)
}

deny contains result if {
	some item in lib.items("load")
	item.data.vus_max < _limits.min_vus
	result := _vus_result(item)
}

deny contains result if {
	some item in lib.items("load")
	item.data.totals.requests == 0
	result := _requests_result(item)
}

deny contains result if {
	result := _unjudged_tests("load.duration_and_load", "min_duration_s", lib.items("load"))
}

deny contains result if {
	result := _unjudged_tests("load.duration_and_load", "min_vus", [item | some item in lib.items("load"); _ = item.data.vus_max])
}

checked contains result if {
	some item in lib.items("load")
	item.data.duration_ms >= _limits.min_duration_s * 1000
	result := _duration_result(item)
}

checked contains result if {
	some item in lib.items("load")
	item.data.vus_max >= _limits.min_vus
	result := _vus_result(item)
}

checked contains result if {
	some item in lib.items("load")
	item.data.totals.requests > 0
	result := _requests_result(item)
}

# METADATA
# title: Load tool thresholds held
# description: >-
#   Every pass/fail threshold defined in the load tool itself (k6 thresholds, Gatling assertions) held:
#   the team's own budget for the test is a release criterion too.
# custom:
#   id: load.native_thresholds
#   severity: high
#   requires: [load]
#   remediation: >-
#     Fix what the failing threshold measures (named in the result), or change the threshold in the
#     test script through review if it no longer reflects the service's budget.
deny contains result if {
	some item in lib.items("load")
	some index, threshold in item.data.thresholds
	threshold.ok == false
	result := _native_threshold_result(item, index, threshold)
}

checked contains result if {
	some item in lib.items("load")
	some index, threshold in item.data.thresholds
	threshold.ok == true
	result := _native_threshold_result(item, index, threshold)
}

# METADATA
# title: Load tool checks passed
# description: >-
#   Every check defined in the load tool (k6 checks, JMeter assertions) held on every request. A
#   failing check often means wrong responses that the error rate does not count (a 200 with an error
#   page), so it warns.
# custom:
#   id: load.native_checks
#   severity: low
#   requires: [load]
#   remediation: >-
#     Look at the responses the failing check rejected (named in the result) and fix the service or
#     the check.
warn contains result if {
	some item in lib.items("load")
	some index, check in item.data.checks
	check.fails > 0
	result := _native_check_result(item, index, check)
}

checked contains result if {
	some item in lib.items("load")
	some index, check in item.data.checks
	check.fails == 0
	result := _native_check_result(item, index, check)
}

# METADATA
# title: Load thresholds are well-formed
# description: >-
#   The load thresholds that apply to this evaluation (p95_ms, p99_ms, max_error_rate_bp,
#   expected_peak_rps, headroom_pct, min_duration_s and min_vus, from the service, the tier or the
#   defaults) are set and are non-negative integers, max_error_rate_bp at most 10000;
#   endpoint_overrides map endpoint keys to mappings of p95_ms, p99_ms and max_error_rate_bp; no
#   unknown name is set; and a tier the bundle names is listed under tiers. It is as severe as the most
#   severe criterion it guards, short of load.error_rate which fails by itself on a broken budget, and
#   it needs no evidence.
# custom:
#   id: load.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/load.yaml or in the
#     --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _scalar_names
	setting := _setting(name)
	_valid(name, setting.value)
	result := _rule_data_checked(name, setting)
}

checked contains result if {
	some setting in _override_settings
	_valid(setting.name, setting.value)
	result := _rule_data_checked(setting.name, setting)
}

# --- where thresholds are set --------------------------------------------------------------------

_scalar_names := ["expected_peak_rps", "headroom_pct", "max_error_rate_bp", "min_duration_s", "min_vus", "p95_ms", "p99_ms"]

# _override_names are the budgets an endpoint override may set.
_override_names := ["max_error_rate_bp", "p95_ms", "p99_ms"]

_known_names := array.concat(["endpoint_overrides"], _scalar_names)

_percentiles := ["p95", "p99"]

_service := input.subject.service if is_string(input.subject.service)

# _levels lists the places load thresholds apply from, most specific first, each with the mapping found
# there, e.g.
#   [{"path": ["services", "checkout", "load"], "settings": {"expected_peak_rps": 250}},
#    {"path": ["tiers", "critical", "load"], "settings": {"p95_ms": 300}},
#    {"path": ["default", "load"], "settings": {"p95_ms": 500, ...}}]
_levels := array.concat(array.concat(_service_level, _tier_level), _default_level)

_service_level := [{"path": ["services", _service, "load"], "settings": settings}] if {
	settings := data.readiness.thresholds.services[_service].load
} else := []

_tier_level := [{"path": ["tiers", lib.tier, "load"], "settings": settings}] if {
	settings := data.readiness.thresholds.tiers[lib.tier].load
} else := []

_default_level := [{"path": ["default", "load"], "settings": settings}] if {
	settings := data.readiness.thresholds.default.load
} else := []

# _settings lists the settings of a general threshold, most specific first, each with its path under
# data.readiness.thresholds, e.g. [{"path": ["tiers", "critical", "load", "p95_ms"], "value": 300},
# {"path": ["default", "load", "p95_ms"], "value": 500}]; _setting is the first, the one that applies.
_settings(name) := [{"path": array.concat(level.path, [name]), "value": value} |
	some level in _levels
	value := level.settings[name]
]

_setting(name) := _settings(name)[0]

# _endpoint_setting is the budget `name` of a measured target with these override keys: its most
# specific endpoint override (by level, then "METHOD name" before name), else the general setting.
# Not written with `else`: regorus does not fall through to `else` when the value in the head is
# undefined (an empty list's [0]), OPA does.
_endpoint_setting(keys, name) := array.concat(_endpoint_overrides(keys, name), _settings(name))[0]

_endpoint_overrides(keys, name) := [{"path": array.concat(level.path, ["endpoint_overrides", key, name]), "value": value} |
	some level in _override_levels
	some key in keys
	value := level.overrides[key][name]
]

# _override_levels are the levels that set endpoint_overrides, most specific first, e.g.
#   [{"path": ["services", "checkout", "load"], "overrides": {"POST /checkout": {"p95_ms": 800}}}]
_override_levels := [{"path": level.path, "overrides": overrides} |
	some level in _levels
	overrides := level.settings.endpoint_overrides
	is_object(overrides)
]

# _limits holds the valid general thresholds as integers (50.0 in YAML becomes 50), e.g.
#   {"expected_peak_rps": 100, "headroom_pct": 200, "max_error_rate_bp": 10, ...}
# An invalid or missing threshold is absent: the criterion reading it reports that it cannot judge.
_limits := {name: floor(setting.value) |
	some name in _scalar_names
	setting := _setting(name)
	_valid(name, setting.value)
}

# _budget is the valid budget `name` of a target as an integer; undefined when missing or invalid.
_budget(target, name) := floor(setting.value) if {
	setting := _endpoint_setting(target.keys, name)
	_valid(name, setting.value)
}

_has_budget(target, name) if {
	_ = _budget(target, name)
}

# _budget_path is where the budget of a target is set, or where a missing one belongs.
_budget_path(target, name) := setting.path if {
	setting := _endpoint_setting(target.keys, name)
} else := ["default", "load", name]

# _required_mrps is the throughput the test must reach, in milli-requests per second:
# expected_peak_rps x headroom_pct / 100 x 1000.
_required_mrps := (_limits.expected_peak_rps * _limits.headroom_pct) * 10

# _source names where a setting comes from, for messages: "tier critical", "defaults",
# "service checkout, endpoint override POST /checkout".
_source(path) := sprintf("%s, endpoint override %s", [_level_name(path), path[count(path) - 2]]) if {
	path[count(path) - 3] == "endpoint_overrides"
} else := _level_name(path)

_level_name(path) := sprintf("service %s", [path[1]]) if path[0] == "services"

_level_name(path) := sprintf("tier %s", [path[1]]) if path[0] == "tiers"

_level_name(path) := "defaults" if path[0] == "default"

# --- what is measured ----------------------------------------------------------------------------

# _endpoint_targets are the endpoints of every load test, with the keys their overrides may use, e.g.
#   {"item": "load-k6", "path": ["data", "endpoints", 3], "label": "POST /checkout",
#    "keys": ["POST /checkout", "/checkout"], "traffic": {"requests": 1000, ...}}
_endpoint_targets contains target if {
	some item in lib.items("load")
	some index, endpoint in item.data.endpoints
	target := {
		"item": item.id, "path": ["data", "endpoints", index], "label": _label(endpoint),
		"keys": _keys(endpoint), "traffic": endpoint,
	}
}

# _totals_target is a whole test, judged against the general budgets only (no keys).
_totals_target(item) := {
	"item": item.id, "path": ["data", "totals"], "label": "all requests",
	"keys": [], "traffic": item.data.totals,
}

# Latency is judged per endpoint, or over all requests when a test reports no endpoints: the overall
# percentiles mix endpoints with different budgets.
_latency_targets contains target if {
	some target in _endpoint_targets
}

_latency_targets contains _totals_target(item) if {
	some item in lib.items("load")
	count(item.data.endpoints) == 0
}

_error_targets := _endpoint_targets | {_totals_target(item) | some item in lib.items("load")}

_label(endpoint) := concat(" ", [endpoint.method, endpoint.name]) if is_string(endpoint.method) else := endpoint.name

_keys(endpoint) := [_label(endpoint), endpoint.name] if is_string(endpoint.method) else := [endpoint.name]

_has_latency(target, percentile) if {
	_ = target.traffic.latency_us[percentile]
}

_has_throughput(item) if {
	_ = item.data.totals.throughput_mrps
}

# --- latency -------------------------------------------------------------------------------------

_latency_criterion := {"p95": "load.latency_p95", "p99": "load.latency_p99"}

_budget_name(percentile) := concat("", [percentile, "_ms"])

_latency_violations(percentile) := ((over | unreported) | unjudged) if {
	name := _budget_name(percentile)
	over := {_latency_result(target, percentile) |
		some target in _latency_targets
		target.traffic.latency_us[percentile] > _budget(target, name) * 1000
	}
	unreported := {_unreported_result(target, percentile) |
		some target in _latency_targets
		not _has_latency(target, percentile)
	}
	unjudged := _unjudged_budgets(_latency_criterion[percentile], name, _latency_targets)
}

_latency_passes(percentile) := {_latency_result(target, percentile) |
	some target in _latency_targets
	target.traffic.latency_us[percentile] <= _budget(target, _budget_name(percentile)) * 1000
}

_latency_result(target, percentile) := lib.result(
	_latency_criterion[percentile], target.item, lib.pointer(array.concat(target.path, ["latency_us", percentile])),
	target.traffic.latency_us[percentile], "<=", budget * 1000,
	sprintf("%s latency of %s in %s is %s ms; budget %d ms (%s)", [
		percentile, target.label, target.item, _thousandths(target.traffic.latency_us[percentile]),
		budget, _source(setting.path),
	]),
) if {
	name := _budget_name(percentile)
	setting := _endpoint_setting(target.keys, name)
	_valid(name, setting.value)
	budget := floor(setting.value)
}

_unreported_result(target, percentile) := lib.result(
	_latency_criterion[percentile], target.item, lib.pointer(array.concat(target.path, ["latency_us", percentile])),
	null, "!=", null,
	sprintf("cannot judge %s in %s: it reports no %s latency (see load.latency_percentiles)", [
		target.label, target.item, percentile,
	]),
)

_percentile_result(target, percentile, value) := lib.result(
	"load.latency_percentiles", target.item, lib.pointer(array.concat(target.path, ["latency_us", percentile])),
	value, "!=", null, sprintf("%s in %s reports no %s latency", [target.label, target.item, percentile]),
) if value == null

_percentile_result(target, percentile, value) := lib.result(
	"load.latency_percentiles", target.item, lib.pointer(array.concat(target.path, ["latency_us", percentile])),
	value, "!=", null, sprintf("%s in %s reports its %s latency (%s ms)", [target.label, target.item, percentile, _thousandths(value)]),
) if value != null

# --- error rate, throughput, duration ------------------------------------------------------------

_error_result(target) := lib.result(
	"load.error_rate", target.item, lib.pointer(array.concat(target.path, ["error_rate_bp"])),
	target.traffic.error_rate_bp, "<=", budget,
	sprintf("error rate of %s in %s is %s (%d of %d requests failed); budget %s (%s)", [
		target.label, target.item, lib.percent(target.traffic.error_rate_bp),
		target.traffic.failures, target.traffic.requests, lib.percent(budget),
		_source(setting.path),
	]),
) if {
	setting := _endpoint_setting(target.keys, "max_error_rate_bp")
	_valid("max_error_rate_bp", setting.value)
	budget := floor(setting.value)
}

_throughput_result(item) := lib.result(
	"load.throughput", item.id, "/data/totals/throughput_mrps", item.data.totals.throughput_mrps, ">=", _required_mrps,
	sprintf("%s sustained %s rps; it needs %s rps: expected peak %d rps (%s) x %d%% headroom (%s)", [
		item.id, _thousandths(item.data.totals.throughput_mrps), _thousandths(_required_mrps),
		_limits.expected_peak_rps, _source(_setting("expected_peak_rps").path),
		_limits.headroom_pct, _source(_setting("headroom_pct").path),
	]),
)

_duration_result(item) := lib.result(
	"load.duration_and_load", item.id, "/data/duration_ms", item.data.duration_ms, ">=", _limits.min_duration_s * 1000,
	sprintf("%s ran for %s s; it needs at least %d s (%s)", [
		item.id, _thousandths(item.data.duration_ms), _limits.min_duration_s, _source(_setting("min_duration_s").path),
	]),
)

_vus_result(item) := lib.result(
	"load.duration_and_load", item.id, "/data/vus_max", item.data.vus_max, ">=", _limits.min_vus,
	sprintf("%s reached %d virtual users; it needs at least %d (%s)", [
		item.id, item.data.vus_max, _limits.min_vus, _source(_setting("min_vus").path),
	]),
)

_requests_result(item) := lib.result(
	"load.duration_and_load", item.id, "/data/totals/requests", item.data.totals.requests, ">=", 1,
	sprintf("%s sent %d requests", [item.id, item.data.totals.requests]),
) if {
	item.data.totals.requests > 0
} else := lib.result(
	"load.duration_and_load", item.id, "/data/totals/requests", 0, ">=", 1,
	sprintf("%s sent no requests: the test did not exercise the service", [item.id]),
)

# --- tool-native thresholds and checks -----------------------------------------------------------

_native_threshold_result(item, index, threshold) := lib.result(
	"load.native_thresholds", item.id, lib.pointer(["data", "thresholds", index, "ok"]), threshold.ok, "==", true,
	sprintf("threshold %s %s in %s %s", [threshold.metric, threshold.expression, item.id, _held(threshold.ok)]),
)

_held(true) := "held"

_held(false) := "failed"

_native_check_result(item, index, check) := lib.result(
	"load.native_checks", item.id, lib.pointer(["data", "checks", index, "fails"]), check.fails, "<=", 0,
	sprintf("check %s in %s failed %d of %d times", [check.name, item.id, check.fails, check.passes + check.fails]),
)

# --- criteria that cannot judge ------------------------------------------------------------------

# _unjudged_tests is the result of a criterion that cannot judge the given load tests because the
# threshold `name` is missing or invalid: it fails instead of passing unchecked. Without tests to
# judge there is no result: the host reports insufficient_evidence.
_unjudged_tests(criterion, name, tests) := _unjudged(
	criterion, name, _setting_path(name),
	sprintf("%d load test(s)", [count(tests)]),
) if {
	count(tests) > 0
	not _has_limit(name)
}

# _unjudged_budgets is one result per missing or invalid budget that some targets need, e.g. an invalid
# endpoint override leaves that endpoint unjudged while the others are judged.
_unjudged_budgets(criterion, name, targets) := {_unjudged(criterion, name, path, what) |
	some target in targets
	not _has_budget(target, name)
	path := _budget_path(target, name)
	same_path := {t | some t in targets; not _has_budget(t, name); _budget_path(t, name) == path}
	what := sprintf("%d measurement(s)", [count(same_path)])
}

_unjudged(criterion, name, path, what) := lib.result(
	criterion, null, _data_pointer(path), _raw(path), "in", _expected(name),
	sprintf("cannot judge %s: load threshold %s (%s) is missing or invalid (see load.rule_data)", [what, name, _source(path)]),
)

_has_limit(name) if {
	_ = _limits[name]
}

_setting_path(name) := _setting(name).path if {
	_ = _setting(name)
} else := ["default", "load", name]

# _raw is the value set at a path under data.readiness.thresholds; null when nothing is set there.
_raw(path) := setting.value if {
	some setting in _override_settings
	setting.path == path
} else := setting.value if {
	setting := _setting(path[count(path) - 1])
	setting.path == path
} else := null

# --- rule data -----------------------------------------------------------------------------------

# _override_settings lists every endpoint budget set in the levels that apply, e.g.
#   {"path": ["services", "checkout", "load", "endpoint_overrides", "POST /checkout", "p95_ms"],
#    "name": "p95_ms", "value": 800}
_override_settings := [setting |
	some level in _override_levels
	some key, entry in level.overrides
	some name in _override_names
	setting := {"path": array.concat(level.path, ["endpoint_overrides", key, name]), "name": name, "value": entry[name]}
]

# _data_pointer is the JSON pointer, into data.readiness, of a path under data.readiness.thresholds.
_data_pointer(path) := lib.pointer(array.concat(["thresholds"], path))

# _mappings are the places under data.readiness.thresholds that must be mappings when set, by JSON
# pointer: a list or a number there would otherwise be skipped silently.
_mappings[_data_pointer(["services"])] := data.readiness.thresholds.services

_mappings[_data_pointer(["services", _service])] := data.readiness.thresholds.services[_service]

_mappings[_data_pointer(level.path)] := level.settings if {
	some level in _levels
}

_mappings[_data_pointer(array.concat(level.path, ["endpoint_overrides"]))] := overrides if {
	some level in _levels
	overrides := level.settings.endpoint_overrides
}

_mappings[_data_pointer(array.concat(level.path, ["endpoint_overrides", key]))] := entry if {
	some level in _override_levels
	some key, entry in level.overrides
}

_rule_data_violations contains result if {
	some pointer, value in _mappings
	not is_object(value)
	result := lib.result("load.rule_data", null, pointer, value, "in", "mapping",
		sprintf("%s under data.readiness must be a mapping", [pointer]))
}

_rule_data_violations contains result if {
	some level in _levels
	is_object(level.settings)
	some name, value in level.settings
	not name in _known_names
	result := lib.result("load.rule_data", null, _data_pointer(array.concat(level.path, [name])), value, "in", _known_names,
		sprintf("%s is not a load threshold (%s)", [name, _level_name(level.path)]))
}

_rule_data_violations contains result if {
	some level in _override_levels
	some key, entry in level.overrides
	is_object(entry)
	some name, value in entry
	not name in _override_names
	path := array.concat(level.path, ["endpoint_overrides", key, name])
	result := lib.result("load.rule_data", null, _data_pointer(path), value, "in", _override_names,
		sprintf("%s is not an endpoint budget (%s)", [name, _source(path)]))
}

_rule_data_violations contains result if {
	some name in _scalar_names
	not _setting(name)
	result := lib.result("load.rule_data", null, _data_pointer(["default", "load", name]), null, "in", _expected(name),
		sprintf("load threshold %s is set neither for service, nor for tier %s, nor in the defaults", [name, lib.tier]))
}

_rule_data_violations contains result if {
	some name in _scalar_names
	setting := _setting(name)
	not _valid(name, setting.value)
	result := _rule_data_invalid(name, setting)
}

_rule_data_violations contains result if {
	some setting in _override_settings
	not _valid(setting.name, setting.value)
	result := _rule_data_invalid(setting.name, setting)
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("load.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

_rule_data_checked(name, setting) := lib.result(
	"load.rule_data", null, _data_pointer(setting.path), floor(setting.value), "in", _expected(name),
	sprintf("load threshold %s is %d (%s)", [name, floor(setting.value), _source(setting.path)]),
)

_rule_data_invalid(name, setting) := lib.result(
	"load.rule_data", null, _data_pointer(setting.path), setting.value, "in", _expected(name),
	sprintf("load threshold %s (%s) %s: it must be a %s", [name, _source(setting.path), _problem(name, setting.value), _expected(name)]),
)

# _maxima holds the upper bound of the thresholds that have one (basis points cannot exceed 100 %).
_maxima := {"max_error_rate_bp": 10000}

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

# --- formatting ----------------------------------------------------------------------------------

# _thousandths formats a non-negative integer count of thousandths without floats: 812431 -> "812.431",
# 812500 -> "812.5", 30000 -> "30" (microseconds as milliseconds, milliseconds as seconds,
# milli-requests as requests).
_thousandths(n) := format_int(lib.floor_div(n, 1000), 10) if n % 1000 == 0

_thousandths(n) := sprintf("%s.%s", [format_int(lib.floor_div(n, 1000), 10), _fraction(n % 1000)]) if n % 1000 != 0

# _fraction is 1..999 thousandths as decimals without trailing zeros: 5 -> "005", 500 -> "5".
_fraction(n) := trim_right(substring(format_int(n + 1000, 10), 1, 3), "0")
