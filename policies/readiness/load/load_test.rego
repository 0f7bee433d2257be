package readiness.load_test

import data.readiness.load

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"load": {
		"p95_ms": 500, "p99_ms": 1000, "max_error_rate_bp": 100, "expected_peak_rps": 10, "headroom_pct": 150,
		"min_duration_s": 300, "min_vus": 10,
		"endpoint_overrides": {"GET /health": {"p95_ms": 50}},
	}},
	"tiers": {
		"critical": {"load": {
			"p95_ms": 300, "p99_ms": 800, "max_error_rate_bp": 10, "expected_peak_rps": 100, "headroom_pct": 200,
			"min_duration_s": 1800, "min_vus": 100,
		}},
		"standard": {},
	},
	"services": {"checkout": {"load": {
		"expected_peak_rps": 250,
		"endpoint_overrides": {
			"POST /checkout": {"p95_ms": 800, "p99_ms": 2000},
			"/search": {"max_error_rate_bp": 200},
		},
	}}},
}

# _with_load is _thresholds with the default load thresholds replaced by `settings`, in tier "broken".
_with_load(settings) := {"default": {"load": settings}, "tiers": {"broken": {}}}

# _override is _thresholds plus a tier "broken" that sets one load threshold.
_override(name, value) := {
	"default": _thresholds.default,
	"tiers": {"broken": {"load": {name: value}}},
}

_latency(p95, p99) := {"min": 2100, "mean": 95000, "p50": 80000, "p90": p95, "p95": p95, "p99": p99, "max": p99 + 400000}

_endpoint(method, name, requests, failures, error_rate_bp, latency) := {
	"name": name, "method": method, "requests": requests, "failures": failures, "error_rate_bp": error_rate_bp,
	"throughput_mrps": floor((requests * 1000) / 600), "latency_us": latency,
}

_endpoints := [
	_endpoint("GET", "/cart", 60000, 0, 0, _latency(120500, 300000)),
	_endpoint("POST", "/checkout", 20000, 12, 6, _latency(450000, 900000)),
	_endpoint("GET", "/products", 40000, 0, 0, _latency(250000, 700000)),
]

# A ten-minute k6 test of 120,000 requests at 200 rps with 50 virtual users: it passes every criterion
# for tier default.
_data := {
	"duration_ms": 600000,
	"vus_max": 50,
	"percentiles": "tool",
	"totals": {
		"requests": 120000, "failures": 12, "error_rate_bp": 1, "throughput_mrps": 200000,
		"latency_us": _latency(210000, 480000),
	},
	"endpoints": _endpoints,
	"checks": [{"name": "status is 200", "passes": 120000, "fails": 0}],
	"thresholds": [{"metric": "http_req_duration", "expression": "p(95)<500", "ok": true}],
}

_item(id, load_data) := {
	"id": id,
	"kind": "load",
	"schema": "load/v1",
	"collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": "k6", "format": "k6-summary-export", "file": "reports/summary.json", "sha256": "00"},
	"collector": {"name": "readiness", "version": "0.1.0"},
	"data": load_data,
}

# _patched is _data with top-level fields replaced (object.union alone would merge nested objects).
_patched(patch) := object.union(object.remove(_data, object.keys(patch)), patch)

_good := _item("load-k6", _data)

_input(tier, service, items) := {
	"subject": {"service": service, "version": "1.42.0", "tier": tier},
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": 1795795200, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"load": items},
}

# Inputs without load evidence: the host makes the criteria insufficient_evidence; the policy says nothing.
_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"load": []}},
	{"tier": "critical", "evidence": {"tests": [{"id": "tests-unit", "kind": "tests", "data": {}}]}},
]

_criteria := [
	"load.latency_p95", "load.latency_p99", "load.latency_percentiles", "load.error_rate", "load.throughput",
	"load.duration_and_load", "load.native_thresholds", "load.native_checks",
]

_deny(criterion, inp, thresholds) := results if {
	results := {r | some r in load.deny; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_warn(criterion, inp, thresholds) := results if {
	results := {r | some r in load.warn; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_checked(criterion, inp, thresholds) := results if {
	results := {r | some r in load.checked; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_pointers(results) := {r.pointer | some r in results}

# --- the whole package ----------------------------------------------------------------------------

test_good_test_passes_every_criterion if {
	inp := _input("default", "cart", [_good])
	every criterion in _criteria {
		_deny(criterion, inp, _thresholds) == set()
		_warn(criterion, inp, _thresholds) == set()
		count(_checked(criterion, inp, _thresholds)) > 0
	}
}

test_missing_evidence_reports_nothing if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp, _thresholds) == set()
			_warn(criterion, inp, _thresholds) == set()
			_checked(criterion, inp, _thresholds) == set()
		}
	}
}

test_broken_thresholds_without_evidence_report_nothing if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp, {}) == set()
			_warn(criterion, inp, {}) == set()
		}
	}
}

# --- load.latency_p95 -----------------------------------------------------------------------------

test_latency_p95_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.latency_p95", inp, _thresholds) == set()
	checked := _checked("load.latency_p95", inp, _thresholds)
	_pointers(checked) == {
		"/data/endpoints/0/latency_us/p95", "/data/endpoints/1/latency_us/p95", "/data/endpoints/2/latency_us/p95",
	}
	{
		"criterion": "load.latency_p95",
		"msg": "p95 latency of GET /cart in load-k6 is 120.5 ms; budget 500 ms (defaults)",
		"observed": 120500, "comparator": "<=", "threshold": 500000,
		"evidence": "load-k6", "pointer": "/data/endpoints/0/latency_us/p95",
	} in checked
}

test_latency_p95_fail_exact_result if {
	# Tier critical allows 300 ms: POST /checkout (450 ms) fails, the others pass.
	inp := _input("critical", "cart", [_good])
	_deny("load.latency_p95", inp, _thresholds) == {{
		"criterion": "load.latency_p95",
		"msg": "p95 latency of POST /checkout in load-k6 is 450 ms; budget 300 ms (tier critical)",
		"observed": 450000, "comparator": "<=", "threshold": 300000,
		"evidence": "load-k6", "pointer": "/data/endpoints/1/latency_us/p95",
	}}
	_pointers(_checked("load.latency_p95", inp, _thresholds)) == {"/data/endpoints/0/latency_us/p95", "/data/endpoints/2/latency_us/p95"}
}

test_latency_p95_tier_override_applies if {
	_deny("load.latency_p95", _input("default", "cart", [_good]), _thresholds) == set()
	_deny("load.latency_p95", _input("standard", "cart", [_good]), _thresholds) == set()
	some r in _deny("load.latency_p95", _input("critical", "cart", [_good]), _thresholds)
	r.threshold == 300000
}

test_latency_p95_service_endpoint_override_applies if {
	# Service checkout allows POST /checkout 800 ms, even in tier critical; its other endpoints keep 300 ms.
	inp := _input("critical", "checkout", [_good])
	_deny("load.latency_p95", inp, _thresholds) == set()
	some r in _checked("load.latency_p95", inp, _thresholds)
	r.pointer == "/data/endpoints/1/latency_us/p95"
	r.threshold == 800000
	r.msg == "p95 latency of POST /checkout in load-k6 is 450 ms; budget 800 ms (service checkout, endpoint override POST /checkout)"
}

test_latency_p95_default_endpoint_override_exact_result if {
	# The defaults give GET /health 50 ms: 50.001 ms fails, whatever the tier.
	health := _endpoint("GET", "/health", 6000, 0, 0, _latency(50001, 90000))
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": array.concat(_endpoints, [health])}))])
	_deny("load.latency_p95", inp, _thresholds) == {{
		"criterion": "load.latency_p95",
		"msg": "p95 latency of GET /health in load-k6 is 50.001 ms; budget 50 ms (defaults, endpoint override GET /health)",
		"observed": 50001, "comparator": "<=", "threshold": 50000,
		"evidence": "load-k6", "pointer": "/data/endpoints/3/latency_us/p95",
	}}
}

test_latency_p95_override_by_method_and_name_wins_over_name if {
	thresholds := _with_load(object.union(_thresholds.default.load, {"endpoint_overrides": {
		"/checkout": {"p95_ms": 100},
		"POST /checkout": {"p95_ms": 600},
	}}))
	inp := _input("broken", "cart", [_good])
	_deny("load.latency_p95", inp, thresholds) == set()
	some r in _checked("load.latency_p95", inp, thresholds)
	r.pointer == "/data/endpoints/1/latency_us/p95"
	r.threshold == 600000
}

test_latency_p95_override_by_name_matches_any_method if {
	thresholds := _with_load(object.union(_thresholds.default.load, {"endpoint_overrides": {"/checkout": {"p95_ms": 400}}}))
	some r in _deny("load.latency_p95", _input("broken", "cart", [_good]), thresholds)
	r.threshold == 400000
	r.msg == "p95 latency of POST /checkout in load-k6 is 450 ms; budget 400 ms (defaults, endpoint override /checkout)"
}

test_latency_p95_override_of_an_endpoint_without_method if {
	bare := {
		"name": "checkout", "requests": 100, "failures": 0, "error_rate_bp": 0,
		"latency_us": {"p95": 700000, "p99": 900000},
	}
	thresholds := _with_load(object.union(_thresholds.default.load, {"endpoint_overrides": {"checkout": {"p95_ms": 750}}}))
	inp := _input("broken", "cart", [_item("load-locust", _patched({"endpoints": [bare]}))])
	_deny("load.latency_p95", inp, thresholds) == set()
	some r in _checked("load.latency_p95", inp, thresholds)
	r.msg == "p95 latency of checkout in load-locust is 700 ms; budget 750 ms (defaults, endpoint override checkout)"
}

test_latency_p95_service_override_beats_tier_and_default if {
	thresholds := {
		"default": {"load": object.union(_thresholds.default.load, {"p95_ms": 100})},
		"tiers": {"critical": {"load": {"p95_ms": 200}}},
		"services": {"cart": {"load": {"p95_ms": 460}}},
	}
	_deny("load.latency_p95", _input("critical", "cart", [_good]), thresholds) == set()
	_pointers(_deny("load.latency_p95", _input("critical", "search", [_good]), thresholds)) == {
		"/data/endpoints/1/latency_us/p95", "/data/endpoints/2/latency_us/p95",
	}
}

test_latency_p95_boundary_passes if {
	at := _endpoint("GET", "/cart", 10, 0, 0, _latency(500000, 500000))
	over := _endpoint("GET", "/slow", 10, 0, 0, _latency(500001, 500001))
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": [at, over]}))])
	_pointers(_deny("load.latency_p95", inp, _thresholds)) == {"/data/endpoints/1/latency_us/p95"}
	_pointers(_checked("load.latency_p95", inp, _thresholds)) == {"/data/endpoints/0/latency_us/p95"}
}

test_latency_p95_missing_percentile_fails_exact_result if {
	health := {"name": "/health", "method": "GET", "requests": 600, "failures": 0, "error_rate_bp": 0, "latency_us": {"mean": 1200}}
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": array.concat(_endpoints, [health])}))])
	_deny("load.latency_p95", inp, _thresholds) == {{
		"criterion": "load.latency_p95",
		"msg": "cannot judge GET /health in load-k6: it reports no p95 latency (see load.latency_percentiles)",
		"observed": null, "comparator": "!=", "threshold": null,
		"evidence": "load-k6", "pointer": "/data/endpoints/3/latency_us/p95",
	}}
	count(_checked("load.latency_p95", inp, _thresholds)) == 3
}

test_latency_p95_without_endpoints_judges_all_requests if {
	inp := _input("critical", "cart", [_item("load-jmeter", _patched({"endpoints": []}))])
	_deny("load.latency_p95", inp, _thresholds) == set()
	_checked("load.latency_p95", inp, _thresholds) == {{
		"criterion": "load.latency_p95",
		"msg": "p95 latency of all requests in load-jmeter is 210 ms; budget 300 ms (tier critical)",
		"observed": 210000, "comparator": "<=", "threshold": 300000,
		"evidence": "load-jmeter", "pointer": "/data/totals/latency_us/p95",
	}}
}

test_latency_p95_judges_each_test if {
	slow := _item("load-k6-soak", _patched({"endpoints": [_endpoint("GET", "/cart", 10, 0, 0, _latency(900000, 990000))]}))
	inp := _input("default", "cart", [_good, slow])
	{[r.evidence, r.pointer] | some r in _deny("load.latency_p95", inp, _thresholds)} == {["load-k6-soak", "/data/endpoints/0/latency_us/p95"]}
	count(_checked("load.latency_p95", inp, _thresholds)) == 3
}

test_latency_p95_broken_budget_exact_result if {
	inp := _input("broken", "cart", [_good])
	_deny("load.latency_p95", inp, _override("p95_ms", "fast")) == {{
		"criterion": "load.latency_p95",
		"msg": "cannot judge 3 measurement(s): load threshold p95_ms (tier broken) is missing or invalid (see load.rule_data)",
		"observed": "fast", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/p95_ms",
	}}
	_checked("load.latency_p95", inp, _override("p95_ms", "fast")) == set()
}

test_latency_p95_broken_endpoint_override_leaves_the_others_judged if {
	thresholds := _with_load(object.union(_thresholds.default.load, {"endpoint_overrides": {"GET /cart": {"p95_ms": -5}}}))
	inp := _input("broken", "cart", [_good])
	_deny("load.latency_p95", inp, thresholds) == {{
		"criterion": "load.latency_p95",
		"msg": "cannot judge 1 measurement(s): load threshold p95_ms (defaults, endpoint override GET /cart) is missing or invalid (see load.rule_data)",
		"observed": -5, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/load/endpoint_overrides/GET ~1cart/p95_ms",
	}}
	_pointers(_checked("load.latency_p95", inp, thresholds)) == {"/data/endpoints/1/latency_us/p95", "/data/endpoints/2/latency_us/p95"}
}

test_latency_p95_missing_budget_exact_result if {
	thresholds := _with_load(object.remove(_thresholds.default.load, ["p95_ms"]))
	some r in _deny("load.latency_p95", _input("broken", "cart", [_good]), thresholds)
	r.observed == null
	r.pointer == "/thresholds/default/load/p95_ms"
	r.msg == "cannot judge 3 measurement(s): load threshold p95_ms (defaults) is missing or invalid (see load.rule_data)"
}

# --- load.latency_p99 -----------------------------------------------------------------------------

test_latency_p99_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.latency_p99", inp, _thresholds) == set()
	{
		"criterion": "load.latency_p99",
		"msg": "p99 latency of POST /checkout in load-k6 is 900 ms; budget 1000 ms (defaults)",
		"observed": 900000, "comparator": "<=", "threshold": 1000000,
		"evidence": "load-k6", "pointer": "/data/endpoints/1/latency_us/p99",
	} in _checked("load.latency_p99", inp, _thresholds)
}

test_latency_p99_fail_exact_result if {
	inp := _input("critical", "cart", [_good])
	_deny("load.latency_p99", inp, _thresholds) == {{
		"criterion": "load.latency_p99",
		"msg": "p99 latency of POST /checkout in load-k6 is 900 ms; budget 800 ms (tier critical)",
		"observed": 900000, "comparator": "<=", "threshold": 800000,
		"evidence": "load-k6", "pointer": "/data/endpoints/1/latency_us/p99",
	}}
}

test_latency_p99_endpoint_override_applies if {
	inp := _input("critical", "checkout", [_good])
	_deny("load.latency_p99", inp, _thresholds) == set()
	some r in _checked("load.latency_p99", inp, _thresholds)
	r.threshold == 2000000
	r.pointer == "/data/endpoints/1/latency_us/p99"
}

test_latency_p99_override_of_another_budget_does_not_apply if {
	# GET /health overrides p95_ms only: its p99 gets the general budget.
	health := _endpoint("GET", "/health", 6000, 0, 0, _latency(40000, 1200000))
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": [health]}))])
	some r in _deny("load.latency_p99", inp, _thresholds)
	r.threshold == 1000000
	r.msg == "p99 latency of GET /health in load-k6 is 1200 ms; budget 1000 ms (defaults)"
}

test_latency_p99_missing_percentile_fails if {
	cart := {"name": "/cart", "method": "GET", "requests": 10, "failures": 0, "error_rate_bp": 0, "latency_us": {"p95": 1000}}
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": [cart]}))])
	_deny("load.latency_p95", inp, _thresholds) == set()
	some r in _deny("load.latency_p99", inp, _thresholds)
	r.pointer == "/data/endpoints/0/latency_us/p99"
	r.msg == "cannot judge GET /cart in load-k6: it reports no p99 latency (see load.latency_percentiles)"
}

# --- load.latency_percentiles ---------------------------------------------------------------------

test_latency_percentiles_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.latency_percentiles", inp, _thresholds) == set()
	checked := _checked("load.latency_percentiles", inp, _thresholds)
	count(checked) == 6
	{
		"criterion": "load.latency_percentiles",
		"msg": "GET /cart in load-k6 reports its p95 latency (120.5 ms)",
		"observed": 120500, "comparator": "!=", "threshold": null,
		"evidence": "load-k6", "pointer": "/data/endpoints/0/latency_us/p95",
	} in checked
}

test_latency_percentiles_fail_exact_result if {
	health := {"name": "/health", "method": "GET", "requests": 600, "failures": 0, "error_rate_bp": 0, "latency_us": {"p95": 3000}}
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": [health]}))])
	_deny("load.latency_percentiles", inp, _thresholds) == {{
		"criterion": "load.latency_percentiles",
		"msg": "GET /health in load-k6 reports no p99 latency",
		"observed": null, "comparator": "!=", "threshold": null,
		"evidence": "load-k6", "pointer": "/data/endpoints/0/latency_us/p99",
	}}
	_pointers(_checked("load.latency_percentiles", inp, _thresholds)) == {"/data/endpoints/0/latency_us/p95"}
}

test_latency_percentiles_judge_all_requests_without_endpoints if {
	totals := object.union(object.remove(_data.totals, ["latency_us"]), {"latency_us": {"mean": 4000}})
	inp := _input("default", "cart", [_item("load-gatling", _patched({"endpoints": [], "totals": totals}))])
	_pointers(_deny("load.latency_percentiles", inp, _thresholds)) == {"/data/totals/latency_us/p95", "/data/totals/latency_us/p99"}
}

# --- load.error_rate ------------------------------------------------------------------------------

test_error_rate_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.error_rate", inp, _thresholds) == set()
	checked := _checked("load.error_rate", inp, _thresholds)
	_pointers(checked) == {
		"/data/totals/error_rate_bp", "/data/endpoints/0/error_rate_bp", "/data/endpoints/1/error_rate_bp",
		"/data/endpoints/2/error_rate_bp",
	}
	{
		"criterion": "load.error_rate",
		"msg": "error rate of all requests in load-k6 is 0.01% (12 of 120000 requests failed); budget 1.00% (defaults)",
		"observed": 1, "comparator": "<=", "threshold": 100,
		"evidence": "load-k6", "pointer": "/data/totals/error_rate_bp",
	} in checked
}

test_error_rate_endpoint_fail_exact_result if {
	# Tier critical allows 0.10 %: POST /checkout (0.06 %) and all requests (0.10 %) pass, GET /products
	# (0.25 %) fails.
	products := _endpoint("GET", "/products", 40000, 100, 25, _latency(250000, 700000))
	totals := object.union(_data.totals, {"failures": 112, "error_rate_bp": 10})
	patched := _patched({"endpoints": [_endpoints[0], _endpoints[1], products], "totals": totals})
	inp := _input("critical", "cart", [_item("load-k6", patched)])
	_deny("load.error_rate", inp, _thresholds) == {{
		"criterion": "load.error_rate",
		"msg": "error rate of GET /products in load-k6 is 0.25% (100 of 40000 requests failed); budget 0.10% (tier critical)",
		"observed": 25, "comparator": "<=", "threshold": 10,
		"evidence": "load-k6", "pointer": "/data/endpoints/2/error_rate_bp",
	}}
}

test_error_rate_overall_fail_exact_result if {
	totals := object.union(_data.totals, {"failures": 1800, "error_rate_bp": 150})
	inp := _input("default", "cart", [_item("load-k6", _patched({"totals": totals}))])
	_deny("load.error_rate", inp, _thresholds) == {{
		"criterion": "load.error_rate",
		"msg": "error rate of all requests in load-k6 is 1.50% (1800 of 120000 requests failed); budget 1.00% (defaults)",
		"observed": 150, "comparator": "<=", "threshold": 100,
		"evidence": "load-k6", "pointer": "/data/totals/error_rate_bp",
	}}
}

test_error_rate_tier_override_applies if {
	products := _endpoint("GET", "/products", 40000, 100, 25, _latency(250000, 700000))
	item := _item("load-k6", _patched({"endpoints": [products]}))
	_deny("load.error_rate", _input("default", "cart", [item]), _thresholds) == set()
	some r in _deny("load.error_rate", _input("critical", "cart", [item]), _thresholds)
	r.threshold == 10
	r.observed == 25
}

test_error_rate_endpoint_override_by_name_applies if {
	# Service checkout allows /search (any method) 2 %; the overall budget stays 1 %.
	search := _endpoint("GET", "/search", 10000, 150, 150, _latency(250000, 700000))
	inp := _input("default", "checkout", [_item("load-k6", _patched({"endpoints": [search]}))])
	_deny("load.error_rate", inp, _thresholds) == set()
	some r in _checked("load.error_rate", inp, _thresholds)
	r.pointer == "/data/endpoints/0/error_rate_bp"
	r.threshold == 200
	r.msg == "error rate of GET /search in load-k6 is 1.50% (150 of 10000 requests failed); budget 2.00% (service checkout, endpoint override /search)"
	some other in _deny("load.error_rate", _input("default", "cart", [_item("load-k6", _patched({"endpoints": [search]}))]), _thresholds)
	other.threshold == 100
}

test_error_rate_boundary_passes if {
	products := _endpoint("GET", "/products", 10000, 100, 100, _latency(250000, 700000))
	inp := _input("default", "cart", [_item("load-k6", _patched({"endpoints": [products]}))])
	_deny("load.error_rate", inp, _thresholds) == set()
}

test_error_rate_broken_budget_exact_result if {
	inp := _input("broken", "cart", [_good])
	_deny("load.error_rate", inp, _override("max_error_rate_bp", 20000)) == {{
		"criterion": "load.error_rate",
		"msg": "cannot judge 4 measurement(s): load threshold max_error_rate_bp (tier broken) is missing or invalid (see load.rule_data)",
		"observed": 20000, "comparator": "in", "threshold": "non-negative integer at most 10000",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/max_error_rate_bp",
	}}
	_checked("load.error_rate", inp, _override("max_error_rate_bp", 20000)) == set()
}

# --- load.throughput ------------------------------------------------------------------------------

test_throughput_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.throughput", inp, _thresholds) == set()
	_checked("load.throughput", inp, _thresholds) == {{
		"criterion": "load.throughput",
		"msg": "load-k6 sustained 200 rps; it needs 15 rps: expected peak 10 rps (defaults) x 150% headroom (defaults)",
		"observed": 200000, "comparator": ">=", "threshold": 15000,
		"evidence": "load-k6", "pointer": "/data/totals/throughput_mrps",
	}}
}

test_throughput_fail_exact_result if {
	# Service checkout expects 250 rps at peak; tier critical wants twice that.
	inp := _input("critical", "checkout", [_good])
	_deny("load.throughput", inp, _thresholds) == {{
		"criterion": "load.throughput",
		"msg": "load-k6 sustained 200 rps; it needs 500 rps: expected peak 250 rps (service checkout) x 200% headroom (tier critical)",
		"observed": 200000, "comparator": ">=", "threshold": 500000,
		"evidence": "load-k6", "pointer": "/data/totals/throughput_mrps",
	}}
	_checked("load.throughput", inp, _thresholds) == set()
}

test_throughput_tier_override_applies if {
	# Tier critical: 100 rps x 200 % = 200 rps, exactly what the test sustained.
	inp := _input("critical", "cart", [_good])
	_deny("load.throughput", inp, _thresholds) == set()
	some r in _checked("load.throughput", inp, _thresholds)
	r.threshold == 200000
	item := _item("load-k6", _patched({"totals": object.union(_data.totals, {"throughput_mrps": 199999})}))
	some f in _deny("load.throughput", _input("critical", "cart", [item]), _thresholds)
	f.msg == "load-k6 sustained 199.999 rps; it needs 200 rps: expected peak 100 rps (tier critical) x 200% headroom (tier critical)"
}

test_throughput_headroom_in_integer_arithmetic if {
	# 7 rps x 135 % = 9.45 rps = 9450 mrps.
	thresholds := _with_load(object.union(_thresholds.default.load, {"expected_peak_rps": 7, "headroom_pct": 135}))
	item := _item("load-k6", _patched({"totals": object.union(_data.totals, {"throughput_mrps": 9449})}))
	some r in _deny("load.throughput", _input("broken", "cart", [item]), thresholds)
	r.threshold == 9450
	r.msg == "load-k6 sustained 9.449 rps; it needs 9.45 rps: expected peak 7 rps (defaults) x 135% headroom (defaults)"
}

test_throughput_not_reported_fails_exact_result if {
	totals := object.remove(_data.totals, ["throughput_mrps"])
	inp := _input("default", "cart", [_item("load-locust", _patched({"totals": totals}))])
	_deny("load.throughput", inp, _thresholds) == {{
		"criterion": "load.throughput",
		"msg": "load-locust reports no overall throughput, so it cannot show that it reached 15 rps",
		"observed": null, "comparator": ">=", "threshold": 15000,
		"evidence": "load-locust", "pointer": "/data/totals/throughput_mrps",
	}}
}

test_throughput_broken_threshold_exact_result if {
	inp := _input("broken", "cart", [_good, _item("load-k6-soak", _data)])
	_deny("load.throughput", inp, _override("headroom_pct", 1.5)) == {{
		"criterion": "load.throughput",
		"msg": "cannot judge 2 load test(s): load threshold headroom_pct (tier broken) is missing or invalid (see load.rule_data)",
		"observed": 1.5, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/headroom_pct",
	}}
	_checked("load.throughput", inp, _override("headroom_pct", 1.5)) == set()
}

test_throughput_missing_expected_peak if {
	thresholds := _with_load(object.remove(_thresholds.default.load, ["expected_peak_rps"]))
	some r in _deny("load.throughput", _input("broken", "cart", [_good]), thresholds)
	r.pointer == "/thresholds/default/load/expected_peak_rps"
	r.observed == null
}

# --- load.duration_and_load -----------------------------------------------------------------------

test_duration_and_load_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.duration_and_load", inp, _thresholds) == set()
	_checked("load.duration_and_load", inp, _thresholds) == {
		{
			"criterion": "load.duration_and_load", "msg": "load-k6 ran for 600 s; it needs at least 300 s (defaults)",
			"observed": 600000, "comparator": ">=", "threshold": 300000,
			"evidence": "load-k6", "pointer": "/data/duration_ms",
		},
		{
			"criterion": "load.duration_and_load", "msg": "load-k6 reached 50 virtual users; it needs at least 10 (defaults)",
			"observed": 50, "comparator": ">=", "threshold": 10,
			"evidence": "load-k6", "pointer": "/data/vus_max",
		},
		{
			"criterion": "load.duration_and_load", "msg": "load-k6 sent 120000 requests",
			"observed": 120000, "comparator": ">=", "threshold": 1,
			"evidence": "load-k6", "pointer": "/data/totals/requests",
		},
	}
}

test_duration_and_load_smoke_test_fails_exact_result if {
	inp := _input("default", "cart", [_item("load-k6-smoke", _patched({"duration_ms": 30250, "vus_max": 1}))])
	_deny("load.duration_and_load", inp, _thresholds) == {
		{
			"criterion": "load.duration_and_load", "msg": "load-k6-smoke ran for 30.25 s; it needs at least 300 s (defaults)",
			"observed": 30250, "comparator": ">=", "threshold": 300000,
			"evidence": "load-k6-smoke", "pointer": "/data/duration_ms",
		},
		{
			"criterion": "load.duration_and_load", "msg": "load-k6-smoke reached 1 virtual users; it needs at least 10 (defaults)",
			"observed": 1, "comparator": ">=", "threshold": 10,
			"evidence": "load-k6-smoke", "pointer": "/data/vus_max",
		},
	}
}

test_duration_and_load_zero_requests_fails_exact_result if {
	# A test that never reached the service: no requests, no latencies, no throughput.
	nothing := {"requests": 0, "failures": 0, "error_rate_bp": 0, "throughput_mrps": 0, "latency_us": {}}
	inp := _input("default", "cart", [_item("load-k6-empty", _patched({"totals": nothing, "endpoints": [], "checks": [], "thresholds": []}))])
	_deny("load.duration_and_load", inp, _thresholds) == {{
		"criterion": "load.duration_and_load", "msg": "load-k6-empty sent no requests: the test did not exercise the service",
		"observed": 0, "comparator": ">=", "threshold": 1,
		"evidence": "load-k6-empty", "pointer": "/data/totals/requests",
	}}
	_pointers(_deny("load.throughput", inp, _thresholds)) == {"/data/totals/throughput_mrps"}
	_pointers(_deny("load.latency_percentiles", inp, _thresholds)) == {"/data/totals/latency_us/p95", "/data/totals/latency_us/p99"}
	_pointers(_deny("load.latency_p95", inp, _thresholds)) == {"/data/totals/latency_us/p95"}
}

test_duration_and_load_without_vus_judges_the_rest if {
	inp := _input("default", "cart", [_item("load-jmeter", object.remove(_data, ["vus_max"]))])
	_deny("load.duration_and_load", inp, _thresholds) == set()
	_pointers(_checked("load.duration_and_load", inp, _thresholds)) == {"/data/duration_ms", "/data/totals/requests"}
}

test_duration_and_load_tier_override_applies if {
	inp := _input("critical", "cart", [_good])
	deny := _deny("load.duration_and_load", inp, _thresholds)
	{[r.pointer, r.threshold] | some r in deny} == {["/data/duration_ms", 1800000], ["/data/vus_max", 100]}
	some r in deny
	r.msg == "load-k6 ran for 600 s; it needs at least 1800 s (tier critical)"
}

test_duration_and_load_boundary_passes if {
	inp := _input("default", "cart", [_item("load-k6", _patched({"duration_ms": 300000, "vus_max": 10}))])
	_deny("load.duration_and_load", inp, _thresholds) == set()
}

test_duration_and_load_broken_threshold_exact_result if {
	inp := _input("broken", "cart", [_good])
	_deny("load.duration_and_load", inp, _override("min_duration_s", "5m")) == {{
		"criterion": "load.duration_and_load",
		"msg": "cannot judge 1 load test(s): load threshold min_duration_s (tier broken) is missing or invalid (see load.rule_data)",
		"observed": "5m", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/min_duration_s",
	}}
}

test_duration_and_load_min_vus_only_needed_when_reported if {
	thresholds := _with_load(object.remove(_thresholds.default.load, ["min_vus"]))
	without_vus := _input("broken", "cart", [_item("load-jmeter", object.remove(_data, ["vus_max"]))])
	_deny("load.duration_and_load", without_vus, thresholds) == set()
	some r in _deny("load.duration_and_load", _input("broken", "cart", [_good]), thresholds)
	r.pointer == "/thresholds/default/load/min_vus"
	r.msg == "cannot judge 1 load test(s): load threshold min_vus (defaults) is missing or invalid (see load.rule_data)"
}

# --- load.native_thresholds -----------------------------------------------------------------------

test_native_thresholds_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_deny("load.native_thresholds", inp, _thresholds) == set()
	_checked("load.native_thresholds", inp, _thresholds) == {{
		"criterion": "load.native_thresholds", "msg": "threshold http_req_duration p(95)<500 in load-k6 held",
		"observed": true, "comparator": "==", "threshold": true,
		"evidence": "load-k6", "pointer": "/data/thresholds/0/ok",
	}}
}

test_native_thresholds_fail_exact_result if {
	thresholds := [
		{"metric": "http_req_duration", "expression": "p(95)<500", "ok": true},
		{"metric": "http_req_failed", "expression": "rate<0.0001", "ok": false},
	]
	inp := _input("default", "cart", [_item("load-k6", _patched({"thresholds": thresholds}))])
	_deny("load.native_thresholds", inp, _thresholds) == {{
		"criterion": "load.native_thresholds", "msg": "threshold http_req_failed rate<0.0001 in load-k6 failed",
		"observed": false, "comparator": "==", "threshold": true,
		"evidence": "load-k6", "pointer": "/data/thresholds/1/ok",
	}}
	_pointers(_checked("load.native_thresholds", inp, _thresholds)) == {"/data/thresholds/0/ok"}
}

test_native_thresholds_none_defined_reports_nothing if {
	inp := _input("default", "cart", [_item("load-locust", _patched({"thresholds": []}))])
	_deny("load.native_thresholds", inp, _thresholds) == set()
	_checked("load.native_thresholds", inp, _thresholds) == set()
}

test_native_thresholds_need_no_rule_data if {
	thresholds := [{"metric": "checks", "expression": "rate>0.99", "ok": false}]
	inp := _input("default", "cart", [_item("load-k6", _patched({"thresholds": thresholds}))])
	count(_deny("load.native_thresholds", inp, {})) == 1
}

# --- load.native_checks ---------------------------------------------------------------------------

test_native_checks_pass_reports_what_it_checked if {
	inp := _input("default", "cart", [_good])
	_warn("load.native_checks", inp, _thresholds) == set()
	_checked("load.native_checks", inp, _thresholds) == {{
		"criterion": "load.native_checks", "msg": "check status is 200 in load-k6 failed 0 of 120000 times",
		"observed": 0, "comparator": "<=", "threshold": 0,
		"evidence": "load-k6", "pointer": "/data/checks/0/fails",
	}}
}

test_native_checks_warn_exact_result if {
	checks := [
		{"name": "status is 200", "passes": 120000, "fails": 0},
		{"name": "body has order id", "passes": 19988, "fails": 12},
	]
	inp := _input("default", "cart", [_item("load-k6", _patched({"checks": checks}))])
	_warn("load.native_checks", inp, _thresholds) == {{
		"criterion": "load.native_checks", "msg": "check body has order id in load-k6 failed 12 of 20000 times",
		"observed": 12, "comparator": "<=", "threshold": 0,
		"evidence": "load-k6", "pointer": "/data/checks/1/fails",
	}}
	_deny("load.native_checks", inp, _thresholds) == set()
	_pointers(_checked("load.native_checks", inp, _thresholds)) == {"/data/checks/0/fails"}
}

# --- load.rule_data -------------------------------------------------------------------------------

_rule_data_checked(pointer, value, expected, msg) := {
	"criterion": "load.rule_data", "msg": msg,
	"observed": value, "comparator": "in", "threshold": expected,
	"evidence": null, "pointer": pointer,
}

test_rule_data_valid_reports_what_it_checked if {
	inp := _input("critical", "checkout", [])
	_deny("load.rule_data", inp, _thresholds) == set()
	_checked("load.rule_data", inp, _thresholds) == {
		_rule_data_checked("/thresholds/services/checkout/load/expected_peak_rps", 250, "non-negative integer", "load threshold expected_peak_rps is 250 (service checkout)"),
		_rule_data_checked("/thresholds/tiers/critical/load/headroom_pct", 200, "non-negative integer", "load threshold headroom_pct is 200 (tier critical)"),
		_rule_data_checked("/thresholds/tiers/critical/load/max_error_rate_bp", 10, "non-negative integer at most 10000", "load threshold max_error_rate_bp is 10 (tier critical)"),
		_rule_data_checked("/thresholds/tiers/critical/load/min_duration_s", 1800, "non-negative integer", "load threshold min_duration_s is 1800 (tier critical)"),
		_rule_data_checked("/thresholds/tiers/critical/load/min_vus", 100, "non-negative integer", "load threshold min_vus is 100 (tier critical)"),
		_rule_data_checked("/thresholds/tiers/critical/load/p95_ms", 300, "non-negative integer", "load threshold p95_ms is 300 (tier critical)"),
		_rule_data_checked("/thresholds/tiers/critical/load/p99_ms", 800, "non-negative integer", "load threshold p99_ms is 800 (tier critical)"),
		_rule_data_checked(
			"/thresholds/services/checkout/load/endpoint_overrides/POST ~1checkout/p95_ms", 800, "non-negative integer",
			"load threshold p95_ms is 800 (service checkout, endpoint override POST /checkout)",
		),
		_rule_data_checked(
			"/thresholds/services/checkout/load/endpoint_overrides/POST ~1checkout/p99_ms", 2000, "non-negative integer",
			"load threshold p99_ms is 2000 (service checkout, endpoint override POST /checkout)",
		),
		_rule_data_checked(
			"/thresholds/services/checkout/load/endpoint_overrides/~1search/max_error_rate_bp", 200, "non-negative integer at most 10000",
			"load threshold max_error_rate_bp is 200 (service checkout, endpoint override /search)",
		),
		_rule_data_checked(
			"/thresholds/default/load/endpoint_overrides/GET ~1health/p95_ms", 50, "non-negative integer",
			"load threshold p95_ms is 50 (defaults, endpoint override GET /health)",
		),
	}
}

test_rule_data_needs_no_evidence if {
	every inp in _no_evidence {
		count(_checked("load.rule_data", inp, _thresholds)) == 8
	}
}

test_rule_data_without_service if {
	inp := {"tier": "critical"}
	_deny("load.rule_data", inp, _thresholds) == set()
	some r in _checked("load.rule_data", inp, _thresholds)
	r.pointer == "/thresholds/tiers/critical/load/expected_peak_rps"
}

test_rule_data_missing_threshold_exact_result if {
	thresholds := _with_load(object.remove(_thresholds.default.load, ["min_vus"]))
	_deny("load.rule_data", _input("broken", "cart", []), thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "load threshold min_vus is set neither for service, nor for tier broken, nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/default/load/min_vus",
	}}
}

test_rule_data_no_thresholds_at_all if {
	_pointers(_deny("load.rule_data", {}, {})) == {
		"/thresholds/default/load/expected_peak_rps", "/thresholds/default/load/headroom_pct",
		"/thresholds/default/load/max_error_rate_bp", "/thresholds/default/load/min_duration_s",
		"/thresholds/default/load/min_vus", "/thresholds/default/load/p95_ms", "/thresholds/default/load/p99_ms",
	}
}

test_rule_data_invalid_threshold_exact_result if {
	_deny("load.rule_data", _input("broken", "cart", []), _override("p99_ms", "1s")) == {{
		"criterion": "load.rule_data",
		"msg": "load threshold p99_ms (tier broken) is not a number: it must be a non-negative integer",
		"observed": "1s", "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/p99_ms",
	}}
}

test_rule_data_invalid_endpoint_override_exact_result if {
	thresholds := object.union(_thresholds, {"services": {"checkout": {"load": {"endpoint_overrides": {"POST /checkout": {"p95_ms": 0.8}}}}}})
	_deny("load.rule_data", _input("default", "checkout", []), thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "load threshold p95_ms (service checkout, endpoint override POST /checkout) is not a whole number: it must be a non-negative integer",
		"observed": 0.8, "comparator": "in", "threshold": "non-negative integer",
		"evidence": null, "pointer": "/thresholds/services/checkout/load/endpoint_overrides/POST ~1checkout/p95_ms",
	}}
}

test_rule_data_unknown_name_exact_result if {
	thresholds := _override("p95", 300)
	_deny("load.rule_data", _input("broken", "cart", []), thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "p95 is not a load threshold (tier broken)",
		"observed": 300, "comparator": "in",
		"threshold": [
			"endpoint_overrides", "expected_peak_rps", "headroom_pct", "max_error_rate_bp", "min_duration_s", "min_vus",
			"p95_ms", "p99_ms",
		],
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/p95",
	}}
}

test_rule_data_unknown_endpoint_budget_exact_result if {
	thresholds := _override("endpoint_overrides", {"GET /cart": {"p90_ms": 100, "p95_ms": 200}})
	_deny("load.rule_data", _input("broken", "cart", []), thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "p90_ms is not an endpoint budget (tier broken, endpoint override GET /cart)",
		"observed": 100, "comparator": "in", "threshold": ["max_error_rate_bp", "p95_ms", "p99_ms"],
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/endpoint_overrides/GET ~1cart/p90_ms",
	}}
}

test_rule_data_not_a_mapping_exact_result if {
	thresholds := _override("endpoint_overrides", [{"GET /cart": {"p95_ms": 200}}])
	_deny("load.rule_data", _input("broken", "cart", []), thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "/thresholds/tiers/broken/load/endpoint_overrides under data.readiness must be a mapping",
		"observed": [{"GET /cart": {"p95_ms": 200}}], "comparator": "in", "threshold": "mapping",
		"evidence": null, "pointer": "/thresholds/tiers/broken/load/endpoint_overrides",
	}}
}

test_rule_data_mappings_along_the_way if {
	inp := _input("broken", "checkout", [])
	_pointers(_deny("load.rule_data", inp, object.union(_override("p95_ms", 1), {"services": ["checkout"]}))) == {"/thresholds/services"}
	_pointers(_deny("load.rule_data", inp, object.union(_override("p95_ms", 1), {"services": {"checkout": 250}}))) == {"/thresholds/services/checkout"}
	_pointers(_deny("load.rule_data", inp, object.union(_override("p95_ms", 1), {"services": {"checkout": {"load": 250}}}))) == {"/thresholds/services/checkout/load"}
	_pointers(_deny("load.rule_data", inp, _override("endpoint_overrides", {"GET /cart": 200}))) == {"/thresholds/tiers/broken/load/endpoint_overrides/GET ~1cart"}
	_pointers(_deny("load.rule_data", inp, {"default": _thresholds.default, "tiers": {"broken": {"load": [1]}}})) == {"/thresholds/tiers/broken/load"}
}

test_rule_data_problems if {
	_rule_data_message("min_vus", -1) == "load threshold min_vus (tier broken) is negative: it must be a non-negative integer"
	_rule_data_message("min_vus", 2.5) == "load threshold min_vus (tier broken) is not a whole number: it must be a non-negative integer"
	_rule_data_message("p95_ms", null) == "load threshold p95_ms (tier broken) is not a number: it must be a non-negative integer"
	_rule_data_message("headroom_pct", true) == "load threshold headroom_pct (tier broken) is not a number: it must be a non-negative integer"
	_rule_data_message("max_error_rate_bp", 10001) == "load threshold max_error_rate_bp (tier broken) exceeds 10000: it must be a non-negative integer at most 10000"
	_rule_data_message("max_error_rate_bp", 100.5) == "load threshold max_error_rate_bp (tier broken) is not a whole number: it must be a non-negative integer at most 10000"
}

_rule_data_message(name, value) := r.msg if {
	some r in _deny("load.rule_data", _input("broken", "cart", []), _override(name, value))
}

test_rule_data_limits if {
	_deny("load.rule_data", _input("broken", "cart", []), _override("max_error_rate_bp", 10000)) == set()
	_deny("load.rule_data", _input("broken", "cart", []), _override("max_error_rate_bp", 0)) == set()
	_deny("load.rule_data", _input("broken", "cart", []), _override("expected_peak_rps", 0)) == set()
	_deny("load.rule_data", _input("broken", "cart", []), _override("endpoint_overrides", {})) == set()
}

test_rule_data_whole_float_is_an_integer if {
	# YAML 800.0 is a whole number: accepted, and used as the integer 800.
	inp := _input("broken", "cart", [_good])
	_deny("load.rule_data", inp, _override("p99_ms", 800.0)) == set()
	some r in _deny("load.latency_p99", inp, _override("p99_ms", 800.0))
	r.threshold == 800000
	r.msg == "p99 latency of POST /checkout in load-k6 is 900 ms; budget 800 ms (tier broken)"
}

test_rule_data_unknown_tier_exact_result if {
	_deny("load.rule_data", _input("gold", "cart", []), _thresholds) == {{
		"criterion": "load.rule_data",
		"msg": "tier gold is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "gold", "comparator": "in", "threshold": ["critical", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_rule_data_tier_without_overrides_is_known if {
	_deny("load.rule_data", _input("standard", "cart", []), _thresholds) == set()
	_deny("load.rule_data", _input("default", "cart", []), {"default": _thresholds.default}) == set()
}

# --- formatting -----------------------------------------------------------------------------------

test_thousandths if {
	load._thousandths(0) == "0"
	load._thousandths(5) == "0.005"
	load._thousandths(50) == "0.05"
	load._thousandths(1000) == "1"
	load._thousandths(1500) == "1.5"
	load._thousandths(812431) == "812.431"
	load._thousandths(1800000) == "1800"
}

# --- the shipped thresholds (policies/data/load.yaml) ---------------------------------------------

test_shipped_thresholds_are_valid_for_every_tier if {
	count(data.readiness.thresholds.tiers) >= 4
	count({r | some r in load.deny; r.criterion == "load.rule_data"}) == 0 with input as {"tier": "default"}
	every tier, _ in data.readiness.thresholds.tiers {
		count({r | some r in load.deny; r.criterion == "load.rule_data"}) == 0 with input as {"tier": tier, "subject": {"service": "checkout"}}
		count({r | some r in load.checked; r.criterion == "load.rule_data"}) == 7 with input as {"tier": tier}
	}
}

test_shipped_thresholds_get_stricter_with_the_tier if {
	tiers := ["low", "standard", "high", "critical"]
	every name in ["p95_ms", "p99_ms", "max_error_rate_bp"] {
		values := [v | some tier in tiers; v := load._limits[name] with input as {"tier": tier}]
		values == array.reverse(sort(values))
	}
	every name in ["expected_peak_rps", "headroom_pct", "min_duration_s", "min_vus"] {
		values := [v | some tier in tiers; v := load._limits[name] with input as {"tier": tier}]
		values == sort(values)
	}
}

test_shipped_smoke_test_fails_every_tier if {
	smoke := _item("load-k6-smoke", _patched({"duration_ms": 30000, "vus_max": 1}))
	every tier, _ in data.readiness.thresholds.tiers {
		count({r | some r in load.deny; r.criterion == "load.duration_and_load"}) == 2 with input as _input(tier, "cart", [smoke])
	}
}
