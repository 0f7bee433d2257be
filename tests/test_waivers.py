"""Waivers files: validation, terms, expiry; the model and the schema agree."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from pydantic import ValidationError

from evaluator import schemas
from evaluator.errors import InputError
from evaluator.waivers import WaiversDocument, load_waivers

TODAY = date(2026, 11, 27)
ENTRY = {
    "criterion": "tests.no_failures",
    "scope": {"service": "checkout", "fingerprint": "tests-unit/failed"},
    "justification": "Gateway sandbox flakes; fix tracked in PAY-88.",
    "owner": "payments",
    "approver": "jane.doe",
    "ticket": "PAY-88",
    "created": "2026-11-20",
    "expires": "2026-12-20",
}


def write(tmp_path, *entries, extra=""):
    import yaml

    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": list(entries)}) + extra)
    return path


def test_valid_waivers_split_into_active_and_expired(tmp_path):
    old = {**ENTRY, "ticket": "PAY-1", "created": "2026-09-01", "expires": "2026-10-01"}
    waivers = load_waivers(write(tmp_path, ENTRY, old), TODAY)
    assert [w.id for w in waivers.active] == ["PAY-88"] and [w.id for w in waivers.expired] == ["PAY-1"]
    assert waivers.active[0].scope == {"service": "checkout", "fingerprint": "tests-unit/failed"}
    assert waivers.active[0].expires == date(2026, 12, 20)


def test_a_waiver_is_in_force_through_its_expiry_day(tmp_path):
    waivers = load_waivers(write(tmp_path, {**ENTRY, "expires": "2026-11-27"}), TODAY)
    assert len(waivers.active) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires": "2027-06-01"}, "runs 193 days, longer than the maximum of 90"),
        ({"expires": "2026-11-01"}, "is before created"),
        ({"created": "2026-12-01", "expires": "2026-12-24"}, "is in the future"),
        ({"justification": "because"}, "invalid waivers file"),
        ({"approver": ""}, "invalid waivers file"),
        ({"criterion": "Tests"}, "invalid waivers file"),
        ({"expires": "next week"}, "invalid waivers file"),
        ({"scope": {"team": "x"}}, "invalid waivers file"),
    ],
)
def test_an_invalid_waiver_makes_the_file_an_input_error(tmp_path, change, message):
    with pytest.raises(InputError, match=message):
        load_waivers(write(tmp_path, {**ENTRY, **change}), TODAY)


def test_maximum_term_is_set_by_the_caller_not_the_file(tmp_path):
    long = {**ENTRY, "expires": "2027-03-15"}
    with pytest.raises(InputError, match="maximum of 90"):
        load_waivers(write(tmp_path, long), TODAY)
    assert load_waivers(write(tmp_path, long), TODAY, max_term_days=120).active


def test_malformed_and_wrong_files(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - criterion: [\n")
    with pytest.raises(InputError, match=r"w.yaml:\d+:\d+: malformed YAML"):
        load_waivers(path, TODAY)
    path.write_text("- just a list\n")
    with pytest.raises(InputError, match="YAML mapping"):
        load_waivers(path, TODAY)
    with pytest.raises(InputError, match="not found"):
        load_waivers(tmp_path / "missing.yaml", TODAY)
    with pytest.raises(InputError, match="listed twice"):
        load_waivers(write(tmp_path, ENTRY, ENTRY), TODAY)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("justification", "short"),
        ("owner", ""),
        ("created", "2026-13-01"),
        ("extra", 1),
        ("criterion", "x"),
        ("scope", {"fingerprint": ""}),
        ("ticket", 5),
    ],
)
def test_schema_rejects_what_the_model_rejects(field, value):
    document = {"waivers": [{**copy.deepcopy(ENTRY), field: value}]}
    with pytest.raises(ValidationError):
        WaiversDocument.model_validate(document)
    assert schemas.problems(schemas.WAIVERS, document)
    good = {"waivers": [ENTRY]}
    WaiversDocument.model_validate(good)
    assert schemas.problems(schemas.WAIVERS, good) == []
