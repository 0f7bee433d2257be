"""The parity rules file: loading, the schema's and the loader's one-line errors, matching and relations."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from evaluator import schemas
from evaluator.errors import InputError
from evaluator.fileio import load_yaml, sha256_file
from evaluator.parity.rules import Rule, Sides, load_rules
from evaluator.resources import schemas_dir

RULES = Path(__file__).resolve().parent.parent / "data" / "parity" / "rules" / "rules.yaml"

RULE = """  - id: r1
    match: "*"
    expect: {expect}
    reason: because
    owner: me
    expires: 2099-12-31
"""


def test_the_example_file_loads_in_file_order():
    loaded = load_rules(RULES)
    assert loaded.path == RULES and loaded.sha256 == sha256_file(RULES)
    assert loaded.namespaces == {"staging": "production"}
    assert [(r.id, r.expect, r.category) for r in loaded.rules] == [
        ("replicas-scaled-down", "ratio", "capacity"),
        ("smaller-requests", "candidate_le_baseline", "capacity"),
        ("own-credentials", "differs", "secret"),
        ("log-level", "any", None),
        ("same-image", "equal", "image"),
    ]
    first = loaded.rules[0]
    assert (first.minimum, first.maximum, first.bounds_text()) == (Decimal("0.25"), Decimal("1.0"), "0.25..1.00")
    assert (first.owner, first.expires) == ("team-platform", date(2099, 12, 31))
    assert loaded.rules[3].expired(date(2026, 2, 1)) and not loaded.rules[3].expired(date(2026, 1, 31))


def test_the_example_file_satisfies_the_schema_with_an_independent_validator():
    schema = json.loads((schemas_dir() / schemas.PARITY_RULES).read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(load_yaml(RULES))


def test_an_empty_rules_list_and_a_namespaces_only_file_load(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n")
    assert load_rules(path).rules == ()
    path.write_text("namespaces: {qa: production, staging: production}\n")
    assert load_rules(path).namespaces == {"qa": "production", "staging": "production"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules:\n" + RULE.format(expect="maybe"),
            'invalid parity rules file at /rules/0/expect: "maybe" is not one of "any", "differs" or 3 other '
            "candidates",
        ),
        (
            "rules:\n" + RULE.format(expect="ratio") + "    min: 0.5\n",
            'invalid parity rules file at /rules/0: "max" is a required property',
        ),
        (
            "rules:\n" + RULE.format(expect="ratio") + "    min: 2\n    max: 1\n",
            "invalid parity rules file at /rules/0: min 2 is above max 1",
        ),
        (
            "rules:\n" + RULE.format(expect="any") + "    min: 0.5\n",
            "invalid parity rules file at /rules/0: min and max go with expect ratio, not with expect any",
        ),
        (
            "rules:\n" + RULE.format(expect="any") + RULE.format(expect="equal"),
            "invalid parity rules file at /rules/1/id: rule id 'r1' is used twice",
        ),
        (
            "rules:\n" + RULE.format(expect="any").replace("2099-12-31", "2099-13-01"),
            'invalid parity rules file at /rules/0/expires: "2099-13-01" is not a "date"',
        ),
        (
            "rules:\n" + RULE.format(expect="any").replace("    owner: me\n", ""),
            'invalid parity rules file at /rules/0: "owner" is a required property',
        ),
        (
            "rules:\n" + RULE.format(expect="any") + "    approver: x\n",
            "invalid parity rules file at /rules/0: Additional properties are not allowed ('approver' was unexpected)",
        ),
        (
            "rules:\n" + RULE.format(expect="any") + "    category: images\n",
            'invalid parity rules file at /rules/0/category: "images" is not one of "image", "version" or 5 other '
            "candidates",
        ),
        (
            "rules:\n" + RULE.format(expect="ratio") + "    min: '0.5'\n    max: 1\n",
            'invalid parity rules file at /rules/0/min: "0.5" is not of type "number"',
        ),
        (
            "rules:\n" + RULE.format(expect="ratio") + "    min: -1\n    max: 1\n",
            "invalid parity rules file at /rules/0/min: -1 is less than the minimum of 0",
        ),
        (
            "namespaces:\n  Staging: production\n",
            'invalid parity rules file at /namespaces: "Staging" does not match "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"',
        ),
        ("rule: []\n", "invalid parity rules file at /: Additional properties are not allowed ('rule' was unexpected)"),
        ("- a\n- b\n", "a parity rules file is a YAML mapping with `rules:` or `namespaces:`"),
        ("", "a parity rules file is a YAML mapping with `rules:` or `namespaces:`"),
    ],
)
def test_invalid_rules_files_are_one_line_input_errors(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_rules(path)
    assert str(raised.value) == f"{path}: {message}"


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: [unclosed\n")
    with pytest.raises(InputError) as raised:
        load_rules(path)
    assert str(raised.value) == f"{path}:3:1: malformed YAML: expected ',' or ']', but got '<stream end>'"


def test_missing_rules_file(tmp_path):
    with pytest.raises(InputError) as raised:
        load_rules(tmp_path / "nope.yaml")
    assert str(raised.value) == f"{tmp_path / 'nope.yaml'}: parity rules file not found"


# ---- matching --------------------------------------------------------------------------------------


def make(match: str = "*", expect: str = "any", category: str | None = None, **bounds: float) -> Rule:
    return Rule(
        "r",
        match,
        category,  # type: ignore[arg-type]
        expect,  # type: ignore[arg-type]
        Decimal(str(bounds["min"])) if "min" in bounds else None,
        Decimal(str(bounds["max"])) if "max" in bounds else None,
        "the reason",
        "me",
        date(2099, 1, 1),
    )


@pytest.mark.parametrize(
    ("pattern", "obj", "field", "expected"),
    [
        ("apps/v1 Deployment */*#spec.replicas", "apps/v1 Deployment shop/cart", "spec.replicas", True),
        ("apps/v1 Deployment */*#spec.replicas", "apps/v1 StatefulSet shop/db", "spec.replicas", False),
        ("*#spec.replicas", "apps/v1 Deployment shop/cart", "spec.template.spec.replicas", False),
        ("*#*.image", "o", "spec.template.spec.containers[app].image", True),
        ("*containers[[]app].image", "o", "spec.template.spec.containers[app].image", True),
        ("*containers[app].image", "o", "spec.template.spec.containers[app].image", False),  # [app] is a class
        ("*#LOG_LEVEL", "config/app.env", "LOG_LEVEL", True),
        ("*#log_level", "config/app.env", "LOG_LEVEL", False),  # case-sensitive
        ("config/app.env#", "config/app.env", "", True),  # the whole object
        ("config/app.env#", "config/app.env", "A", False),
    ],
)
def test_match_is_fnmatch_over_object_hash_field(pattern, obj, field, expected):
    assert make(pattern).matches(obj, field, "config") is expected


def test_category_filter_restricts_matches():
    rule = make("*", category="capacity")
    assert rule.matches("o", "f", "capacity") and not rule.matches("o", "f", "config")


# ---- relations -------------------------------------------------------------------------------------


def both(base: str | int, cand: str | int, number_base: Fraction | None, number_cand: Fraction | None) -> Sides:
    return Sides(True, True, number_base, number_cand, str(base), str(cand))


def verdict(rule: Rule, sides: Sides) -> tuple[bool, str]:
    result = rule.judge(sides)
    return result.allowed, result.note


MISSING_IN_CANDIDATE = Sides(True, False, Fraction(3), None, "3", None)


@pytest.mark.parametrize(
    ("rule", "sides", "expected"),
    [
        (make(expect="any"), MISSING_IN_CANDIDATE, (True, "the reason")),
        (make(expect="differs"), both("a", "b", None, None), (True, "the reason")),
        (
            make(expect="differs"),
            MISSING_IN_CANDIDATE,
            (False, "rule expects the key on both sides with different values; it is missing in the candidate"),
        ),
        (
            make(expect="differs"),
            Sides(False, True),
            (False, "rule expects the key on both sides with different values; it is missing in the baseline"),
        ),
        (
            make(expect="equal"),
            both(1, 2, Fraction(1), Fraction(2)),
            (False, "rule requires equal values (the reason)"),
        ),
        (make(expect="candidate_le_baseline"), both(3, 1, Fraction(3), Fraction(1)), (True, "the reason")),
        (make(expect="candidate_le_baseline"), both(3, 3, Fraction(3), Fraction(3)), (True, "the reason")),
        (
            make(expect="candidate_le_baseline"),
            both("500m", "2", Fraction(1, 2), Fraction(2)),
            (False, "candidate 2 is above baseline 500m"),
        ),
        (
            make(expect="candidate_le_baseline"),
            both("a", "b", None, None),
            (False, "candidate <= baseline needs numbers on both sides; values are not numbers"),
        ),
        (make(expect="ratio", min=0.25, max=1), both(4, 1, Fraction(4), Fraction(1)), (True, "the reason")),
        (make(expect="ratio", min=0.25, max=1), both(4, 4, Fraction(4), Fraction(4)), (True, "the reason")),
        (
            make(expect="ratio", min=0.25, max=1.0),
            both(100, 10, Fraction(100), Fraction(10)),
            (False, "ratio 0.10 outside 0.25..1.00"),
        ),
        (
            make(expect="ratio", min=0.25, max=1.0),
            both(3, 5, Fraction(3), Fraction(5)),
            (False, "ratio 1.66 outside 0.25..1.00"),  # rounded down
        ),
        (
            make(expect="ratio", min=0.333, max=1),
            both(3, 1, Fraction(3), Fraction(1)),
            (True, "the reason"),  # exactly 0.3333… >= 0.333
        ),
        (
            make(expect="ratio", min=0.34, max=1),
            both(3, 1, Fraction(3), Fraction(1)),
            (False, "ratio 0.33 outside 0.34..1.00"),
        ),
        (
            make(expect="ratio", min=0.25, max=1),
            both(1000, 1004, Fraction(1000), Fraction(1004)),
            (False, "ratio 1.0040 outside 0.25..1.00"),  # 1.00 would read like the bound: more decimals
        ),
        (
            make(expect="ratio", min=0.125, max=0.5),
            both(1000, 1, Fraction(1000), Fraction(1)),
            (False, "ratio 0.001 outside 0.125..0.50"),
        ),
        (
            make(expect="ratio", min=0.25, max=1),
            both(0, 1, Fraction(0), Fraction(1)),
            (False, "ratio undefined: baseline is 0"),
        ),
        (
            make(expect="ratio", min=0.25, max=1),
            MISSING_IN_CANDIDATE,
            (False, "ratio needs numbers on both sides; missing in the candidate"),
        ),
    ],
)
def test_relations(rule, sides, expected):
    assert verdict(rule, sides) == expected


def test_long_reasons_and_values_are_clipped_to_the_model_limits():
    long_reason = Rule("r", "*", None, "any", None, None, "x" * 600, "me", date(2099, 1, 1))
    allowed, note = verdict(long_reason, Sides(True, True))
    assert allowed and len(note) == 512 and note.endswith("…")
    big = "9" * 100
    allowed, note = verdict(make(expect="candidate_le_baseline"), both(1, big, Fraction(1), Fraction(int(big))))
    assert not allowed and note == f"candidate {'9' * 63}… is above baseline 1"
