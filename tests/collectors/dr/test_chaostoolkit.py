"""Chaos Toolkit journal collector: every real journal field by field, failure paths with their exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.collectors.dr.helpers import DR_DATA, collect_valid, input_error, seconds_up, z

CTK = DR_DATA / "chaostoolkit"
# chaostoolkit 1.19.0 / chaostoolkit-lib 1.44.0 (aware UTC times), and 1.12.0 / 1.27.3 (naive UTC times).
JOURNALS = sorted(CTK.glob("journal-*.json")) + sorted((CTK / "chaoslib-1.27.3").glob("journal-*.json"))
EXPECTED_STATUS = {
    "journal-succeeded.json": "succeeded",
    "journal-deviated.json": "deviated",
    "journal-rollbacks.json": "succeeded",
    "journal-failed.json": "failed",
    "journal-interrupted.json": "aborted",
}


def _raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _expected_steps(runs: list[dict]) -> list[dict]:
    steps = []
    for run in runs:
        step = {"name": run["activity"]["name"], "kind": run["activity"]["type"], "status": run.get("status", "failed")}
        if "start" in run:
            step["start"] = z(run["start"])
        if "end" in run:
            step["end"] = z(run["end"])
        if "duration" in run:
            step["duration_ms"] = round(run["duration"] * 1000)
        steps.append(step)
    return steps


def _hypothesis_steps(raw: dict, when: str) -> list[dict]:
    state = raw["steady_states"][when]
    steps = _expected_steps(state["probes"]) if state else []
    for step, probe in zip(steps, state["probes"] if state else [], strict=True):
        step["name"] = f"steady state {when}: {step['name']}"
        step["kind"] = "steady-state"
        if step["status"] != "failed":
            step["status"] = "succeeded" if probe["tolerance_met"] else {"before": "failed", "after": "deviated"}[when]
    return steps


def test_all_five_journals_are_here() -> None:
    assert sorted(p.name for p in JOURNALS if p.parent == CTK) == sorted(EXPECTED_STATUS)
    assert {p.name for p in JOURNALS if p.parent != CTK} == set(EXPECTED_STATUS) - {"journal-interrupted.json"}


@pytest.mark.parametrize("path", JOURNALS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_journal_field_by_field(path: Path) -> None:
    raw = _raw(path)
    item, doc = collect_valid(path)
    assert doc["source"]["format"] == "chaostoolkit-journal"
    assert doc["source"]["tool"] == "chaostoolkit"
    assert doc["source"]["tool_version"] == raw["chaoslib-version"] == ("1.44.0" if path.parent == CTK else "1.27.3")
    (drill,) = doc["data"]["drills"]
    assert drill["scenario"] == raw["experiment"]["title"]
    assert drill["tags"] == raw["experiment"]["tags"] and drill["tags"]
    assert drill["status"] == EXPECTED_STATUS[path.name]
    assert drill["start"] == z(raw["start"])
    assert drill["end"] == z(raw["end"])
    assert item.observed is not None
    assert drill["steps"] == [
        *_hypothesis_steps(raw, "before"),
        *_expected_steps(raw["run"]),
        *_hypothesis_steps(raw, "after"),
    ]
    assert drill["rollbacks"] == _expected_steps(raw["rollbacks"])
    ext = [e for e in raw["experiment"].get("extensions", []) if e.get("name") == "readiness"]
    ext_values = ext[0] if ext else {}
    assert drill["rto"].get("target_s") == ext_values.get("rto_target_s")
    assert drill["rpo"].get("target_s") == ext_values.get("rpo_target_s")
    assert "measured_s" not in drill["rpo"]
    assert drill.get("data_loss") == ext_values.get("data_loss")
    assert drill.get("scope") == ext_values.get("scope")
    after = raw["steady_states"]["after"]
    if after and after["steady_state_met"]:
        first_action = next(r for r in raw["run"] if r["activity"]["type"] == "action")
        expected = seconds_up(first_action["start"], after["probes"][-1]["end"])
        assert drill["rto"]["measured_s"] == expected
        assert drill["rto"]["source"].startswith("chaostoolkit journal")
    else:
        assert "measured_s" not in drill["rto"]


def test_specific_values_of_the_runs() -> None:
    """Values checked by hand against the journals (not derived from the raw JSON)."""
    _, doc = collect_valid(CTK / "journal-succeeded.json")
    (drill,) = doc["data"]["drills"]
    assert [s["name"] for s in drill["steps"]] == [
        "steady state before: service-answers-200",
        "kill-service",
        "restart-service",
        "fetch-index-during-method",
        "steady state after: service-answers-200",
    ]
    assert drill["rto"] == {
        "target_s": 60,
        "measured_s": 3,
        "source": "chaostoolkit journal: start of first method action to end of last steady-state probe after",
    }
    assert drill["data_loss"] is False and drill["rpo"] == {"target_s": 0}
    _, doc = collect_valid(CTK / "journal-rollbacks.json")
    assert [s["name"] for s in doc["data"]["drills"][0]["rollbacks"]] == ["stop-service", "start-service-again"]
    _, doc = collect_valid(CTK / "journal-interrupted.json")
    assert [s["status"] for s in doc["data"]["drills"][0]["steps"]] == ["succeeded", "succeeded", "failed"]
    _, doc = collect_valid(CTK / "journal-deviated.json")
    assert doc["data"]["drills"][0]["rto"] == {"target_s": 30}
    # The probe answered 404 after the method: its tolerance (200) was not met, so the step deviated.
    assert [(s["name"], s["status"]) for s in doc["data"]["drills"][0]["steps"]][-1] == (
        "steady state after: service-answers-200",
        "deviated",
    )
    _, doc = collect_valid(CTK / "journal-failed.json")
    # Connection refused before the method: the probe itself failed, and nothing was tried.
    assert [(s["name"], s["status"]) for s in doc["data"]["drills"][0]["steps"]] == [
        ("steady state before: service-answers-200", "failed")
    ]
    assert doc["data"]["drills"][0]["rto"] == {}


def test_naive_times_are_read_as_utc(tmp_path: Path) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    text = json.dumps(raw, indent=2).replace("+00:00", "")
    path = tmp_path / "old-journal.json"
    path.write_text(text, encoding="utf-8")
    _, doc = collect_valid(path)
    assert doc["data"]["drills"][0]["start"] == z(raw["start"])
    assert doc["data"]["drills"][0]["rto"]["measured_s"] == 3


def test_hypothesis_before_not_met_with_completed_status_is_failed(tmp_path: Path) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    raw["status"] = "completed"
    raw["steady_states"] = {"before": {"steady_state_met": False, "probes": []}, "after": None, "during": []}
    raw["run"] = []
    path = tmp_path / "j.json"
    path.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    _, doc = collect_valid(path)
    assert doc["data"]["drills"][0]["status"] == "failed"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "journal.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    assert str(input_error(path)) == f"{path}: file is empty"
    assert str(input_error(path, "chaostoolkit-journal")) == f"{path}: file is empty"


def test_truncated_json(tmp_path: Path) -> None:
    text = (CTK / "journal-succeeded.json").read_text(encoding="utf-8")[:300]
    path = _write(tmp_path, text)
    error = input_error(path)
    assert error.message.startswith("malformed JSON: ") and error.line is not None and error.column is not None


def test_journal_without_run(tmp_path: Path) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    del raw["run"]
    path = _write(tmp_path, json.dumps(raw, indent=2))
    assert str(input_error(path)) == (
        f"{path}: Chaos Toolkit journal has no `run` list (not a finished `chaos run` journal)"
    )


def test_unknown_status(tmp_path: Path) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    raw["status"] = "weird"
    path = _write(tmp_path, json.dumps(raw, indent=2))
    assert str(input_error(path)) == f"{path}: Chaos Toolkit journal status 'weird' is not one chaoslib writes"


def test_bad_extension_target(tmp_path: Path) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    raw["experiment"]["extensions"] = [{"name": "readiness", "rto_target_s": "1m"}]
    path = _write(tmp_path, json.dumps(raw, indent=2))
    assert str(input_error(path)) == (
        f"{path}: experiment extension 'readiness' rto_target_s must be a whole number of seconds >= 0, got '1m'"
    )


def test_experiment_file_is_not_a_journal(tmp_path: Path) -> None:
    path = CTK / "experiments" / "succeeded.json"
    assert str(input_error(path)) == (
        f"{path}: format not recognised from its content; name it with --format (see `readiness collect --list`)"
    )
    assert str(input_error(path, "chaostoolkit-journal")) == (
        f"{path}: not a Chaos Toolkit journal (a JSON object with `chaoslib-version`, `experiment` and `run`)"
    )


def test_other_tools_json_with_forced_format() -> None:
    path = DR_DATA.parent / "security" / "bandit" / "bandit_1.9.4_clean.json"
    assert str(input_error(path, "chaostoolkit-journal")) == (
        f"{path}: not a Chaos Toolkit journal (a JSON object with `chaoslib-version`, `experiment` and `run`)"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda raw: raw["steady_states"]["after"]["probes"][0].pop("tolerance_met"),
            "Chaos Toolkit journal steady_states.after.probes[0] has no tolerance_met",
        ),
        (
            lambda raw: raw["steady_states"].update(before=["not", "a", "result"]),
            "Chaos Toolkit journal steady_states.before is not a hypothesis result",
        ),
    ],
    ids=["no-tolerance-met", "hypothesis-not-an-object"],
)
def test_malformed_hypothesis_results(tmp_path: Path, change, message: str) -> None:
    raw = _raw(CTK / "journal-succeeded.json")
    change(raw)
    path = tmp_path / "j.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert str(input_error(path)) == f"{path}: {message}"


def test_chaoslib_1_27_writes_naive_utc_times_and_failed_plus_deviated() -> None:
    """The real journals of chaostoolkit 1.12.0 / chaostoolkit-lib 1.27.3: times without an offset (utcnow()),
    and a deviated run whose status is `failed` (1.44 writes `completed`): both read as documented."""
    path = CTK / "chaoslib-1.27.3" / "journal-deviated.json"
    raw = _raw(path)
    assert raw["start"] == "2026-11-27T22:31:56.556654" and (raw["status"], raw["deviated"]) == ("failed", True)
    _, doc = collect_valid(path)
    (drill,) = doc["data"]["drills"]
    assert (drill["start"], drill["status"]) == ("2026-11-27T22:31:56.556654Z", "deviated")
