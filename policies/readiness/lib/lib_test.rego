package readiness.lib_test

import data.readiness.lib

_thresholds := {
	"default": {"tests": {"min_tests": 1, "max_failed": 0, "off": false}},
	"tiers": {
		"critical": {"tests": {"min_tests": 50, "off": true}},
		"standard": {},
	},
}

# --- result -------------------------------------------------------------------------------------

test_result_shape if {
	lib.result("tests.no_failures", "tests-unit", "/data/totals/failed", 3, "<=", 0, "3 of 120 failed") == {
		"criterion": "tests.no_failures",
		"msg": "3 of 120 failed",
		"observed": 3,
		"comparator": "<=",
		"threshold": 0,
		"evidence": "tests-unit",
		"pointer": "/data/totals/failed",
	}
}

test_result_about_rule_data_has_null_evidence if {
	r := lib.result("tests.rule_data", null, "/thresholds/default/tests/min_tests", null, "in", "non-negative integer", "m")
	r.evidence == null
	r.observed == null
	count(r) == 7
}

test_result_with_fingerprint_shape if {
	r := lib.result_with_fingerprint("security.no_critical", "sec-trivy", "/data/findings/0/severity", "critical", "not in", ["critical"], "m", "CVE-2026-1@libfoo")
	r == {
		"criterion": "security.no_critical",
		"msg": "m",
		"observed": "critical",
		"comparator": "not in",
		"threshold": ["critical"],
		"evidence": "sec-trivy",
		"pointer": "/data/findings/0/severity",
		"fingerprint": "CVE-2026-1@libfoo",
	}
}

test_result_with_fingerprint_extends_result if {
	r := lib.result_with_fingerprint("a.b", "i", "/p", 1, "<=", 0, "m", "fp")
	{key: value | some key, value in r; key != "fingerprint"} == lib.result("a.b", "i", "/p", 1, "<=", 0, "m")
}

# --- items ----------------------------------------------------------------------------------------

test_items_of_a_kind if {
	lib.items("tests") == [{"id": "a"}, {"id": "b"}] with input as {"evidence": {"tests": [{"id": "a"}, {"id": "b"}], "load": [{"id": "c"}]}}
}

test_items_empty_when_kind_absent if {
	lib.items("tests") == [] with input as {"evidence": {"load": [{"id": "c"}]}}
}

test_items_empty_when_evidence_absent if {
	lib.items("tests") == [] with input as {"tier": "critical"}
}

test_items_empty_list_stays_empty if {
	lib.items("tests") == [] with input as {"evidence": {"tests": []}}
}

# --- tier and threshold ---------------------------------------------------------------------------

test_tier_from_input if {
	lib.tier == "critical" with input as {"tier": "critical"}
}

test_tier_default_when_absent if {
	lib.tier == "default" with input as {}
}

test_tier_default_when_not_a_string if {
	lib.tier == "default" with input as {"tier": 3}
}

test_threshold_tier_override if {
	lib.threshold("tests", "min_tests") == 50 with input as {"tier": "critical"} with data.readiness.thresholds as _thresholds
}

test_threshold_default_when_tier_does_not_override_name if {
	lib.threshold("tests", "max_failed") == 0 with input as {"tier": "critical"} with data.readiness.thresholds as _thresholds
}

test_threshold_default_when_tier_does_not_override_kind if {
	lib.threshold("tests", "min_tests") == 1 with input as {"tier": "standard"} with data.readiness.thresholds as _thresholds
}

test_threshold_default_for_default_tier if {
	lib.threshold("tests", "min_tests") == 1 with input as {"tier": "default"} with data.readiness.thresholds as _thresholds
}

test_threshold_default_for_unknown_tier if {
	lib.threshold("tests", "min_tests") == 1 with input as {"tier": "gold"} with data.readiness.thresholds as _thresholds
}

test_threshold_keeps_false_values if {
	lib.threshold("tests", "off") == false with input as {} with data.readiness.thresholds as _thresholds
	lib.threshold("tests", "off") == true with input as {"tier": "critical"} with data.readiness.thresholds as _thresholds
}

test_threshold_undefined_when_unset if {
	not lib.threshold("tests", "max_flaky") with input as {"tier": "critical"} with data.readiness.thresholds as _thresholds
	not lib.threshold("load", "p95_ms") with input as {} with data.readiness.thresholds as _thresholds
}

test_threshold_without_tiers if {
	lib.threshold("tests", "min_tests") == 7 with input as {"tier": "critical"}
		with data.readiness.thresholds as {"default": {"tests": {"min_tests": 7}}}
}

test_threshold_pointer_to_override if {
	lib.threshold_pointer("tests", "min_tests") == "/thresholds/tiers/critical/tests/min_tests" with input as {"tier": "critical"}
		with data.readiness.thresholds as _thresholds
}

test_threshold_pointer_to_default if {
	lib.threshold_pointer("tests", "max_failed") == "/thresholds/default/tests/max_failed" with input as {"tier": "critical"}
		with data.readiness.thresholds as _thresholds
}

test_threshold_pointer_to_default_when_unset if {
	lib.threshold_pointer("tests", "max_flaky") == "/thresholds/default/tests/max_flaky" with input as {"tier": "critical"}
		with data.readiness.thresholds as _thresholds
}

test_threshold_pointer_to_false_override if {
	lib.threshold_pointer("tests", "off") == "/thresholds/tiers/critical/tests/off" with input as {"tier": "critical"}
		with data.readiness.thresholds as _thresholds
}

test_threshold_pointer_escapes_tier if {
	lib.threshold_pointer("tests", "min_tests") == "/thresholds/tiers/a~1b/tests/min_tests" with input as {"tier": "a/b"}
		with data.readiness.thresholds as {"tiers": {"a/b": {"tests": {"min_tests": 2}}}}
}

test_known_tier if {
	lib.known_tier with input as {"tier": "critical"} with data.readiness.thresholds as _thresholds
	lib.known_tier with input as {"tier": "standard"} with data.readiness.thresholds as _thresholds
	lib.known_tier with input as {"tier": "default"} with data.readiness.thresholds as _thresholds
	lib.known_tier with input as {} with data.readiness.thresholds as _thresholds
}

test_unknown_tier if {
	not lib.known_tier with input as {"tier": "gold"} with data.readiness.thresholds as _thresholds
	not lib.known_tier with input as {"tier": "critical"} with data.readiness.thresholds as {"default": {}}
}

test_tier_names if {
	lib.tier_names == ["critical", "standard"] with data.readiness.thresholds as _thresholds
	lib.tier_names == [] with data.readiness.thresholds as {"default": {}}
}

# --- pointer --------------------------------------------------------------------------------------

test_pointer_plain if {
	lib.pointer(["data", "totals", "failed"]) == "/data/totals/failed"
}

test_pointer_array_index if {
	lib.pointer(["data", "endpoints", 3, "latency_ms", "p95"]) == "/data/endpoints/3/latency_ms/p95"
}

test_pointer_escapes_rfc6901 if {
	lib.pointer(["a/b", "m~n", "~1", "/~"]) == "/a~1b/m~0n/~01/~1~0"
}

test_pointer_empty_segment if {
	lib.pointer(["data", ""]) == "/data/"
}

test_pointer_empty_path_is_whole_document if {
	lib.pointer([]) == ""
}

# --- integers -------------------------------------------------------------------------------------

test_is_count if {
	lib.is_count(0)
	lib.is_count(42)
	lib.is_count(50.0)
}

test_is_count_rejects if {
	not lib.is_count(-1)
	not lib.is_count(0.5)
	not lib.is_count("5")
	not lib.is_count(null)
	not lib.is_count(true)
	not lib.is_count([1])
}

test_floor_div if {
	lib.floor_div(7, 2) == 3
	lib.floor_div(8, 2) == 4
	lib.floor_div(0, 5) == 0
	lib.floor_div(20001, 3) == 6667
}

test_ceil_div if {
	lib.ceil_div(7, 2) == 4
	lib.ceil_div(8, 2) == 4
	lib.ceil_div(0, 5) == 0
	lib.ceil_div(1, 3) == 1
}

test_share_bp if {
	lib.share_bp(1, 4) == 2500
	lib.share_bp(1, 5) == 2000
	lib.share_bp(0, 9) == 0
	lib.share_bp(9, 9) == 10000
}

test_share_bp_rounds_up if {
	lib.share_bp(1, 3) == 3334
	lib.share_bp(2, 3) == 6667
	lib.share_bp(1, 1000001) == 1
}

test_share_bp_of_nothing_is_zero if {
	lib.share_bp(0, 0) == 0
}

test_percent if {
	lib.percent(0) == "0.00%"
	lib.percent(5) == "0.05%"
	lib.percent(10) == "0.10%"
	lib.percent(2000) == "20.00%"
	lib.percent(3334) == "33.34%"
	lib.percent(10000) == "100.00%"
}

# --- times ----------------------------------------------------------------------------------------

test_epoch_seconds if {
	lib.epoch_seconds("2026-11-27T16:00:00Z") == 1795795200
	lib.epoch_seconds("1970-01-01T00:00:00Z") == 0
}

test_epoch_seconds_rounds_fractions_down if {
	lib.epoch_seconds("2026-11-27T16:00:00.999999999Z") == 1795795200
	lib.epoch_seconds("2026-11-27T16:00:01.5Z") == 1795795201
}

test_epoch_seconds_undefined_for_non_strings if {
	not lib.epoch_seconds(1795795200)
	not lib.epoch_seconds(null)
}

test_epoch_seconds_undefined_for_other_forms if {
	not lib.epoch_seconds("2026-11-27T16:00:00+01:00")
	not lib.epoch_seconds("2026-11-27t16:00:00z")
	not lib.epoch_seconds("2026-11-27 16:00:00Z")
	not lib.epoch_seconds("yesterday")
}
