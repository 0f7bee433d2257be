# METADATA
# scope: package
# title: Shared helpers
# description: >-
#   Helpers every criteria package uses, so that every deny, warn and checked result has the same
#   shape and every package reads evidence and thresholds the same way: result builds the result
#   object (docs/policies.md, "Results"); items picks the verified items of an evidence kind;
#   threshold reads a threshold with the tier's override; pointer builds RFC 6901 JSON pointers;
#   is_count, floor_div, ceil_div, share_bp and percent keep arithmetic and messages in integers, because
#   the engines format floats differently. This package declares no criteria.
package readiness.lib

# result is the one shape of every deny, warn and checked result, e.g.
#   {"criterion": "tests.no_failures", "msg": "3 of 120 test cases failed in tests-unit",
#    "observed": 3, "comparator": "<=", "threshold": 0,
#    "evidence": "tests-unit", "pointer": "/data/totals/failed"}
# item_id is null for a result about rule data rather than evidence (pointer then points into data.readiness).
result(criterion, item_id, pointer, observed, comparator, threshold, msg) := {
	"criterion": criterion,
	"msg": msg,
	"observed": observed,
	"comparator": comparator,
	"threshold": threshold,
	"evidence": item_id,
	"pointer": pointer,
}

# result_with_fingerprint is result plus "fingerprint": the stable id of one finding (a vulnerability,
# a failing test), which a waiver can name to accept that finding only.
result_with_fingerprint(criterion, item_id, pointer, observed, comparator, threshold, msg, fingerprint) := {
	"criterion": criterion,
	"msg": msg,
	"observed": observed,
	"comparator": comparator,
	"threshold": threshold,
	"evidence": item_id,
	"pointer": pointer,
	"fingerprint": fingerprint,
}

# items is the list of verified, fresh evidence items of a kind; [] when the input has none.
# It does not filter further: the host decides insufficient_evidence from the same list, so a
# policy that dropped items here would turn missing evidence into a silent pass.
items(kind) := xs if {
	xs := input.evidence[kind]
} else := []

# tier is the service tier being evaluated; "default" when the bundle names none.
tier := input.tier if {
	is_string(input.tier)
} else := "default"

# threshold is data.readiness.thresholds.tiers[<tier>][kind][name] when the tier overrides it, else
# data.readiness.thresholds.default[kind][name]; undefined when neither is set. It does not check the
# value: each package validates its own thresholds with a <area>.rule_data criterion.
threshold(kind, name) := value if {
	value := data.readiness.thresholds.tiers[tier][kind][name]
} else := value if {
	value := data.readiness.thresholds.default[kind][name]
}

# threshold_pointer is the JSON pointer, into data.readiness, of the value threshold(kind, name)
# reads: the tier override when there is one, else the default (where a missing value belongs).
threshold_pointer(kind, name) := pointer(["thresholds", "tiers", tier, kind, name]) if {
	_ = data.readiness.thresholds.tiers[tier][kind][name]
} else := pointer(["thresholds", "default", kind, name])

# known_tier holds when the tier is "default" or has an entry under data.readiness.thresholds.tiers;
# an unknown (misspelt) tier would otherwise silently get the default thresholds.
known_tier if tier == "default"

known_tier if {
	_ = data.readiness.thresholds.tiers[tier]
}

# tier_names lists the tiers data.readiness.thresholds.tiers defines, sorted.
tier_names := sort([name | some name, _ in data.readiness.thresholds.tiers])

# pointer builds an RFC 6901 JSON pointer from path segments (strings or array indices):
#   pointer(["data", "endpoints", 3, "a/b~c"]) == "/data/endpoints/3/a~1b~0c"
# The empty path is "", the whole document.
pointer(path) := concat("", [concat("", ["/", _segment(segment)]) | some segment in path])

# "~" is escaped before "/", so that "/" -> "~1" is not escaped again into "~01".
_segment(segment) := replace(replace(segment, "~", "~0"), "/", "~1") if is_string(segment)

_segment(segment) := format_int(segment, 10) if is_number(segment)

# is_count holds for a non-negative integer: a count, milliseconds, basis points, epoch seconds.
is_count(value) if {
	is_number(value)
	value >= 0
	floor(value) == value
}

# floor_div is the quotient of non-negative integers rounded down; Rego's / gives a non-integer number
# when b does not divide a, which the engines format differently.
floor_div(a, b) := floor(a / b)

# ceil_div is the quotient of non-negative integers rounded up (b > 0).
ceil_div(a, b) := floor_div((a + b) - 1, b)

# share_bp is part / whole in basis points, rounded up, and 0 when whole is 0. Rounding up keeps the
# comparison with a maximum exact: share_bp(p, w) > max_bp exactly when p / w > max_bp / 10000.
share_bp(part, whole) := ceil_div(part * 10000, whole) if whole > 0

share_bp(_, whole) := 0 if whole == 0

# percent formats basis points as a percentage with two decimals, without floats: 2500 -> "25.00%",
# 5 -> "0.05%".
percent(bp) := sprintf("%d.%s%%", [floor_div(bp, 100), _two_digits(bp % 100)])

_two_digits(n) := sprintf("0%d", [n]) if n < 10

_two_digits(n) := format_int(n, 10) if n >= 10

# epoch_seconds is an RFC 3339 UTC time in the form evidence schemas use ("2026-11-27T16:00:00Z",
# "2026-11-27T16:00:00.5Z") as whole seconds since the epoch, the fraction dropped, so that policies
# compare it with input.evaluation.epoch_seconds as integers; undefined for anything else (an offset
# other than "Z", a lower-case "t", a non-string). The fraction is cut off before parsing: nanoseconds
# near 2^61 are not exact as 64-bit floats, which regorus divides, while OPA divides exactly.
epoch_seconds(time_text) := floor_div(time.parse_rfc3339_ns(concat("", [substring(time_text, 0, 19), "Z"])), 1000000000) if {
	is_string(time_text)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`, time_text)
}
