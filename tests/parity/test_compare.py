"""compare(): keys, parity ratio, differences and their categories, secrets, capacity ratios, namespaces, rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from evaluator import schemas
from evaluator.errors import InputError
from evaluator.evidence.parity import CATEGORIES, Parity
from evaluator.parity import compare as compare_module
from evaluator.parity.compare import align_single_files, compare, number, ratio_bp
from evaluator.parity.rules import Rule, Rules
from evaluator.parity.snapshot import Leaf, SecretHasher, Snapshot

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DEPLOY = "apps/v1 Deployment shop/cart"
IMAGE = "spec.template.spec.containers[app].image"
HASHER = SecretHasher()


def snap(objects: dict[str, dict[str, Leaf]], source: str = "kubernetes", path: str = "env") -> Snapshot:
    """A snapshot of one pretend file holding `objects`."""
    return Snapshot(source, Path(path), [("manifests.yaml", "a" * 64)], objects)


def run(
    baseline: dict[str, dict[str, Leaf]],
    candidate: dict[str, dict[str, Leaf]],
    rules: Rules | None = None,
    now: datetime = NOW,
) -> Parity:
    """compare() on two snapshots; the result must also satisfy the JSON Schema of the kind."""
    parity = compare(
        snap(baseline, path="prod"), snap(candidate, path="staging"), rules, ("production", "staging"), now
    )
    data = parity.model_dump(mode="json", exclude_none=True)
    assert schemas.problems("evidence/parity.v1.schema.json", data) == []
    return parity


def diffs(parity: Parity) -> list[dict[str, Any]]:
    return [d.model_dump(exclude_none=True) for d in parity.differences]


def counts(parity: Parity) -> dict[str, tuple[int, int]]:
    return {c.category: (c.total, c.allowed) for c in parity.counts}


def rule(rule_id: str, match: str, expect: str = "any", **extra: Any) -> Rule:
    """A rule built in code (the file format is tested in test_rules.py)."""
    bounds = {k: Decimal(str(extra.pop(k))) if k in extra else None for k in ("min", "max")}
    return Rule(
        id=rule_id,
        match=match,
        category=extra.pop("category", None),
        expect=expect,  # type: ignore[arg-type]
        minimum=bounds["min"],
        maximum=bounds["max"],
        reason=extra.pop("reason", f"reason of {rule_id}"),
        owner="team",
        expires=extra.pop("expires", date(2099, 12, 31)),
    )


def rules(*items: Rule, namespaces: dict[str, str] | None = None) -> Rules:
    return Rules(None, None, tuple(items), namespaces or {})


def cart(**fields: Leaf) -> dict[str, dict[str, Leaf]]:
    base = {
        "spec.replicas": Leaf(3, "capacity"),
        IMAGE: Leaf("registry.example/cart@sha256:" + "1" * 64, "image"),
        "spec.template.spec.containers[app].env.LOG_LEVEL": Leaf("info", "config"),
    }
    base.update(fields)
    return {DEPLOY: base}


# ---- keys and the parity ratio -------------------------------------------------------------------


def test_identical_snapshots_have_full_parity_and_no_difference():
    parity = run(cart(), cart())
    assert (parity.keys_compared, parity.keys_equal, parity.parity_bp) == (3, 3, 10000)
    assert parity.differences == [] and parity.truncated is False
    assert [c.category for c in parity.counts] == list(CATEGORIES)
    assert all(c.total == 0 for c in parity.counts)
    assert parity.baseline.name == "production" and parity.candidate.name == "staging"
    assert (parity.baseline.path, parity.baseline.files, parity.baseline.objects, parity.baseline.keys) == (
        "prod",
        1,
        1,
        3,
    )
    assert parity.baseline.sha256 == snap({}).sha256


def test_nothing_to_compare_is_full_parity():
    parity = run({}, {})
    assert (parity.keys_compared, parity.keys_equal, parity.parity_bp) == (0, 0, 10000)


def test_parity_ratio_is_rounded_down():
    parity = run(cart(), cart(**{"spec.replicas": Leaf(2, "capacity")}))
    assert (parity.keys_compared, parity.keys_equal) == (3, 2)
    assert parity.parity_bp == 6666  # 2/3 = 0.66666…


# ---- differences ---------------------------------------------------------------------------------


def test_changed_image_is_an_image_difference_with_both_values():
    new = "registry.example/cart@sha256:" + "2" * 64
    parity = run(cart(), cart(**{IMAGE: Leaf(new, "image")}))
    assert diffs(parity) == [
        {
            "object": DEPLOY,
            "field": IMAGE,
            "category": "image",
            "baseline": "registry.example/cart@sha256:" + "1" * 64,
            "candidate": new,
            "allowed": False,
        }
    ]
    assert counts(parity)["image"] == (1, 0)


def test_field_only_on_one_side_is_missing_or_extra_with_its_value():
    baseline = cart(**{"spec.template.spec.containers[app].env.FEATURE_X": Leaf("on", "config")})
    candidate = cart(**{"spec.template.spec.containers[app].env.FEATURE_Y": Leaf(True, "config")})
    parity = run(baseline, candidate)
    assert diffs(parity) == [
        {
            "object": DEPLOY,
            "field": "spec.template.spec.containers[app].env.FEATURE_X",
            "category": "missing",
            "baseline": "on",
            "allowed": False,
        },
        {
            "object": DEPLOY,
            "field": "spec.template.spec.containers[app].env.FEATURE_Y",
            "category": "extra",
            "candidate": True,
            "allowed": False,
        },
    ]
    assert (parity.keys_compared, parity.keys_equal, parity.parity_bp) == (5, 3, 6000)


def test_whole_object_only_on_one_side_is_one_difference_and_all_its_keys_count_as_unequal():
    config = {"v1 ConfigMap shop/settings": {"data.A": Leaf("1", "config"), "data.B": Leaf("2", "config")}}
    worker = {"apps/v1 Deployment shop/worker": {"spec.replicas": Leaf(1, "capacity")}}
    parity = run({**cart(), **config}, {**cart(), **worker})
    assert diffs(parity) == [
        {"object": "apps/v1 Deployment shop/worker", "field": "", "category": "extra", "allowed": False},
        {"object": "v1 ConfigMap shop/settings", "field": "", "category": "missing", "allowed": False},
    ]
    assert (parity.keys_compared, parity.keys_equal) == (6, 3)
    assert counts(parity)["missing"] == (1, 0) and counts(parity)["extra"] == (1, 0)


def test_values_of_different_types_differ():
    baseline = {"config/app.yaml": {"a": Leaf(1, "config"), "b": Leaf(1, "config"), "c": Leaf(None, "config")}}
    candidate = {"config/app.yaml": {"a": Leaf(True, "config"), "b": Leaf("1", "config"), "c": Leaf("x", "config")}}
    parity = run(baseline, candidate)
    assert [(d["field"], d.get("baseline"), d.get("candidate")) for d in diffs(parity)] == [
        ("a", 1, True),
        ("b", 1, "1"),
        ("c", None, "x"),  # null on the baseline: the value is left out
    ]
    assert "baseline" not in diffs(parity)[2]


def test_category_comes_from_the_baseline_leaf_when_the_two_disagree():
    parity = run({"o": {"f": Leaf("1.2", "version")}}, {"o": {"f": Leaf("1.3", "config")}})
    assert diffs(parity)[0]["category"] == "version"


def test_differences_are_sorted_by_object_then_field():
    baseline = {"b": {"y": Leaf(1, "config"), "x": Leaf(1, "config")}, "a": {"z": Leaf(1, "config")}}
    candidate = {"b": {"y": Leaf(2, "config"), "x": Leaf(2, "config")}, "a": {"z": Leaf(2, "config")}}
    assert [(d.object, d.field) for d in run(baseline, candidate).differences] == [("a", "z"), ("b", "x"), ("b", "y")]


def test_differences_are_truncated_but_counted_in_full(monkeypatch):
    monkeypatch.setattr(compare_module, "MAX_DIFFERENCES", 3)
    baseline = {"o": {f"k{i}": Leaf(i, "config") for i in range(5)}}
    candidate = {"o": {f"k{i}": Leaf(i + 1, "config") for i in range(5)}}
    parity = run(baseline, candidate, rules(rule("all", "o#*")))
    assert parity.truncated is True
    assert [d.field for d in parity.differences] == ["k0", "k1", "k2"]
    assert counts(parity)["config"] == (5, 5)
    assert parity.rules[0].matched == 5 and parity.rules[0].allowed == 5


# ---- secrets -------------------------------------------------------------------------------------


def secret_snapshots() -> tuple[dict[str, dict[str, Leaf]], dict[str, dict[str, Leaf]]]:
    obj = "v1 Secret shop/db"
    baseline = {
        obj: {
            "data.same": HASHER.leaf("CANARY-same"),
            "data.changed": HASHER.leaf("CANARY-prod"),
            "data.only-prod": HASHER.leaf("CANARY-gone"),
            "data.plain-in-staging": HASHER.leaf("postgres://u:CANARY-url@h/db"),
            "data.plain-in-prod": Leaf("plain-prod-value", "config"),
        }
    }
    candidate = {
        obj: {
            "data.same": HASHER.leaf("CANARY-same"),
            "data.changed": HASHER.leaf("CANARY-staging"),
            "data.only-staging": HASHER.leaf("CANARY-new"),
            "data.plain-in-staging": Leaf("sqlite:///tmp/plain-staging-value", "config"),
            "data.plain-in-prod": HASHER.leaf("postgres://u:CANARY-url2@h/db"),
        }
    }
    return baseline, candidate


def test_secrets_compare_by_hash_and_report_no_value():
    baseline, candidate = secret_snapshots()
    parity = run(baseline, candidate)
    assert (parity.keys_compared, parity.keys_equal) == (6, 1)  # the same secret counts as equal
    assert [(d["field"], d["category"], d.get("secret"), "baseline" in d, "candidate" in d) for d in diffs(parity)] == [
        ("data.changed", "secret", "differs", False, False),
        ("data.only-prod", "secret", "missing", False, False),
        ("data.only-staging", "secret", "missing", False, False),
        ("data.plain-in-prod", "secret", "differs", False, False),  # a plain value facing a secret stays hidden
        ("data.plain-in-staging", "secret", "differs", False, False),
    ]
    text = parity.model_dump_json()
    assert "CANARY" not in text and "plain-staging-value" not in text and "hmac-sha256" not in text
    assert "plain-prod-value" not in text
    assert counts(parity)["secret"] == (5, 0)


def test_secret_relations_never_print_values():
    baseline, candidate = secret_snapshots()
    parity = run(baseline, candidate, rules(rule("le", "*", "candidate_le_baseline")))
    notes = {d.field: d.note for d in parity.differences}
    assert notes["data.changed"] == "candidate <= baseline needs numbers on both sides; values are not numbers"
    assert notes["data.only-prod"] == "candidate <= baseline needs numbers on both sides; missing in the candidate"
    assert "hmac" not in parity.model_dump_json()


# ---- capacity ratios and quantities --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (3, Fraction(3)),
        ("2", Fraction(2)),
        ("1.5", Fraction(3, 2)),
        (".5", Fraction(1, 2)),
        ("500m", Fraction(1, 2)),
        ("250u", Fraction(1, 4000)),
        ("1k", Fraction(1000)),
        ("1G", Fraction(10**9)),
        ("1Gi", Fraction(2**30)),
        ("512Mi", Fraction(2**29)),
        ("1.5Gi", Fraction(3 * 2**29)),
        ("1e3", Fraction(1000)),
        ("1E", Fraction(10**18)),
        ("-2", Fraction(-2)),
        (True, None),
        (None, None),
        ("", None),
        ("1 Gi", None),
        ("1GB", None),
        ("abc", None),
        ("1e999", None),
    ],
)
def test_numbers_and_kubernetes_quantities(text, expected):
    assert number(text) == expected


@pytest.mark.parametrize(
    ("baseline", "candidate", "expected"),
    [
        ("1", "500m", 5000),
        ("1Gi", "512Mi", 5000),
        ("2Gi", "1G", 4656),  # 10^9 / 2^31 = 0.46566…, rounded down
        (3, 1, 3333),
        (2, 4, 20000),
        ("1", 1, 10000),
        (0, 1, None),  # no ratio against zero
        (2, -1, None),
        ("1", "lots", None),
        (True, 1, None),
    ],
)
def test_ratio_bp(baseline, candidate, expected):
    assert ratio_bp(baseline, candidate) == expected


def test_capacity_differences_carry_a_ratio_and_others_do_not():
    baseline = {"o": {"cpu": Leaf("1", "capacity"), "mem": Leaf("1Gi", "capacity"), "n": Leaf(4, "config")}}
    candidate = {"o": {"cpu": Leaf("250m", "capacity"), "mem": Leaf("big", "capacity"), "n": Leaf(2, "config")}}
    assert {d.field: d.ratio_bp for d in run(baseline, candidate).differences} == {"cpu": 2500, "mem": None, "n": None}


# ---- namespace mapping ---------------------------------------------------------------------------


def test_namespace_mapping_matches_candidate_objects_under_the_baseline_name():
    baseline = {
        "apps/v1 Deployment production/cart": {"spec.replicas": Leaf(3, "capacity")},
        "v1 Namespace production": {"metadata.labels.team": Leaf("shop", "config")},
        "rbac.authorization.k8s.io/v1 ClusterRole staging": {"rules": Leaf("x", "config")},
    }
    candidate = {
        "apps/v1 Deployment staging/cart": {"spec.replicas": Leaf(1, "capacity")},
        "v1 Namespace staging": {"metadata.labels.team": Leaf("shop", "config")},
        "rbac.authorization.k8s.io/v1 ClusterRole staging": {"rules": Leaf("x", "config")},  # a name, not a namespace
    }
    parity = run(baseline, candidate, rules(namespaces={"staging": "production"}))
    assert diffs(parity) == [
        {
            "object": "apps/v1 Deployment production/cart",
            "field": "spec.replicas",
            "category": "capacity",
            "baseline": 3,
            "candidate": 1,
            "ratio_bp": 3333,
            "allowed": False,
        }
    ]
    assert parity.candidate.objects == 3


def test_without_the_mapping_namespaces_make_different_objects():
    parity = run(
        {"apps/v1 Deployment production/cart": {"spec.replicas": Leaf(3, "capacity")}},
        {"apps/v1 Deployment staging/cart": {"spec.replicas": Leaf(3, "capacity")}},
    )
    assert [(d.object, d.category) for d in parity.differences] == [
        ("apps/v1 Deployment production/cart", "missing"),
        ("apps/v1 Deployment staging/cart", "extra"),
    ]
    assert parity.parity_bp == 0


def test_namespace_mapping_that_merges_two_objects_is_an_input_error():
    candidate = {
        "apps/v1 Deployment staging/cart": {"spec.replicas": Leaf(1, "capacity")},
        "apps/v1 Deployment production/cart": {"spec.replicas": Leaf(1, "capacity")},
    }
    with pytest.raises(InputError) as raised:
        run({}, candidate, rules(namespaces={"staging": "production"}))
    assert str(raised.value) == (
        "staging: the namespace mapping makes apps/v1 Deployment production/cart and apps/v1 Deployment staging/cart "
        "the same object apps/v1 Deployment production/cart"
    )


# ---- rules ---------------------------------------------------------------------------------------


def test_matching_rule_allows_with_its_reason():
    parity = run(cart(), cart(**{"spec.replicas": Leaf(1, "capacity")}), rules(rule("scale", "*#spec.replicas")))
    [difference] = parity.differences
    assert (difference.allowed, difference.rule, difference.note) == (True, "scale", "reason of scale")
    assert counts(parity)["capacity"] == (1, 1)
    assert [(u.id, u.matched, u.allowed, u.expires, u.expired) for u in parity.rules] == [
        ("scale", 1, 1, "2099-12-31", False)
    ]


@pytest.mark.parametrize(
    ("replicas", "allowed", "note"),
    [
        (1, True, "reason of ratio"),  # 1/3 = 0.333… within 0.25..1.0
        (3, None, None),  # equal: no difference at all
        (10, False, "ratio 0.10 outside 0.25..1.00"),  # 10 against a baseline of 100
    ],
)
def test_ratio_rule(replicas, allowed, note):
    ratio = rules(rule("ratio", "apps/v1 Deployment */*#spec.replicas", "ratio", min=0.25, max=1.0))
    if replicas == 10:
        parity = run(
            cart(**{"spec.replicas": Leaf(100, "capacity")}), cart(**{"spec.replicas": Leaf(10, "capacity")}), ratio
        )
    else:
        parity = run(cart(), cart(**{"spec.replicas": Leaf(replicas, "capacity")}), ratio)
    if allowed is None:
        assert parity.differences == [] and parity.rules[0].matched == 0
        return
    [difference] = parity.differences
    assert (difference.allowed, difference.rule, difference.note) == (allowed, "ratio", note)


def test_first_unexpired_rule_decides_and_expired_rules_are_reported():
    candidate = cart(**{"spec.replicas": Leaf(6, "capacity")})
    parity = run(
        cart(),
        candidate,
        rules(
            rule("old", "*#spec.replicas", "any", expires=date(2026, 11, 26)),
            rule("ratio", "*#spec.replicas", "ratio", min=0.5, max=1.0),
            rule("any", "*", "any"),
        ),
    )
    [difference] = parity.differences
    assert (difference.allowed, difference.rule, difference.note) == (False, "ratio", "ratio 2.00 outside 0.50..1.00")
    assert [(u.id, u.matched, u.allowed, u.expired) for u in parity.rules] == [
        ("old", 1, 0, True),
        ("ratio", 1, 0, False),
        ("any", 1, 0, False),  # matched too, but the earlier rule decided
    ]


def test_rule_applies_on_its_expiry_day_and_not_the_day_after():
    candidate = cart(**{"spec.replicas": Leaf(6, "capacity")})
    last_day = rules(rule("temp", "*#spec.replicas", expires=date(2026, 11, 27)))
    assert run(cart(), candidate, last_day).differences[0].allowed is True
    after = run(cart(), candidate, last_day, now=datetime(2026, 11, 28, 0, 0, tzinfo=UTC))
    [difference] = after.differences
    assert (difference.allowed, difference.rule, difference.note) == (False, "temp", "rule expired on 2026-11-27")
    assert after.rules[0].expired is True and after.rules[0].matched == 1 and after.rules[0].allowed == 0


def test_category_filter():
    candidate = cart(**{"spec.replicas": Leaf(6, "capacity"), IMAGE: Leaf("other", "image")})
    parity = run(cart(), candidate, rules(rule("images", "*", "any", category="image")))
    assert {d.field: d.allowed for d in parity.differences} == {"spec.replicas": False, IMAGE: True}
    assert parity.differences[0].rule is None and parity.differences[0].note is None


def test_equal_rule_never_allows():
    parity = run(cart(), cart(**{IMAGE: Leaf("other", "image")}), rules(rule("same", "*.image", "equal", reason="r")))
    [difference] = parity.differences
    assert (difference.allowed, difference.rule, difference.note) == (False, "same", "rule requires equal values (r)")


def test_differs_rule_needs_the_key_on_both_sides():
    baseline = cart(**{"x": Leaf("a", "config"), "gone": Leaf("b", "config")})
    candidate = cart(**{"x": Leaf("c", "config")})
    parity = run(baseline, candidate, rules(rule("d", f"{DEPLOY}#*", "differs")))
    assert {d.field: (d.allowed, d.note) for d in parity.differences} == {
        "gone": (False, "rule expects the key on both sides with different values; it is missing in the candidate"),
        "x": (True, "reason of d"),
    }


def test_candidate_le_baseline_rule_compares_quantities():
    field = "spec.template.spec.containers[app].resources.limits.memory"
    le = rules(rule("le", "*resources*", "candidate_le_baseline"))
    smaller = run(cart(**{field: Leaf("1Gi", "capacity")}), cart(**{field: Leaf("512Mi", "capacity")}), le)
    assert (smaller.differences[0].allowed, smaller.differences[0].note) == (True, "reason of le")
    bigger = run(cart(**{field: Leaf("1Gi", "capacity")}), cart(**{field: Leaf("2Gi", "capacity")}), le)
    assert (bigger.differences[0].allowed, bigger.differences[0].note) == (False, "candidate 2Gi is above baseline 1Gi")


def test_whole_object_differences_match_with_an_empty_field():
    parity = run(cart(), {}, rules(rule("gone", f"{DEPLOY}#", "any", category="missing")))
    [difference] = parity.differences
    assert (difference.field, difference.category, difference.allowed) == ("", "missing", True)


# ---- two single files -----------------------------------------------------------------------------


def test_single_files_are_aligned_by_the_baseline_file_name(tmp_path):
    (tmp_path / "production.yaml").write_text("a: 1\n")
    (tmp_path / "staging.yaml").write_text("a: 2\n")
    baseline = Snapshot("config", tmp_path / "production.yaml", [("production.yaml", "a" * 64)], {
        "production.yaml#1": {"a": Leaf(1, "config")},
        "production.yaml#2": {"b": Leaf(1, "config")},
    })  # fmt: skip
    candidate = Snapshot("config", tmp_path / "staging.yaml", [("staging.yaml", "b" * 64)], {
        "staging.yaml#1": {"a": Leaf(2, "config")},
        "staging.yaml#2": {"b": Leaf(1, "config")},
        "service cart": {"version": Leaf("1", "version")},  # not named after the file: left alone
    })  # fmt: skip
    align_single_files(baseline, candidate)
    assert sorted(candidate.objects) == ["production.yaml#1", "production.yaml#2", "service cart"]
    parity = compare(baseline, candidate, None, ("production", "staging"), NOW)
    assert [(d.object, d.field, d.category) for d in parity.differences] == [
        ("production.yaml#1", "a", "config"),
        ("service cart", "", "extra"),
    ]


def test_folders_are_not_aligned(tmp_path):
    (tmp_path / "prod").mkdir()
    (tmp_path / "staging").mkdir()
    baseline = Snapshot("config", tmp_path / "prod", [("prod", "a" * 64)], {"prod": {"a": Leaf(1, "config")}})
    candidate = Snapshot("config", tmp_path / "staging", [("staging", "a" * 64)], {"staging": {"a": Leaf(1, "config")}})
    align_single_files(baseline, candidate)
    assert list(candidate.objects) == ["staging"]
