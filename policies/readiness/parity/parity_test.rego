package readiness.parity_test

import data.readiness.parity

# --- fixtures -------------------------------------------------------------------------------------

_thresholds := {
	"default": {"parity": {"min_parity_bp": 9500, "extra_keys": "warn", "secret_differs": "warn"}},
	"tiers": {
		"critical": {"parity": {"min_parity_bp": 9900, "extra_keys": "fail", "secret_differs": "fail"}},
		"standard": {},
	},
}

# _with(settings) is _thresholds with tier "broken" overriding some parity thresholds.
_with(settings) := object.union(_thresholds, {"tiers": {"broken": {"parity": settings}}})

_deployment := "apps/v1 Deployment shop/cart"

_image := "spec.template.spec.containers[app].image"

_rule(id, matched, allowed, expires, expired) := {"id": id, "matched": matched, "allowed": allowed, "expires": expires, "expired": expired}

_counts(totals, allowed) := [{"category": category, "total": object.get(totals, category, 0), "allowed": object.get(allowed, category, 0)} |
	some category in ["image", "version", "config", "capacity", "secret", "missing", "extra"]
]

# Production and staging of the cart service: 400 keys, 396 equal; the image, the replicas and a secret
# differ as three allow-rules expect, and one config value differs without a rule. Parity 99.00 %, and
# 99.75 % counting the allowed differences: it passes every criterion, in tier critical too.
_allowed_differences := [
	{
		"object": _deployment, "field": _image, "category": "image",
		"baseline": "registry.example/cart@sha256:aaaa", "candidate": "registry.example/cart@sha256:bbbb",
		"allowed": true, "rule": "cart-release", "note": "staging runs the release candidate",
	},
	{
		"object": _deployment, "field": "spec.replicas", "category": "capacity", "baseline": 6, "candidate": 2,
		"ratio_bp": 3333, "allowed": true, "rule": "replicas", "note": "staging runs a third of production",
	},
	{
		"object": _deployment, "field": "spec.template.spec.containers[app].env[LOG_LEVEL]", "category": "config",
		"baseline": "info", "candidate": "debug", "allowed": false,
	},
	{
		"object": "v1 Secret shop/db", "field": "data.password", "category": "secret", "secret": "differs",
		"allowed": true, "rule": "credentials", "note": "credentials differ per environment",
	},
]

_data := {
	"baseline": {"name": "production", "source": "kubernetes", "path": "prod/", "sha256": "00", "files": 3, "objects": 12, "keys": 400},
	"candidate": {"name": "staging", "source": "kubernetes", "path": "staging/", "sha256": "11", "files": 3, "objects": 12, "keys": 400},
	"keys_compared": 400,
	"keys_equal": 396,
	"parity_bp": 9900,
	"differences": _allowed_differences,
	"counts": _counts({"image": 1, "capacity": 1, "config": 1, "secret": 1}, {"image": 1, "capacity": 1, "secret": 1}),
	"rules": [
		_rule("cart-release", 1, 1, "2027-03-31", false),
		_rule("replicas", 1, 1, "2027-03-31", false),
		_rule("credentials", 1, 1, "2027-12-31", false),
	],
	"truncated": false,
}

_item(id, parity_data) := {
	"id": id,
	"kind": "parity",
	"schema": "parity/v1",
	"collected_at": "2026-11-27T14:03:11Z",
	"source": {"tool": "readiness", "format": "parity", "file": "prod/", "sha256": "00"},
	"collector": {"name": "readiness", "version": "0.1.0"},
	"data": parity_data,
}

# _patched is _data with top-level fields replaced.
_patched(patch) := object.union(object.remove(_data, object.keys(patch)), patch)

# _with_differences is _data with these differences (counted in counts, allowed or not) instead of the
# allowed ones, and keys_equal lowered to match.
_with_differences(differences) := _patched({
	"differences": differences,
	"keys_equal": 400 - count(differences),
	"parity_bp": (400 - count(differences)) * 25,
	"counts": [{"category": c, "total": count([d | some d in differences; d.category == c]), "allowed": count([d | some d in differences; d.category == c; d.allowed])} |
		some c in ["image", "version", "config", "capacity", "secret", "missing", "extra"]
	],
})

_good := _item("parity-k8s", _data)

_input(tier, items) := {
	"subject": {"service": "cart", "version": "1.42.0", "tier": tier},
	"tier": tier,
	"evaluation": {"time": "2026-11-27T16:00:00Z", "epoch_seconds": 1795795200, "date": "2026-11-27"},
	"verified": true,
	"evidence": {"parity": items},
}

_one(tier, differences) := _input(tier, [_item("parity-k8s", _with_differences(differences))])

# Inputs without parity evidence: the host makes the criteria insufficient_evidence; the policy says nothing.
_no_evidence := [
	{"tier": "critical"},
	{"tier": "critical", "evidence": {}},
	{"tier": "critical", "evidence": {"parity": []}},
	{"tier": "critical", "evidence": {"tests": [{"id": "tests-unit", "kind": "tests", "data": {}}]}},
]

_criteria := [
	"parity.parity_ratio", "parity.images_and_versions", "parity.missing_keys", "parity.capacity",
	"parity.secrets_present", "parity.allow_rules",
]

_deny(criterion, inp, thresholds) := results if {
	results := {r | some r in parity.deny; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_warn(criterion, inp, thresholds) := results if {
	results := {r | some r in parity.warn; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_checked(criterion, inp, thresholds) := results if {
	results := {r | some r in parity.checked; r.criterion == criterion} with input as inp with data.readiness.thresholds as thresholds
}

_pointers(results) := {r.pointer | some r in results}

_messages(results) := {r.msg | some r in results}

# --- the whole package ----------------------------------------------------------------------------

test_good_comparison_passes_every_criterion_in_every_tier if {
	every tier in ["default", "standard", "critical"] {
		every criterion in _criteria {
			_deny(criterion, _input(tier, [_good]), _thresholds) == set()
			_warn(criterion, _input(tier, [_good]), _thresholds) == set()
			count(_checked(criterion, _input(tier, [_good]), _thresholds)) > 0
		}
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

test_broken_thresholds_without_evidence_report_nothing_but_rule_data if {
	every inp in _no_evidence {
		every criterion in _criteria {
			_deny(criterion, inp, {}) == set()
			_warn(criterion, inp, {}) == set()
		}
		count(_deny("parity.rule_data", inp, {})) > 0
	}
}

test_each_item_is_judged_on_its_own if {
	bad := _item("parity-tf", _with_differences([{
		"object": "aws_db_instance.main", "field": "engine_version", "category": "version",
		"baseline": "15.4", "candidate": "16.1", "allowed": false,
	}]))
	inp := _input("default", [_good, bad])
	{r.evidence | some r in _deny("parity.images_and_versions", inp, _thresholds)} == {"parity-tf"}
	{r.evidence | some r in _checked("parity.images_and_versions", inp, _thresholds)} == {"parity-k8s"}
}

# --- parity.parity_ratio --------------------------------------------------------------------------

test_parity_ratio_pass_exact_result if {
	_checked("parity.parity_ratio", _input("critical", [_good]), _thresholds) == {{
		"criterion": "parity.parity_ratio",
		"msg": "parity-k8s: staging matches production on 99.75% of 400 keys counting the 3 difference(s) allowed by rules (396 keys equal: 99.00%); at least 99.00% needed (tier critical); not allowed: 1 config",
		"observed": 9975, "comparator": ">=", "threshold": 9900,
		"evidence": "parity-k8s", "pointer": "/data",
	}}
}

test_parity_ratio_fail_exact_result if {
	# 380 of 400 keys equal and 2 differences allowed: 95.50 %, below tier critical's 99 %, above the default 95 %.
	low := _patched({
		"keys_equal": 380, "parity_bp": 9500,
		"counts": _counts({"image": 2, "config": 15, "missing": 3}, {"image": 2}),
	})
	_deny("parity.parity_ratio", _input("critical", [_item("parity-k8s", low)]), _thresholds) == {{
		"criterion": "parity.parity_ratio",
		"msg": "parity-k8s: staging matches production on 95.50% of 400 keys counting the 2 difference(s) allowed by rules (380 keys equal: 95.00%); at least 99.00% needed (tier critical); not allowed: 15 config, 3 missing",
		"observed": 9550, "comparator": ">=", "threshold": 9900,
		"evidence": "parity-k8s", "pointer": "/data",
	}}
	_checked("parity.parity_ratio", _input("critical", [_item("parity-k8s", low)]), _thresholds) == set()
	_deny("parity.parity_ratio", _input("default", [_item("parity-k8s", low)]), _thresholds) == set()
}

test_parity_ratio_boundary_and_rounding if {
	# With the 3 allowed differences, 3959 of 4000 keys: 98.975 % rounds down to 98.97 %, below 99 %;
	# 3960 is exactly 99 % and passes.
	below := _patched({"keys_compared": 4000, "keys_equal": 3956, "parity_bp": 9890})
	at := _patched({"keys_compared": 4000, "keys_equal": 3957, "parity_bp": 9892})
	some r in _deny("parity.parity_ratio", _input("critical", [_item("parity-k8s", below)]), _thresholds)
	r.observed == 9897
	_deny("parity.parity_ratio", _input("critical", [_item("parity-k8s", at)]), _thresholds) == set()
	some c in _checked("parity.parity_ratio", _input("critical", [_item("parity-k8s", at)]), _thresholds)
	c.observed == 9900
}

test_parity_ratio_nothing_compared_is_full_parity if {
	empty := _patched({"keys_compared": 0, "keys_equal": 0, "parity_bp": 10000, "differences": [], "counts": _counts({}, {}), "rules": []})
	some r in _checked("parity.parity_ratio", _input("critical", [_item("parity-k8s", empty)]), _thresholds)
	r.observed == 10000
	r.msg == "parity-k8s: staging matches production on 100.00% of 0 keys counting the 0 difference(s) allowed by rules (0 keys equal: 100.00%); at least 99.00% needed (tier critical); every difference is allowed"
}

test_parity_ratio_never_exceeds_full_parity if {
	# Inconsistent counts (more allowed than differ) cannot push the ratio above 100 %.
	odd := _patched({"counts": _counts({"image": 9}, {"image": 9})})
	some r in _checked("parity.parity_ratio", _input("critical", [_item("parity-k8s", odd)]), _thresholds)
	r.observed == 10000
}

test_parity_ratio_broken_threshold_cannot_judge if {
	inp := _input("broken", [_good])
	_deny("parity.parity_ratio", inp, _with({"min_parity_bp": 10001})) == {{
		"criterion": "parity.parity_ratio",
		"msg": "cannot judge the parity of parity-k8s: parity threshold min_parity_bp (tier broken) is missing or invalid (see parity.rule_data)",
		"observed": 10001, "comparator": "in", "threshold": "integer from 0 to 10000 (basis points)",
		"evidence": null, "pointer": "/thresholds/tiers/broken/parity/min_parity_bp",
	}}
	_checked("parity.parity_ratio", inp, _with({"min_parity_bp": 10001})) == set()
	some r in _deny("parity.parity_ratio", inp, {"tiers": {"broken": {}}})
	r.observed == null
	r.pointer == "/thresholds/default/parity/min_parity_bp"
	r.msg == "cannot judge the parity of parity-k8s: parity threshold min_parity_bp (defaults) is missing or invalid (see parity.rule_data)"
}

test_parity_ratio_warns_when_the_list_is_truncated if {
	long := _patched({"truncated": true, "counts": _counts({"config": 50001, "image": 1, "capacity": 1, "secret": 1}, {"image": 1, "capacity": 1, "secret": 1})})
	_warn("parity.parity_ratio", _input("default", [_item("parity-k8s", long)]), _thresholds) == {{
		"criterion": "parity.parity_ratio",
		"msg": "parity-k8s lists only the first 4 of 50004 differences: the listed ones are judged one by one, the rest by the per-category counts",
		"observed": true, "comparator": "==", "threshold": false,
		"evidence": "parity-k8s", "pointer": "/data/truncated",
	}}
	_warn("parity.parity_ratio", _input("default", [_good]), _thresholds) == set()
}

# --- parity.images_and_versions -------------------------------------------------------------------

_unallowed_image := {
	"object": _deployment, "field": _image, "category": "image",
	"baseline": "registry.example/cart@sha256:aaaa", "candidate": "registry.example/cart@sha256:cccc", "allowed": false,
}

_refused_version := {
	"object": "provider registry.terraform.io/hashicorp/aws", "field": "version", "category": "version",
	"baseline": "5.31.0", "candidate": "5.40.0", "allowed": false,
	"rule": "aws-provider", "note": "rule expired on 2026-11-01",
}

test_images_and_versions_fail_exact_results if {
	inp := _one("default", [_unallowed_image, _refused_version])
	_deny("parity.images_and_versions", inp, _thresholds) == {
		{
			"criterion": "parity.images_and_versions",
			"msg": "parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].image (image) differs: production \"registry.example/cart@sha256:aaaa\", staging \"registry.example/cart@sha256:cccc\"; no allow-rule matches",
			"observed": "registry.example/cart@sha256:cccc", "comparator": "==", "threshold": "registry.example/cart@sha256:aaaa",
			"evidence": "parity-k8s", "pointer": "/data/differences/0/candidate",
			"fingerprint": "apps/v1 Deployment shop/cart#spec.template.spec.containers[app].image",
		},
		{
			"criterion": "parity.images_and_versions",
			"msg": "parity-k8s: provider registry.terraform.io/hashicorp/aws, field version (version) differs: production \"5.31.0\", staging \"5.40.0\"; rule aws-provider matched but did not allow it: rule expired on 2026-11-01",
			"observed": "5.40.0", "comparator": "==", "threshold": "5.31.0",
			"evidence": "parity-k8s", "pointer": "/data/differences/1/candidate",
			"fingerprint": "provider registry.terraform.io/hashicorp/aws#version",
		},
	}
	_checked("parity.images_and_versions", inp, _thresholds) == set()
}

test_images_and_versions_allowed_difference_passes if {
	_checked("parity.images_and_versions", _input("critical", [_good]), _thresholds) == {{
		"criterion": "parity.images_and_versions",
		"msg": "parity-k8s: no unallowed image or version difference between production and staging (1 image/version difference(s), 1 allowed by rules)",
		"observed": 1, "comparator": null, "threshold": null,
		"evidence": "parity-k8s", "pointer": "/data/counts",
	}}
}

test_images_and_versions_rule_without_note if {
	bare := object.remove(_refused_version, ["note"])
	some r in _deny("parity.images_and_versions", _one("default", [bare]), _thresholds)
	endswith(r.msg, "; rule aws-provider matched but did not allow it: (no note)")
}

# --- parity.missing_keys --------------------------------------------------------------------------

_missing_env := {
	"object": _deployment, "field": "spec.template.spec.containers[app].env[FEATURE_X]", "category": "missing",
	"baseline": "on", "allowed": false,
}

_missing_object := {"object": "networking.k8s.io/v1 NetworkPolicy shop/cart", "field": "", "category": "missing", "allowed": false}

_extra_env := {
	"object": _deployment, "field": "spec.template.spec.containers[app].env[DEBUG]", "category": "extra",
	"candidate": true, "allowed": false,
}

test_missing_keys_fail_exact_results if {
	inp := _one("default", [_missing_env, _missing_object])
	_deny("parity.missing_keys", inp, _thresholds) == {
		{
			"criterion": "parity.missing_keys",
			"msg": "parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].env[FEATURE_X] is in production (\"on\") but missing in staging; no allow-rule matches",
			"observed": "missing", "comparator": "==", "threshold": "present",
			"evidence": "parity-k8s", "pointer": "/data/differences/0/category",
			"fingerprint": "apps/v1 Deployment shop/cart#spec.template.spec.containers[app].env[FEATURE_X]",
		},
		{
			"criterion": "parity.missing_keys",
			"msg": "parity-k8s: networking.k8s.io/v1 NetworkPolicy shop/cart (whole object) is in production but missing in staging; no allow-rule matches",
			"observed": "missing", "comparator": "==", "threshold": "present",
			"evidence": "parity-k8s", "pointer": "/data/differences/1/category",
			"fingerprint": "networking.k8s.io/v1 NetworkPolicy shop/cart#",
		},
	}
	_checked("parity.missing_keys", inp, _thresholds) == set()
}

test_missing_keys_extra_warns_by_default_exact_result if {
	inp := _one("default", [_extra_env])
	_deny("parity.missing_keys", inp, _thresholds) == set()
	_warn("parity.missing_keys", inp, _thresholds) == {{
		"criterion": "parity.missing_keys",
		"msg": "parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].env[DEBUG] is in staging (true) but not in production; no allow-rule matches (extra_keys: warn, defaults)",
		"observed": "extra", "comparator": "==", "threshold": "present",
		"evidence": "parity-k8s", "pointer": "/data/differences/0/category",
		"fingerprint": "apps/v1 Deployment shop/cart#spec.template.spec.containers[app].env[DEBUG]",
	}}
	_messages(_checked("parity.missing_keys", inp, _thresholds)) == {
		"parity-k8s: no unallowed missing key between production and staging (1 missing/extra difference(s), 0 allowed by rules; 1 not allowed, which warn)",
	}
}

test_missing_keys_extra_fails_in_tier_critical if {
	inp := _one("critical", [_extra_env])
	_messages(_deny("parity.missing_keys", inp, _thresholds)) == {
		"parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].env[DEBUG] is in staging (true) but not in production; no allow-rule matches (extra_keys: fail, tier critical)",
	}
	_warn("parity.missing_keys", inp, _thresholds) == set()
	_checked("parity.missing_keys", inp, _thresholds) == set()
}

test_missing_keys_extra_fails_when_the_choice_is_broken if {
	inp := _one("broken", [_extra_env])
	_messages(_deny("parity.missing_keys", inp, _with({"extra_keys": "sometimes"}))) == {
		"parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].env[DEBUG] is in staging (true) but not in production; no allow-rule matches (extra_keys is missing or invalid, see parity.rule_data)",
	}
}

test_missing_keys_allowed_difference_passes if {
	allowed := object.union(_missing_object, {"allowed": true, "rule": "no-netpol-in-staging", "note": "staging has no network policies"})
	inp := _one("critical", [allowed])
	_deny("parity.missing_keys", inp, _thresholds) == set()
	_warn("parity.missing_keys", inp, _thresholds) == set()
	_messages(_checked("parity.missing_keys", inp, _thresholds)) == {
		"parity-k8s: no unallowed missing key between production and staging (1 missing/extra difference(s), 1 allowed by rules)",
	}
}

test_missing_keys_leave_secrets_to_secrets_present if {
	secret := {"object": "v1 Secret shop/db", "field": "data.token", "category": "missing", "secret": "missing", "allowed": false}
	inp := _one("default", [secret])
	_deny("parity.missing_keys", inp, _thresholds) == set()
	_pointers(_deny("parity.secrets_present", inp, _thresholds)) == {"/data/differences/0/secret"}
}

# --- parity.capacity ------------------------------------------------------------------------------

_replicas := {
	"object": _deployment, "field": "spec.replicas", "category": "capacity", "baseline": 6, "candidate": 1,
	"ratio_bp": 1666, "allowed": false, "rule": "replicas", "note": "ratio 0.16 outside 0.25..1.00",
}

test_capacity_fail_exact_result if {
	inp := _one("default", [_replicas])
	_deny("parity.capacity", inp, _thresholds) == {{
		"criterion": "parity.capacity",
		"msg": "parity-k8s: apps/v1 Deployment shop/cart, field spec.replicas (capacity) differs: production 6, staging 1, 16.66% of production; rule replicas matched but did not allow it: ratio 0.16 outside 0.25..1.00",
		"observed": 1, "comparator": "==", "threshold": 6,
		"evidence": "parity-k8s", "pointer": "/data/differences/0/candidate",
		"fingerprint": "apps/v1 Deployment shop/cart#spec.replicas",
	}}
	_checked("parity.capacity", inp, _thresholds) == set()
}

test_capacity_without_ratio_names_both_values if {
	memory := {
		"object": _deployment, "field": "spec.template.spec.containers[app].resources.limits.memory",
		"category": "capacity", "baseline": "2Gi", "candidate": "512Mi", "allowed": false,
	}
	_messages(_deny("parity.capacity", _one("default", [memory]), _thresholds)) == {
		"parity-k8s: apps/v1 Deployment shop/cart, field spec.template.spec.containers[app].resources.limits.memory (capacity) differs: production \"2Gi\", staging \"512Mi\"; no allow-rule matches",
	}
}

test_capacity_allowed_difference_passes if {
	inp := _input("default", [_good])
	_messages(_checked("parity.capacity", inp, _thresholds)) == {
		"parity-k8s: no unallowed capacity difference between production and staging (1 capacity difference(s), 1 allowed by rules)",
	}
}

test_values_of_every_type_are_named if {
	flag := {"object": "config/app.yaml", "field": "cache.enabled", "category": "capacity", "baseline": true, "candidate": false, "allowed": false}
	absent := {"object": "config/app.yaml", "field": "cache.size", "category": "capacity", "baseline": 0, "allowed": false}
	_messages(_deny("parity.capacity", _one("default", [flag, absent]), _thresholds)) == {
		"parity-k8s: config/app.yaml, field cache.enabled (capacity) differs: production true, staging false; no allow-rule matches",
		"parity-k8s: config/app.yaml, field cache.size (capacity) differs: production 0, staging (not set); no allow-rule matches",
	}
}

# --- parity.secrets_present -----------------------------------------------------------------------

_secret(field, category, state) := {"object": "v1 Secret shop/db", "field": field, "category": category, "secret": state, "allowed": false}

test_secrets_missing_fail_exact_results if {
	inp := _one("default", [
		_secret("data.a", "secret", "missing"), _secret("data.b", "missing", "missing"),
		_secret("data.c", "extra", "missing"),
	])
	_deny("parity.secrets_present", inp, _thresholds) == {
		{
			"criterion": "parity.secrets_present",
			"msg": "parity-k8s: secret v1 Secret shop/db, field data.a is missing in production or staging; no allow-rule matches",
			"observed": "missing", "comparator": "!=", "threshold": "missing",
			"evidence": "parity-k8s", "pointer": "/data/differences/0/secret", "fingerprint": "v1 Secret shop/db#data.a",
		},
		{
			"criterion": "parity.secrets_present",
			"msg": "parity-k8s: secret v1 Secret shop/db, field data.b is missing in staging; no allow-rule matches",
			"observed": "missing", "comparator": "!=", "threshold": "missing",
			"evidence": "parity-k8s", "pointer": "/data/differences/1/secret", "fingerprint": "v1 Secret shop/db#data.b",
		},
		{
			"criterion": "parity.secrets_present",
			"msg": "parity-k8s: secret v1 Secret shop/db, field data.c is missing in production; no allow-rule matches",
			"observed": "missing", "comparator": "!=", "threshold": "missing",
			"evidence": "parity-k8s", "pointer": "/data/differences/2/secret", "fingerprint": "v1 Secret shop/db#data.c",
		},
	}
	_warn("parity.secrets_present", inp, _thresholds) == set()
	_checked("parity.secrets_present", inp, _thresholds) == set()
}

test_secret_differs_warns_by_default_exact_result if {
	inp := _one("default", [_secret("data.password", "secret", "differs")])
	_deny("parity.secrets_present", inp, _thresholds) == set()
	_warn("parity.secrets_present", inp, _thresholds) == {{
		"criterion": "parity.secrets_present",
		"msg": "parity-k8s: secret v1 Secret shop/db, field data.password differs between production and staging (compared by keyed hash; values are never recorded); no allow-rule matches (secret_differs: warn, defaults)",
		"observed": "differs", "comparator": "==", "threshold": "same",
		"evidence": "parity-k8s", "pointer": "/data/differences/0/secret", "fingerprint": "v1 Secret shop/db#data.password",
	}}
	count(_checked("parity.secrets_present", inp, _thresholds)) == 1
}

test_secret_differs_fails_in_tier_critical if {
	inp := _one("critical", [_secret("data.password", "secret", "differs")])
	_messages(_deny("parity.secrets_present", inp, _thresholds)) == {
		"parity-k8s: secret v1 Secret shop/db, field data.password differs between production and staging (compared by keyed hash; values are never recorded); no allow-rule matches (secret_differs: fail, tier critical)",
	}
	_warn("parity.secrets_present", inp, _thresholds) == set()
}

test_secret_without_state_differs if {
	bare := {"object": "v1 Secret shop/db", "field": "data.key", "category": "secret", "allowed": false}
	some r in _warn("parity.secrets_present", _one("default", [bare]), _thresholds)
	r.observed == "secret" # no state recorded: the result points at the category, and judges it as differing
	r.pointer == "/data/differences/0/category"
	contains(r.msg, "differs")
}

test_secret_allowed_difference_passes if {
	inp := _input("critical", [_good])
	_messages(_checked("parity.secrets_present", inp, _thresholds)) == {
		"parity-k8s: no secret missing on one side between production and staging (1 secret difference(s), 1 allowed by rules)",
	}
}

# --- counts beyond the listed differences ---------------------------------------------------------

test_unlisted_unallowed_differences_fail_their_criterion if {
	# The list stops after one image difference; the counts report 120 unallowed images and 7 unallowed
	# capacity differences.
	long := _patched({
		"differences": [_unallowed_image],
		"counts": _counts({"image": 130, "capacity": 7, "config": 60000}, {"image": 10}),
		"truncated": true,
	})
	inp := _input("default", [_item("parity-k8s", long)])
	{
		"criterion": "parity.images_and_versions",
		"msg": "parity-k8s counts 120 unallowed image difference(s) but lists 1 of them (it lists only the first 1 differences): the others cannot be named",
		"observed": 120, "comparator": "<=", "threshold": 1,
		"evidence": "parity-k8s", "pointer": "/data/counts/0",
	} in _deny("parity.images_and_versions", inp, _thresholds)
	_pointers(_deny("parity.capacity", inp, _thresholds)) == {"/data/counts/3"}
	_deny("parity.missing_keys", inp, _thresholds) == set()
	_checked("parity.capacity", inp, _thresholds) == set()
}

test_unlisted_extra_and_secret_differences_follow_the_tier if {
	long := _patched({
		"differences": [],
		"counts": _counts({"extra": 4, "secret": 2}, {}),
		"truncated": false,
	})
	default_input := _input("default", [_item("parity-k8s", long)])
	_messages(_warn("parity.missing_keys", default_input, _thresholds)) == {
		"parity-k8s counts 4 unallowed extra difference(s) but lists 0 of them: the others cannot be named",
	}
	_pointers(_warn("parity.secrets_present", default_input, _thresholds)) == {"/data/counts/4"}
	_deny("parity.secrets_present", default_input, _thresholds) == set()
	critical_input := _input("critical", [_item("parity-k8s", long)])
	_pointers(_deny("parity.missing_keys", critical_input, _thresholds)) == {"/data/counts/6"}
	_pointers(_deny("parity.secrets_present", critical_input, _thresholds)) == {"/data/counts/4"}
	_warn("parity.secrets_present", critical_input, _thresholds) == set()
}

test_unlisted_config_differences_judged_by_the_ratio_only if {
	long := _patched({"differences": [], "counts": _counts({"config": 3}, {}), "keys_equal": 397, "parity_bp": 9925})
	inp := _input("default", [_item("parity-k8s", long)])
	every criterion in _criteria {
		_deny(criterion, inp, _thresholds) == set()
		_warn(criterion, inp, _thresholds) == set()
	}
}

# --- parity.allow_rules ---------------------------------------------------------------------------

test_expired_rule_warns_exact_result if {
	expired := _patched({"rules": [_rule("aws-provider", 2, 0, "2026-11-01", true), _rule("replicas", 1, 1, "2027-03-31", false)]})
	inp := _input("default", [_item("parity-k8s", expired)])
	_warn("parity.allow_rules", inp, _thresholds) == {{
		"criterion": "parity.allow_rules",
		"msg": "allow-rule aws-provider of parity-k8s expired on 2026-11-01 (its last day) and no longer allows anything: 2 difference(s) it matched count as not allowed; renew it with a new expiry or remove it",
		"observed": true, "comparator": "==", "threshold": false,
		"evidence": "parity-k8s", "pointer": "/data/rules/0/expired",
	}}
	_checked("parity.allow_rules", inp, _thresholds) == {{
		"criterion": "parity.allow_rules",
		"msg": "allow-rule replicas of parity-k8s applies until 2027-03-31: it matched 1 difference(s) and allowed 1",
		"observed": "2027-03-31", "comparator": ">=", "threshold": "2026-11-27",
		"evidence": "parity-k8s", "pointer": "/data/rules/1/expires",
	}}
	_deny("parity.allow_rules", inp, _thresholds) == set()
}

test_rule_expired_since_the_comparison_warns if {
	stale := _patched({"rules": [_rule("replicas", 1, 1, "2026-11-26", false)]})
	inp := _input("default", [_item("parity-k8s", stale)])
	_warn("parity.allow_rules", inp, _thresholds) == {{
		"criterion": "parity.allow_rules",
		"msg": "allow-rule replicas of parity-k8s applied at comparison time but its last day, 2026-11-26, is before 2026-11-27: the 1 difference(s) it allowed need a renewed rule and a new comparison",
		"observed": "2026-11-26", "comparator": ">=", "threshold": "2026-11-27",
		"evidence": "parity-k8s", "pointer": "/data/rules/0/expires",
	}}
	_checked("parity.allow_rules", inp, _thresholds) == set()
}

test_rule_on_its_last_day_still_applies if {
	today := _patched({"rules": [_rule("replicas", 1, 1, "2026-11-27", false)]})
	inp := _input("default", [_item("parity-k8s", today)])
	_warn("parity.allow_rules", inp, _thresholds) == set()
	count(_checked("parity.allow_rules", inp, _thresholds)) == 1
}

test_rules_without_evaluation_date_rely_on_the_item if {
	inp := object.remove(_input("default", [_good]), ["evaluation"])
	_warn("parity.allow_rules", inp, _thresholds) == set()
	some r in _checked("parity.allow_rules", inp, _thresholds)
	r.threshold == null
}

# --- parity.rule_data -----------------------------------------------------------------------------

test_shipped_thresholds_are_valid_for_every_tier if {
	# The thresholds in policies/data/*.yaml, as readiness loads them.
	every tier in ["default", "critical", "high", "standard", "low"] {
		{r | some r in parity.deny; r.criterion == "parity.rule_data"} == set() with input as {"tier": tier}
		count({r | some r in parity.checked; r.criterion == "parity.rule_data"}) == 3 with input as {"tier": tier}
	}
}

test_shipped_floors_per_tier if {
	floors := {tier: r.observed |
		some tier in ["default", "critical", "high", "standard", "low"]
		results := parity.checked with input as {"tier": tier}
		some r in results
		r.pointer == sprintf("/thresholds/%s/min_parity_bp", [_level(tier)])
	}
	floors == {"default": 9500, "critical": 9900, "high": 9800, "standard": 9500, "low": 9000}
}

_level("default") := "default/parity"

_level(tier) := sprintf("tiers/%s/parity", [tier]) if tier != "default"

test_rule_data_checked_exact_results if {
	_checked("parity.rule_data", {"tier": "critical"}, _thresholds) == {
		{
			"criterion": "parity.rule_data", "msg": "parity threshold min_parity_bp is 9900 (tier critical)",
			"observed": 9900, "comparator": "in", "threshold": "integer from 0 to 10000 (basis points)",
			"evidence": null, "pointer": "/thresholds/tiers/critical/parity/min_parity_bp",
		},
		{
			"criterion": "parity.rule_data", "msg": "parity threshold extra_keys is fail (tier critical)",
			"observed": "fail", "comparator": "in", "threshold": "fail or warn",
			"evidence": null, "pointer": "/thresholds/tiers/critical/parity/extra_keys",
		},
		{
			"criterion": "parity.rule_data", "msg": "parity threshold secret_differs is fail (tier critical)",
			"observed": "fail", "comparator": "in", "threshold": "fail or warn",
			"evidence": null, "pointer": "/thresholds/tiers/critical/parity/secret_differs",
		},
	}
	_deny("parity.rule_data", {"tier": "critical"}, _thresholds) == set()
}

test_rule_data_whole_number_float_is_accepted if {
	some r in _checked("parity.rule_data", {"tier": "broken"}, _with({"min_parity_bp": 9900.0}))
	r.observed == 9900
	_deny("parity.rule_data", {"tier": "broken"}, _with({"min_parity_bp": 9900.0})) == set()
}

test_rule_data_invalid_values_exact_results if {
	every value in [10001, -1, 99.5, "9900", true] {
		_deny("parity.rule_data", {"tier": "broken"}, _with({"min_parity_bp": value})) == {{
			"criterion": "parity.rule_data",
			"msg": "parity threshold min_parity_bp (tier broken) is invalid: it must be integer from 0 to 10000 (basis points)",
			"observed": value, "comparator": "in", "threshold": "integer from 0 to 10000 (basis points)",
			"evidence": null, "pointer": "/thresholds/tiers/broken/parity/min_parity_bp",
		}}
	}
	_messages(_deny("parity.rule_data", {"tier": "broken"}, _with({"extra_keys": "Fail", "secret_differs": 1}))) == {
		"parity threshold extra_keys (tier broken) is invalid: it must be fail or warn",
		"parity threshold secret_differs (tier broken) is invalid: it must be fail or warn",
	}
}

test_rule_data_missing_threshold if {
	thresholds := {"default": {"parity": {"min_parity_bp": 9500, "extra_keys": "warn"}}, "tiers": {"broken": {}}}
	_deny("parity.rule_data", {"tier": "broken"}, thresholds) == {{
		"criterion": "parity.rule_data",
		"msg": "parity threshold secret_differs is set neither for tier broken nor in the defaults",
		"observed": null, "comparator": "in", "threshold": "fail or warn",
		"evidence": null, "pointer": "/thresholds/default/parity/secret_differs",
	}}
	# The secret that differs fails: a broken choice never lets it pass as a warning.
	_messages(_deny("parity.secrets_present", _one("broken", [_secret("data.password", "secret", "differs")]), thresholds)) == {
		"parity-k8s: secret v1 Secret shop/db, field data.password differs between production and staging (compared by keyed hash; values are never recorded); no allow-rule matches (secret_differs is missing or invalid, see parity.rule_data)",
	}
}

test_rule_data_unknown_names_and_non_mappings if {
	thresholds := {
		"default": {"parity": {"min_parity_bp": 9500, "extra_keys": "warn", "secret_differs": "warn", "min_parity": 90}},
		"tiers": {"broken": {"parity": ["min_parity_bp", 9900]}},
	}
	_deny("parity.rule_data", {"tier": "broken"}, thresholds) == {
		{
			"criterion": "parity.rule_data", "msg": "/thresholds/tiers/broken/parity under data.readiness must be a mapping",
			"observed": ["min_parity_bp", 9900], "comparator": "in", "threshold": "mapping",
			"evidence": null, "pointer": "/thresholds/tiers/broken/parity",
		},
		{
			"criterion": "parity.rule_data", "msg": "min_parity is not a parity threshold (defaults)",
			"observed": 90, "comparator": "in", "threshold": ["extra_keys", "min_parity_bp", "secret_differs"],
			"evidence": null, "pointer": "/thresholds/default/parity/min_parity",
		},
	}
	_messages(_deny("parity.rule_data", {"tier": "broken"}, _with({"floor": 1}))) == {"floor is not a parity threshold (tier broken)"}
}

test_rule_data_unknown_tier if {
	_deny("parity.rule_data", {"tier": "platinum"}, _thresholds) == {{
		"criterion": "parity.rule_data",
		"msg": "tier platinum is not listed under thresholds.tiers, so it would silently get the default thresholds",
		"observed": "platinum", "comparator": "in", "threshold": ["critical", "standard"],
		"evidence": null, "pointer": "/thresholds/tiers",
	}}
}

test_one_unlisted_difference_is_enough if {
	short := _patched({"differences": [_unallowed_image], "counts": _counts({"image": 2}, {}), "truncated": true})
	some r in _deny("parity.images_and_versions", _input("default", [_item("parity-k8s", short)]), _thresholds)
	r.pointer == "/data/counts/0"
	r.msg == "parity-k8s counts 2 unallowed image difference(s) but lists 1 of them (it lists only the first 1 differences): the others cannot be named"
}
