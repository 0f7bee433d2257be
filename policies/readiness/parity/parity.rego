# METADATA
# scope: package
# title: Environment parity
# description: >-
#   Criteria over the `parity` evidence kind (schema parity/v1): a candidate environment (staging, where
#   the release was verified) compared key by key with its baseline (production), one evidence item per
#   comparison (`readiness parity --baseline PROD --candidate STAGING --rules RULES.yaml`). A key is an
#   object and a field, e.g. "apps/v1 Deployment shop/cart" and "spec.replicas"; every difference has a
#   category (image, version, config, capacity, secret, missing: only in the baseline, extra: only in the
#   candidate) and says whether an allow-rule of the rules file accepted it (an expected difference, with
#   a reason, an owner and an expiry). Numbers are integers; ratios are in basis points.
#
#   A difference an allow-rule accepted never fails a criterion. Every other difference is judged by the
#   criterion of its category, one result per difference: pointer /data/differences/N, fingerprint
#   "<object>#<field>" (the same text an allow-rule's `match` is written against), so that a waiver can
#   accept one difference. The message names the object, the field, both values (a secret only as
#   "missing" or "differs": its values are never recorded) and the rule that matched but did not allow
#   it (its id and note), or "no allow-rule matches". Config differences have no criterion of their own:
#   they lower the parity ratio.
#
#   When the item lists only the first differences (truncated: true), the listed ones are judged one by
#   one and the per-category counts, which count every difference, judge the rest: unallowed
#   differences the counts report beyond the list fail (or warn) their criterion as a group, and
#   parity.parity_ratio warns that the list is truncated.
#
#   The thresholds are rule data in data.readiness.thresholds (policies/data/parity.yaml):
#
#     thresholds:
#       default:
#         parity:
#           min_parity_bp: 9500      # keys equal or allowed to differ, at least 95 % (parity.parity_ratio)
#           extra_keys: warn         # a key only in the candidate: fail | warn (parity.missing_keys)
#           secret_differs: warn     # a secret whose value differs: fail | warn (parity.secrets_present)
#       tiers:
#         critical:
#           parity: {min_parity_bp: 9900, extra_keys: fail, secret_differs: fail}
#
#   A threshold is the tier's value when the tier sets it, else the default. parity.rule_data checks
#   them; a criterion whose threshold is broken does not pass unchecked: the ratio cannot be judged and
#   fails, and a fail-or-warn choice that is broken fails.
package readiness.parity

import data.readiness.lib

# METADATA
# title: Parity ratio at or above the tier's floor
# description: >-
#   The share of compared keys that are equal in both environments or whose difference an allow-rule
#   accepted is at least min_parity_bp (basis points, per tier: 99 % for critical services). Allowed
#   differences count as matching because a rule with a reason, an owner and an expiry declared them
#   expected (staging runs fewer replicas); the message gives the raw parity (keys equal) as well and the
#   unallowed differences per category. Unallowed config differences have no other criterion: this one
#   judges how many there are.
# custom:
#   id: parity.parity_ratio
#   severity: high
#   requires: [parity]
#   remediation: >-
#     Make the candidate environment match the baseline (the differences are listed in the parity item,
#     each with both values), or, for a difference that is expected, add an allow-rule with a reason, an
#     owner and an expiry to the rules file and compare again.
deny contains result if {
	some result in _violations
	result.criterion == "parity.parity_ratio"
}

warn contains result if {
	some item in lib.items("parity")
	item.data.truncated == true
	result := lib.result(
		"parity.parity_ratio", item.id, "/data/truncated", true, "==", false,
		sprintf("%s lists only the first %d of %d differences: the listed ones are judged one by one, the rest by the per-category counts", [
			item.id, count(item.data.differences), _sum([c.total | some c in item.data.counts]),
		]),
	)
}

checked contains result if {
	some item in lib.items("parity")
	_effective_bp(item) >= _limits.min_parity_bp
	result := _ratio_result(item)
}

# METADATA
# title: No unallowed image or version difference
# description: >-
#   Every image (by digest when the source gives one, else by tag) and every version (Terraform
#   providers and modules, the service inventory) of the candidate equals the baseline's, unless an
#   allow-rule accepts the difference: otherwise the release was verified on other software than
#   production runs.
# custom:
#   id: parity.images_and_versions
#   severity: high
#   requires: [parity]
#   remediation: >-
#     Deploy the same images and versions to both environments (pin images by digest), or add an
#     allow-rule for a difference that is expected (the image of the service being released, a provider
#     upgrade rolled out to staging first) and compare again.
deny contains result if {
	some result in _violations
	result.criterion == "parity.images_and_versions"
}

checked contains result if {
	some result in _group_checks("parity.images_and_versions")
}

# METADATA
# title: No configuration key missing in one environment
# description: >-
#   No key (a whole object, a field, an environment variable) of the baseline is missing in the
#   candidate unless an allow-rule accepts it: staging would not have run with that configuration. A
#   key only in the candidate (extra) warns, or fails where extra_keys is `fail` (tiers critical and
#   high): the release may depend on configuration production lacks. Secrets missing on one side are
#   judged by parity.secrets_present.
# custom:
#   id: parity.missing_keys
#   severity: high
#   requires: [parity]
#   remediation: >-
#     Add the key named in the result to the environment that lacks it (for an extra key, to
#     production's configuration before the release goes there), or add an allow-rule for a key that
#     exists in one environment only on purpose.
deny contains result if {
	some result in _violations
	result.criterion == "parity.missing_keys"
}

warn contains result if {
	some result in _warnings
	result.criterion == "parity.missing_keys"
}

checked contains result if {
	some result in _group_checks("parity.missing_keys")
}

# METADATA
# title: Capacity within the allowed ratios
# description: >-
#   Every capacity value (replicas, CPU and memory requests and limits, instance sizes and counts) of the
#   candidate equals the baseline's, or an allow-rule accepts the difference (typically a ratio: staging
#   may run a third of production's replicas). The message gives the ratio candidate / baseline.
# custom:
#   id: parity.capacity
#   severity: medium
#   requires: [parity]
#   remediation: >-
#     Size the candidate like the baseline, or add (or widen) an allow-rule with the ratio staging may
#     run at (expect: ratio with min and max) and compare again.
deny contains result if {
	some result in _violations
	result.criterion == "parity.capacity"
}

checked contains result if {
	some result in _group_checks("parity.capacity")
}

# METADATA
# title: Secrets present on both sides
# description: >-
#   Every secret (Kubernetes Secret data, keys named like secrets, values that look like credentials)
#   of either environment exists in the other, unless an allow-rule accepts it. Secrets are compared by
#   keyed hash only: the item and the results say "missing" or "differs", never a value. A secret whose
#   value differs warns, or fails where secret_differs is `fail` (tiers critical and high): distinct
#   credentials per environment are expected, so declare them with an allow-rule (expect: differs).
# custom:
#   id: parity.secrets_present
#   severity: high
#   requires: [parity]
#   remediation: >-
#     Create the secret named in the result in the environment that lacks it. For secrets that differ on
#     purpose (per-environment credentials) add an allow-rule with category secret and expect differs.
deny contains result if {
	some result in _violations
	result.criterion == "parity.secrets_present"
}

warn contains result if {
	some result in _warnings
	result.criterion == "parity.secrets_present"
}

checked contains result if {
	some result in _group_checks("parity.secrets_present")
}

# METADATA
# title: Allow-rules are current
# description: >-
#   No allow-rule of the comparison has expired, at comparison time (the item says so) or since then
#   (its last day is before the evaluation date). An expired rule accepts nothing: the differences it
#   matched count as unallowed and fail their own criteria; this criterion says which rule expired and
#   when, so that it is renewed or removed.
# custom:
#   id: parity.allow_rules
#   severity: low
#   requires: [parity]
#   remediation: >-
#     Review the rule named in the result: if the difference is still expected, give it a new expiry
#     (and check its reason and owner); if not, remove the rule and fix the difference. Compare again.
warn contains result if {
	some item in lib.items("parity")
	some index, rule in item.data.rules
	_expired(rule)
	result := _rule_result(item, index, rule)
}

checked contains result if {
	some item in lib.items("parity")
	some index, rule in item.data.rules
	not _expired(rule)
	result := _rule_result(item, index, rule)
}

# METADATA
# title: Parity thresholds are well-formed
# description: >-
#   The parity thresholds that apply to this evaluation (from the tier or the defaults) are set and
#   valid: min_parity_bp an integer from 0 to 10000, extra_keys and secret_differs `fail` or `warn`; no
#   unknown name is set, and a tier the bundle names is listed under tiers. It needs no evidence.
# custom:
#   id: parity.rule_data
#   severity: high
#   requires: []
#   remediation: >-
#     Fix the value at the result's pointer (under data.readiness) in policies/data/parity.yaml or in the
#     --data file that overrides it; add a missing tier under thresholds.tiers.
deny contains result if {
	some result in _rule_data_violations
}

checked contains result if {
	some name in _names
	_has_limit(name)
	result := lib.result(
		"parity.rule_data", null, lib.threshold_pointer("parity", name), _limits[name], "in", _expected[name],
		sprintf("parity threshold %s is %s (%s)", [name, _format(_limits[name]), _source(name)]),
	)
}

# --- thresholds ----------------------------------------------------------------------------------

_names := ["extra_keys", "min_parity_bp", "secret_differs"]

_expected := {
	"extra_keys": "fail or warn",
	"min_parity_bp": "integer from 0 to 10000 (basis points)",
	"secret_differs": "fail or warn",
}

# _limits holds the valid thresholds that apply (the tier's value, else the default), e.g.
#   {"min_parity_bp": 9900, "extra_keys": "fail", "secret_differs": "fail"}
# An invalid or missing threshold is absent.
_limits := {name: _whole(value) |
	some name in _names
	value := lib.threshold("parity", name)
	_valid(name, _whole(value))
}

# _whole turns whole numbers YAML may give as floats (9900.0) into integers; other values stay.
_whole(value) := floor(value) if lib.is_count(value) else := value

_valid("min_parity_bp", value) if {
	lib.is_count(value)
	value <= 10000
}

_valid(name, value) if {
	name in {"extra_keys", "secret_differs"}
	value in {"fail", "warn"}
}

_has_limit(name) if {
	_ = _limits[name]
}

# _fails holds for a fail-or-warn threshold set to fail, and for one that is missing or invalid: a
# broken choice fails rather than letting the difference pass as a warning.
_fails(name) if _limits[name] == "fail"

_fails(name) if not _has_limit(name)

# _choice says in messages why a difference fails or warns: "extra_keys: fail, tier critical".
_choice(name) := sprintf("%s: %s, %s", [name, _limits[name], _source(name)]) if {
	_has_limit(name)
} else := sprintf("%s is missing or invalid, see parity.rule_data", [name])

# _source names where a threshold comes from, for messages: "tier critical" or "defaults".
_source(name) := sprintf("tier %s", [lib.tier]) if {
	_ = data.readiness.thresholds.tiers[lib.tier].parity[name]
} else := "defaults"

_format(value) := format_int(value, 10) if is_number(value) else := value

# _raw is the threshold as set (null when it is not set anywhere).
_raw(name) := value if {
	value := lib.threshold("parity", name)
} else := null

# --- parity ratio --------------------------------------------------------------------------------

_sum(values) := sum(values)

# _effective_bp is the share of compared keys that are equal or differ with an allow-rule's consent, in
# basis points rounded down (like parity_bp), 10000 when nothing was compared.
_effective_bp(item) := 10000 if {
	item.data.keys_compared == 0
} else := min([10000, lib.floor_div((item.data.keys_equal + _allowed(item)) * 10000, item.data.keys_compared)])

_allowed(item) := _sum([c.allowed | some c in item.data.counts])

_violations contains result if {
	some item in lib.items("parity")
	_effective_bp(item) < _limits.min_parity_bp
	result := _ratio_result(item)
}

_violations contains result if {
	some item in lib.items("parity")
	not _has_limit("min_parity_bp")
	result := lib.result(
		"parity.parity_ratio", null, lib.threshold_pointer("parity", "min_parity_bp"), _raw("min_parity_bp"),
		"in", _expected.min_parity_bp,
		sprintf("cannot judge the parity of %s: parity threshold min_parity_bp (%s) is missing or invalid (see parity.rule_data)", [
			item.id, _source("min_parity_bp"),
		]),
	)
}

_ratio_result(item) := lib.result(
	"parity.parity_ratio", item.id, "/data", _effective_bp(item), ">=", _limits.min_parity_bp,
	sprintf("%s: %s matches %s on %s of %d keys counting the %d difference(s) allowed by rules (%d keys equal: %s); at least %s needed (%s); %s", [
		item.id, _env(item, "candidate"), _env(item, "baseline"), lib.percent(_effective_bp(item)), item.data.keys_compared,
		_allowed(item), item.data.keys_equal, lib.percent(item.data.parity_bp), lib.percent(_limits.min_parity_bp),
		_source("min_parity_bp"), _unallowed_text(item),
	]),
)

# _unallowed_text lists the unallowed differences per category, e.g. "not allowed: 1 image, 2 config".
_unallowed_text(item) := sprintf("not allowed: %s", [concat(", ", parts)]) if {
	parts := [sprintf("%d %s", [c.total - c.allowed, c.category]) | some c in item.data.counts; c.total > c.allowed]
	count(parts) > 0
} else := "every difference is allowed"

# _env names an environment of an item for messages: "production", "staging".
_env(item, side) := item.data[side].name

# --- differences ---------------------------------------------------------------------------------

# _criterion is the criterion that judges a difference: secrets by parity.secrets_present whatever their
# category, config differences by none (they lower the parity ratio).
_criterion(d) := "parity.secrets_present" if {
	_is_secret(d)
} else := _category_criterion[d.category]

_category_criterion := {
	"image": "parity.images_and_versions",
	"version": "parity.images_and_versions",
	"missing": "parity.missing_keys",
	"extra": "parity.missing_keys",
	"capacity": "parity.capacity",
	"secret": "parity.secrets_present",
}

_is_secret(d) if d.category == "secret"

_is_secret(d) if is_string(d.secret)

_difference_fails(d) if {
	not _is_secret(d)
	d.category != "extra"
}

_difference_fails(d) if {
	not _is_secret(d)
	d.category == "extra"
	_fails("extra_keys")
}

_difference_fails(d) if {
	_is_secret(d)
	_secret_state(d) == "missing"
}

_difference_fails(d) if {
	_is_secret(d)
	_secret_state(d) == "differs"
	_fails("secret_differs")
}

# Each unallowed difference that a criterion judges is one result (config differences have none).
_violations contains result if {
	some item in lib.items("parity")
	some index, d in item.data.differences
	d.allowed == false
	_difference_fails(d)
	result := _difference_result(item, index, d)
}

_warnings contains result if {
	some item in lib.items("parity")
	some index, d in item.data.differences
	d.allowed == false
	not _difference_fails(d)
	result := _difference_result(item, index, d)
}

_difference_result(item, index, d) := lib.result_with_fingerprint(
	_criterion(d), item.id, lib.pointer(["data", "differences", index, _observed_field(d)]), d[_observed_field(d)],
	_comparator(d), _threshold(d),
	sprintf("%s: %s; %s%s", [item.id, _what(item, d), _rule_text(d), _choice_text(d)]),
	sprintf("%s#%s", [d.object, d.field]),
)

# _observed_field is the field of the difference a result's observed value is read from, so that the
# pointer leads to it: a secret's state, the category of a key on one side only ("missing", "extra"),
# else the candidate's value (the category when the candidate's value is null).
_observed_field(d) := "secret" if {
	_is_secret(d)
	is_string(d.secret)
} else := "category" if {
	d.category in {"missing", "extra"}
} else := "candidate" if {
	object.get(d, "candidate", null) != null
} else := "category"

_comparator(d) := "!=" if {
	_is_secret(d)
	_secret_state(d) == "missing"
} else := "=="

_threshold(d) := "missing" if {
	_is_secret(d)
	_secret_state(d) == "missing"
} else := "same" if {
	_is_secret(d)
} else := "present" if {
	d.category in {"missing", "extra"}
} else := object.get(d, "baseline", null)

# _secret_state is "missing" or "differs" (a secret difference without a state differs).
_secret_state(d) := "missing" if d.secret == "missing" else := "differs"

# _what says what differs, naming the object, the field and both values.
_what(item, d) := sprintf("secret %s is missing in %s", [_place(d), _missing_side(item, d)]) if {
	_is_secret(d)
	_secret_state(d) == "missing"
} else := sprintf("secret %s differs between %s and %s (compared by keyed hash; values are never recorded)", [
	_place(d), _env(item, "baseline"), _env(item, "candidate"),
]) if {
	_is_secret(d)
} else := sprintf("%s is in %s%s but missing in %s", [
	_place(d), _env(item, "baseline"), _value_text(d, "baseline"), _env(item, "candidate"),
]) if {
	d.category == "missing"
} else := sprintf("%s is in %s%s but not in %s", [
	_place(d), _env(item, "candidate"), _value_text(d, "candidate"), _env(item, "baseline"),
]) if {
	d.category == "extra"
} else := sprintf("%s (%s) differs: %s %s, %s %s%s", [
	_place(d), d.category, item.data.baseline.name, _value(object.get(d, "baseline", null)),
	item.data.candidate.name, _value(object.get(d, "candidate", null)), _ratio_text(item, d),
])

# A secret's side is known from a missing or extra category only.
_missing_side(item, d) := _env(item, "candidate") if {
	d.category == "missing"
} else := _env(item, "baseline") if {
	d.category == "extra"
} else := sprintf("%s or %s", [_env(item, "baseline"), _env(item, "candidate")])

_place(d) := sprintf("%s, field %s", [d.object, d.field]) if d.field != "" else := sprintf("%s (whole object)", [d.object])

_value_text(d, side) := sprintf(" (%s)", [_value(d[side])]) if {
	d[side] != null
} else := ""

_value(value) := sprintf("\"%s\"", [value]) if is_string(value)

_value(value) := format_int(value, 10) if is_number(value)

_value(value) := "true" if value == true

_value(value) := "false" if value == false

_value(value) := "(not set)" if is_null(value)

_ratio_text(item, d) := sprintf(", %s of %s", [lib.percent(d.ratio_bp), item.data.baseline.name]) if {
	lib.is_count(d.ratio_bp)
} else := ""

_rule_text(d) := sprintf("rule %s matched but did not allow it: %s", [d.rule, object.get(d, "note", "(no note)")]) if {
	is_string(d.rule)
} else := "no allow-rule matches"

_choice_text(d) := sprintf(" (%s)", [_choice("extra_keys")]) if {
	not _is_secret(d)
	d.category == "extra"
} else := sprintf(" (%s)", [_choice("secret_differs")]) if {
	_is_secret(d)
	_secret_state(d) == "differs"
} else := ""

# --- per-category counts -------------------------------------------------------------------------

# _gaps are the unallowed differences the per-category counts report beyond those listed (when the
# list is truncated), per item and category, e.g.
#   {"item": "parity-k8s", "shown": 50000, "truncated": true, "index": 0, "category": "image", "unallowed": 120,
#    "listed": 3}
_gaps contains {"item": item.id, "shown": count(item.data.differences), "truncated": item.data.truncated, "index": index, "category": c.category, "unallowed": c.total - c.allowed, "listed": listed} if {
	some item in lib.items("parity")
	some index, c in item.data.counts
	listed := count([d | some d in item.data.differences; d.category == c.category; d.allowed == false])
	c.total - c.allowed > listed
}

# A gap of secrets may hide secrets missing on one side (the counts do not say which), so it fails
# only where differing secrets fail too.
_gap_fails(gap) if {
	gap.category in {"image", "version", "missing", "capacity"}
}

_gap_fails(gap) if {
	gap.category == "extra"
	_fails("extra_keys")
}

_gap_fails(gap) if {
	gap.category == "secret"
	_fails("secret_differs")
}

_violations contains result if {
	some gap in _gaps
	_gap_fails(gap)
	result := _gap_result(gap)
}

_warnings contains result if {
	some gap in _gaps
	_category_criterion[gap.category]
	not _gap_fails(gap)
	result := _gap_result(gap)
}

_gap_result(gap) := lib.result(
	_category_criterion[gap.category], gap.item, lib.pointer(["data", "counts", gap.index]), gap.unallowed, "<=", gap.listed,
	sprintf("%s counts %d unallowed %s difference(s) but lists %d of them%s: the others cannot be named", [
		gap.item, gap.unallowed, gap.category, gap.listed, _truncated_text(gap),
	]),
)

_truncated_text(gap) := sprintf(" (it lists only the first %d differences)", [gap.shown]) if {
	gap.truncated == true
} else := ""

# _group_checks is what a difference criterion checked in each item it does not fail, e.g. "parity-k8s: no
# unallowed image or version difference between production and staging (3 image/version difference(s), 3
# allowed by rules)".
_group_checks(criterion) := {result |
	some item in lib.items("parity")
	not _item_fails(criterion, item.id)
	categories := _criterion_categories[criterion]
	warned := count([d | some d in item.data.differences; d.allowed == false; _criterion(d) == criterion])
	result := lib.result(
		criterion, item.id, "/data/counts", _sum([c.total | some c in item.data.counts; c.category in categories]), null, null,
		sprintf("%s: %s between %s and %s (%d %s difference(s), %d allowed by rules%s)", [
			item.id, _group_title[criterion], _env(item, "baseline"), _env(item, "candidate"),
			_sum([c.total | some c in item.data.counts; c.category in categories]), concat("/", categories),
			_sum([c.allowed | some c in item.data.counts; c.category in categories]), _warned_text(warned),
		]),
	)
}

_warned_text(0) := ""

_warned_text(n) := sprintf("; %d not allowed, which warn", [n]) if n > 0

_item_fails(criterion, item_id) if {
	some result in _violations
	result.criterion == criterion
	result.evidence == item_id
}

_criterion_categories := {
	"parity.images_and_versions": ["image", "version"],
	"parity.missing_keys": ["missing", "extra"],
	"parity.capacity": ["capacity"],
	"parity.secrets_present": ["secret"],
}

_group_title := {
	"parity.images_and_versions": "no unallowed image or version difference",
	"parity.missing_keys": "no unallowed missing key",
	"parity.capacity": "no unallowed capacity difference",
	"parity.secrets_present": "no secret missing on one side",
}

# --- allow-rules ---------------------------------------------------------------------------------

_expired(rule) if rule.expired == true

_expired(rule) if {
	is_string(input.evaluation.date)
	rule.expires < input.evaluation.date
}

_rule_result(item, index, rule) := lib.result(
	"parity.allow_rules", item.id, lib.pointer(["data", "rules", index, "expired"]), true, "==", false,
	sprintf("allow-rule %s of %s expired on %s (its last day) and no longer allows anything: %d difference(s) it matched count as not allowed; renew it with a new expiry or remove it", [
		rule.id, item.id, rule.expires, rule.matched,
	]),
) if {
	rule.expired == true
} else := lib.result(
	"parity.allow_rules", item.id, lib.pointer(["data", "rules", index, "expires"]), rule.expires, ">=", input.evaluation.date,
	sprintf("allow-rule %s of %s applied at comparison time but its last day, %s, is before %s: the %d difference(s) it allowed need a renewed rule and a new comparison", [
		rule.id, item.id, rule.expires, input.evaluation.date, rule.allowed,
	]),
) if {
	_expired(rule)
} else := lib.result(
	"parity.allow_rules", item.id, lib.pointer(["data", "rules", index, "expires"]), rule.expires, ">=", _today,
	sprintf("allow-rule %s of %s applies until %s: it matched %d difference(s) and allowed %d", [
		rule.id, item.id, rule.expires, rule.matched, rule.allowed,
	]),
)

_today := input.evaluation.date if is_string(input.evaluation.date) else := null

# --- rule data -----------------------------------------------------------------------------------

# _levels are the places under data.readiness.thresholds that parity thresholds apply from, most
# specific first, each with the mapping set there (missing places are left out).
_levels := array.concat(_tier_level, _default_level)

_tier_level := [{"path": ["tiers", lib.tier, "parity"], "settings": settings}] if {
	settings := data.readiness.thresholds.tiers[lib.tier].parity
} else := []

_default_level := [{"path": ["default", "parity"], "settings": settings}] if {
	settings := data.readiness.thresholds.default.parity
} else := []

_data_pointer(path) := lib.pointer(array.concat(["thresholds"], path))

_rule_data_violations contains result if {
	some level in _levels
	not is_object(level.settings)
	result := lib.result("parity.rule_data", null, _data_pointer(level.path), level.settings, "in", "mapping",
		sprintf("%s under data.readiness must be a mapping", [_data_pointer(level.path)]))
}

_rule_data_violations contains result if {
	some level in _levels
	is_object(level.settings)
	some name, value in level.settings
	not name in _names
	result := lib.result("parity.rule_data", null, _data_pointer(array.concat(level.path, [name])), value, "in", _names,
		sprintf("%s is not a parity threshold (%s)", [name, _level_name(level.path)]))
}

_rule_data_violations contains result if {
	some name in _names
	_raw(name) == null
	result := lib.result("parity.rule_data", null, lib.threshold_pointer("parity", name), null, "in", _expected[name],
		sprintf("parity threshold %s is set neither for tier %s nor in the defaults", [name, lib.tier]))
}

_rule_data_violations contains result if {
	some name in _names
	value := _raw(name)
	value != null
	not _has_limit(name)
	result := lib.result("parity.rule_data", null, lib.threshold_pointer("parity", name), value, "in", _expected[name],
		sprintf("parity threshold %s (%s) is invalid: it must be %s", [name, _source(name), _expected[name]]))
}

_rule_data_violations contains result if {
	not lib.known_tier
	result := lib.result("parity.rule_data", null, "/thresholds/tiers", lib.tier, "in", lib.tier_names,
		sprintf("tier %s is not listed under thresholds.tiers, so it would silently get the default thresholds", [lib.tier]))
}

_level_name(path) := sprintf("tier %s", [path[1]]) if path[0] == "tiers" else := "defaults"
