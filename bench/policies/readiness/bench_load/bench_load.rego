# METADATA
# scope: package
# title: Load test results (benchmark)
# description: >-
#   Bench-only criteria over the `load` evidence kind (schema load/v1), written in the built-in
#   library's style for bench/policy_engines.py: p95 and p99 latency budgets and the error rate, judged
#   per endpoint. Each load item is one load test; data.endpoints holds name, method, requests,
#   failures, error_rate_bp and latency_us (p50, p90, p95, p99, max), all integers. Budgets are in
#   milliseconds in data.readiness.thresholds (bench/policies/data/thresholds.yaml, kind bench_load):
#   the tier's value, unless endpoint_overrides["<METHOD> <name>"] sets one for that endpoint.
package readiness.bench_load

import data.readiness.lib

# METADATA
# title: p95 latency within budget
# description: >-
#   Every endpoint's 95th percentile latency under load is within its budget (p95_ms, or the
#   endpoint's override).
# custom:
#   id: bench_load.latency_p95
#   severity: high
#   requires: [load]
#   remediation: >-
#     Profile the slow endpoints named in the results; raise an endpoint's budget only with an
#     approved override in the thresholds.
deny contains result if {
	some item in lib.items("load")
	some i in _over_budget(item, "p95", "p95_ms")
	result := _latency_result("bench_load.latency_p95", item, i, "p95", "p95_ms")
}

checked contains result if {
	some item in lib.items("load")
	count(_over_budget(item, "p95", "p95_ms")) == 0
	result := _latency_checked("bench_load.latency_p95", item, "p95")
}

# METADATA
# title: p99 latency within budget
# description: >-
#   Every endpoint's 99th percentile latency under load is within its budget (p99_ms, or the
#   endpoint's override).
# custom:
#   id: bench_load.latency_p99
#   severity: medium
#   requires: [load]
#   remediation: >-
#     Look for the tail latency of the endpoints named in the results (locks, garbage collection,
#     cold caches, retries).
deny contains result if {
	some item in lib.items("load")
	some i in _over_budget(item, "p99", "p99_ms")
	result := _latency_result("bench_load.latency_p99", item, i, "p99", "p99_ms")
}

checked contains result if {
	some item in lib.items("load")
	count(_over_budget(item, "p99", "p99_ms")) == 0
	result := _latency_checked("bench_load.latency_p99", item, "p99")
}

# METADATA
# title: Error rate within budget
# description: >-
#   Every endpoint's share of failed requests under load, in basis points, is within its budget
#   (max_error_rate_bp, or the endpoint's override).
# custom:
#   id: bench_load.error_rate
#   severity: high
#   requires: [load]
#   remediation: >-
#     Fix the failing requests of the endpoints named in the results; the load tool's output names
#     the status codes and messages.
deny contains result if {
	some item in lib.items("load")
	some i in _erroring(item)
	endpoint := item.data.endpoints[i]
	budget := _budget(endpoint, "max_error_rate_bp")
	result := lib.result(
		"bench_load.error_rate", item.id, lib.pointer(["data", "endpoints", i, "error_rate_bp"]),
		endpoint.error_rate_bp, "<=", budget,
		sprintf("%s failed %d of %d requests (%s) in %s; its budget is %s%s", [
			_key(endpoint), endpoint.failures, endpoint.requests, lib.percent(endpoint.error_rate_bp), item.id,
			lib.percent(budget), _override_note(endpoint, "max_error_rate_bp"),
		]),
	)
}

checked contains result if {
	some item in lib.items("load")
	count(_erroring(item)) == 0
	result := lib.result(
		"bench_load.error_rate", item.id, "/data/endpoints", 0, "<=", 0,
		sprintf("all %d endpoints in %s are within their error rate budgets (highest %s)", [
			count(item.data.endpoints), item.id, lib.percent(max([ep.error_rate_bp | some ep in item.data.endpoints])),
		]),
	)
}

# --- budgets -------------------------------------------------------------------------------------

# _limits holds the tier's budgets that are non-negative integers, e.g.
#   {"p95_ms": 300, "p99_ms": 1000, "max_error_rate_bp": 50}
_limits := {name: value |
	some name in ["max_error_rate_bp", "p95_ms", "p99_ms"]
	value := lib.threshold("bench_load", name)
	lib.is_count(value)
}

# _overrides maps "<METHOD> <name>" to that endpoint's budgets; {} when none are set.
_overrides := value if {
	value := lib.threshold("bench_load", "endpoint_overrides")
	is_object(value)
} else := {}

# _budget is budget `name` of an endpoint: its override when there is one, else the tier's.
_budget(endpoint, name) := value if {
	value := _overrides[_key(endpoint)][name]
} else := _limits[name]

_key(endpoint) := concat(" ", [endpoint.method, endpoint.name]) if {
	is_string(endpoint.method)
} else := endpoint.name

# --- endpoints -----------------------------------------------------------------------------------

# _over_budget is the indices of the item's endpoints whose latency percentile (in microseconds)
# exceeds the budget `name` (in milliseconds).
_over_budget(item, percentile, name) := [i |
	some i, endpoint in item.data.endpoints
	endpoint.latency_us[percentile] > _budget(endpoint, name) * 1000
]

# _erroring is the indices of the item's endpoints whose error rate exceeds its budget.
_erroring(item) := [i |
	some i, endpoint in item.data.endpoints
	endpoint.error_rate_bp > _budget(endpoint, "max_error_rate_bp")
]

# --- results -------------------------------------------------------------------------------------

# Latency results compare microseconds, the unit at the pointer: the threshold is the budget x 1000.
_latency_result(criterion, item, i, percentile, name) := lib.result(
	criterion, item.id, lib.pointer(["data", "endpoints", i, "latency_us", percentile]),
	endpoint.latency_us[percentile], "<=", budget * 1000,
	sprintf("%s %s %s exceeds its %d ms budget%s in %s (%d requests)", [
		_key(endpoint), percentile, _ms(endpoint.latency_us[percentile]), budget,
		_override_note(endpoint, name), item.id, endpoint.requests,
	]),
) if {
	endpoint := item.data.endpoints[i]
	budget := _budget(endpoint, name)
}

_latency_checked(criterion, item, percentile) := lib.result(
	criterion, item.id, "/data/endpoints", 0, "<=", 0,
	sprintf("all %d endpoints in %s are within their %s budgets (slowest %s)", [
		count(item.data.endpoints), item.id, percentile,
		_ms(max([endpoint.latency_us[percentile] | some endpoint in item.data.endpoints])),
	]),
)

_override_note(endpoint, name) := " (endpoint override)" if {
	_ = _overrides[_key(endpoint)][name]
} else := ""

# _ms formats microseconds as milliseconds with three decimals, without floats: 812345 -> "812.345 ms".
_ms(us) := sprintf("%d.%s ms", [lib.floor_div(us, 1000), _three_digits(us % 1000)])

_three_digits(n) := sprintf("00%d", [n]) if n < 10

_three_digits(n) := sprintf("0%d", [n]) if {
	n >= 10
	n < 100
}

_three_digits(n) := format_int(n, 10) if n >= 100
