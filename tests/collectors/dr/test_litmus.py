"""LitmusChaos ChaosResult collector: 1.x / 2.x / 3.x shapes in YAML and JSON, verdict mapping, failure paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.collectors import detect
from evaluator.collectors.dr.litmus import LitmusChaosResultCollector
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.errors import InputError
from evaluator.fileio import YamlLoader
from tests.collectors.dr.helpers import DR_DATA, SHARED, TESTS_DATA, collect_valid, input_error, z

LITMUS = DR_DATA / "litmus"
V1_LIST = LITMUS / "chaos_exporter_pr48_v1_list_2020.yaml"
V2_PASS = LITMUS / "moreapps_v2_pass_transcribed_2021.yaml"
V1_STOPPED = LITMUS / "probe_v1_stopped_transcribed_2020.json"
V3_LIST = LITMUS / "checkout_v3_list_handwritten.json"
DESCRIBE_V2 = LITMUS / "litmus_v2_probe_describe_2021.out"
DESCRIBE_SHARED = SHARED / "chaos" / "litmuschaos" / "litmus_v1_chaosresult_describe_probe_status.txt"
OBJECT_FILES = [V1_LIST, V2_PASS, V1_STOPPED, V3_LIST]
FORMAT = "litmus-chaosresult"


def _yaml(path: Path) -> Any:
    return yaml.load(path.read_bytes(), Loader=YamlLoader)


def _write(tmp_path: Path, text: str, name: str = "result.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _utc(text: str) -> str:
    return z(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("path", OBJECT_FILES, ids=lambda p: p.name)
def test_every_sample_is_detected_and_schema_valid(path: Path) -> None:
    assert detect(path) is LitmusChaosResultCollector
    _, doc = collect_valid(path)
    assert doc["source"]["format"] == FORMAT and doc["source"]["tool"] == "litmuschaos"
    assert doc["collector"]["name"] == FORMAT
    assert len(doc["data"]["drills"]) >= 1


def test_v1_list_from_chaos_exporter_pr() -> None:
    raw = _yaml(V1_LIST)
    (obj,) = raw["items"]
    item, doc = collect_valid(V1_LIST)
    (drill,) = doc["data"]["drills"]
    status = obj["status"]["experimentstatus"]
    assert drill["scenario"] == f"{obj['spec']['experiment']} (engine {obj['spec']['engine']})"
    assert drill["scenario"] == "pod-delete (engine nginx-chaos)"
    experiment = obj["spec"]["experiment"]
    assert drill["tags"] == [experiment, *(["instance-loss"] if experiment in ("pod-delete", "container-kill") else [])]
    assert drill["scope"] == f"namespace {obj['metadata']['namespace']}"
    assert status["verdict"] == "Pass" and drill["status"] == "succeeded"
    assert drill["start"] == _utc(obj["metadata"]["creationTimestamp"])
    assert "end" not in drill, "no managedFields: the end is not stated, so it is absent"
    assert drill["rto"] == {} and drill["rpo"] == {} and "data_loss" not in drill
    assert drill["steps"] == [
        {
            "name": f"experiment pod-delete: verdict {status['verdict']}, phase {status['phase']}",
            "kind": "experiment",
            "status": "succeeded",
        }
    ]
    assert status["failStep"] == "N/A" and "failed step" not in drill["steps"][0]["name"]
    assert drill["rollbacks"] == []
    assert item.source.tool_version is None
    assert item.observed is None


def test_v2_single_run_pass_has_end_from_managed_fields() -> None:
    raw = _yaml(V2_PASS)
    item, doc = collect_valid(V2_PASS)
    (drill,) = doc["data"]["drills"]
    meta, status = raw["metadata"], raw["status"]["experimentStatus"]
    assert drill["status"] == "succeeded" and status["verdict"] == "Pass"
    assert drill["start"] == _utc(meta["creationTimestamp"]) == "2021-05-09T22:06:19Z"
    assert drill["end"] == _utc(meta["managedFields"][0]["time"]) == "2021-05-09T22:06:53Z"
    assert drill["scope"] == f"namespace {meta['namespace']}"
    assert "runs" not in drill["scenario"], "one run recorded: the creation time is this run's start"
    assert drill["steps"][-1]["name"] == (
        f"experiment pod-delete: verdict Pass, phase {status['phase']}, "
        f"probe success {status['probeSuccessPercentage']}%"
    )
    assert item.source.tool_version == meta["labels"]["app.kubernetes.io/version"] == "1.13.3"
    assert item.observed is not None
    assert z(item.observed.start.isoformat()) == drill["start"]
    assert z(item.observed.end.isoformat()) == drill["end"]


def test_v1_stopped_json_with_probe_maps() -> None:
    raw = json.loads(V1_STOPPED.read_text(encoding="utf-8"))
    _, doc = collect_valid(V1_STOPPED)
    (drill,) = doc["data"]["drills"]
    status = raw["status"]["experimentstatus"]
    assert status["verdict"] == "Stopped" and drill["status"] == "aborted"
    probes = raw["status"]["probeStatus"]
    assert [s["name"] for s in drill["steps"][:-1]] == [
        f"probe {p['name']} (Continuous: Better Luck Next Time)" for p in probes
    ]
    assert [s["kind"] for s in drill["steps"][:-1]] == [p["type"] for p in probes]
    assert {s["status"] for s in drill["steps"][:-1]} == {"failed"}
    assert drill["steps"][-1] == {
        "name": f"experiment pod-delete: verdict Stopped, phase Completed, probe success 0%, "
        f"failed step: {status['failStep']}",
        "kind": "experiment",
        "status": "failed",
    }
    assert "👎" not in json.dumps(drill["steps"], ensure_ascii=False)


def test_v3_list_fail_in_progress_and_error() -> None:
    raw = json.loads(V3_LIST.read_text(encoding="utf-8"))
    item, doc = collect_valid(V3_LIST)
    failed, running, errored = doc["data"]["drills"]
    objs = raw["items"]

    obj = objs[0]
    annotations, status = obj["metadata"]["annotations"], obj["status"]
    assert failed["status"] == "failed" and status["experimentStatus"]["verdict"] == "Fail"
    assert failed["rto"] == {"target_s": int(annotations["readiness.dev/rto-target-s"])} == {"target_s": 120}
    assert failed["rpo"] == {"target_s": int(annotations["readiness.dev/rpo-target-s"])} == {"target_s": 0}
    times = [entry["time"] for entry in obj["metadata"]["managedFields"]]
    assert failed["end"] == _utc(max(times)) == "2026-11-20T09:16:47Z"
    target = status["history"]["targets"][0]
    assert failed["scope"] == f"targets: {target['kind']}/{target['name']}"
    probes = status["probeStatuses"]
    assert failed["steps"][:-1] == [
        {
            "name": f"probe {p['name']} ({p['mode']}): {p['status']['description']}",
            "kind": p["type"],
            "status": {"Failed": "failed", "Passed": "succeeded"}[p["status"]["verdict"]],
        }
        for p in probes
    ]
    output = status["experimentStatus"]["failureOutput"]
    assert failed["steps"][-1]["name"] == (
        "experiment pod-delete: verdict Fail, phase Completed_With_Probe_Failure, probe success 50%, "
        f"failed step: [{output['errorCode']}] {output['failedStep']}"
    )
    assert failed["steps"][-1]["status"] == "failed"

    assert running["status"] == "in_progress"
    assert objs[1]["status"]["experimentStatus"]["verdict"] == "Awaited"
    assert "end" not in running and running["steps"] == []
    assert running["scope"] == f"namespace {objs[1]['metadata']['namespace']}"

    obj = objs[2]
    history = obj["status"]["history"]
    runs = history["passedRuns"] + history["failedRuns"] + history["stoppedRuns"]
    assert errored["status"] == "failed" and obj["status"]["experimentStatus"]["verdict"] == "Error"
    assert errored["scenario"] == f"pod-cpu-hog (engine checkout-chaos), last of {runs} runs"
    assert runs == 3
    inner = json.loads(obj["status"]["experimentStatus"]["errorOutput"]["reason"])
    assert errored["steps"][-1]["name"].endswith(
        f"failed step: [{inner['errorCode']}] {inner['reason']} ({inner['phase']})"
    )
    assert errored["steps"][0]["status"] == "skipped"  # probe verdict N/A

    assert item.source.tool_version == "3.9.0"
    assert item.observed is None, "an in-progress drill has no end, so the file has no complete window"


@pytest.mark.parametrize(
    ("verdict", "phase", "expected"),
    [
        ("Pass", "Completed", "succeeded"),
        ("pass", "Completed", "succeeded"),
        ("Fail", "Completed", "failed"),
        ("Error", "Error", "failed"),
        ("Stopped", "Stopped", "aborted"),
        ("Awaited", "Running", "in_progress"),
        ("Awaited", "Aborted", "aborted"),
    ],
)
def test_verdict_mapping(tmp_path: Path, verdict: str, phase: str, expected: str) -> None:
    text = V2_PASS.read_text(encoding="utf-8").replace("verdict: Pass", f"verdict: {verdict}")
    path = _write(tmp_path, text.replace("phase: Completed", f"phase: {phase}"))
    _, doc = collect_valid(path)
    (drill,) = doc["data"]["drills"]
    assert drill["status"] == expected
    if expected == "in_progress":
        assert "end" not in drill and drill["steps"] == []
    else:
        assert drill["end"] == "2021-05-09T22:06:53Z"
        assert drill["steps"][-1]["status"] == ("succeeded" if expected == "succeeded" else "failed")


def test_v0_spec_experimentstatus_shape(tmp_path: Path) -> None:
    text = (
        "apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosResult\nmetadata:\n  name: engine-nginx-pod-delete\n"
        "  namespace: default\n  creationTimestamp: '2019-05-22T12:10:19Z'\n"
        "spec:\n  experimentstatus:\n    phase: null\n    verdict: pass\n"
    )
    path = _write(tmp_path, text)
    _, doc = collect_valid(path)
    (drill,) = doc["data"]["drills"]
    assert drill["scenario"] == "ChaosResult engine-nginx-pod-delete" and drill["tags"] == []
    assert drill["status"] == "succeeded" and drill["start"] == "2019-05-22T12:10:19Z"
    assert drill["steps"] == [
        {"name": "experiment engine-nginx-pod-delete: verdict pass", "kind": "experiment", "status": "succeeded"}
    ]


def test_probe_descriptions_and_fail_steps_are_redacted(tmp_path: Path) -> None:
    raw = json.loads(V3_LIST.read_text(encoding="utf-8"))
    obj = raw["items"][0]
    leak = "GET https://admin:hunter2@checkout/health failed, password=hunter2"
    obj["status"]["probeStatuses"][0]["status"]["description"] = leak
    obj["status"]["experimentStatus"]["failureOutput"]["failedStep"] = "token=ghp_" + "a" * 36
    path = _write(tmp_path, json.dumps(obj), "result.json")
    _, doc = collect_valid(path)
    text = json.dumps(doc)
    assert "hunter2" not in text and "ghp_" not in text
    assert "password=[REDACTED]" in doc["data"]["drills"][0]["steps"][0]["name"]


def test_yaml_stream_of_two_objects(tmp_path: Path) -> None:
    text = V2_PASS.read_text(encoding="utf-8")
    path = _write(tmp_path, text + "---\n" + text.replace("verdict: Pass", "verdict: Fail"))
    _, doc = collect_valid(path)
    assert [d["status"] for d in doc["data"]["drills"]] == ["succeeded", "failed"]


def test_failure_paths(tmp_path: Path) -> None:
    v2 = V2_PASS.read_text(encoding="utf-8")
    name = "ChaosResult moreapps-chaos-pod-delete"

    empty = _write(tmp_path, "", "empty.yaml")
    assert str(input_error(empty)) == f"{empty}: file is empty"
    assert str(input_error(empty, FORMAT)) == f"{empty}: file is empty"
    with pytest.raises(InputError) as caught:
        LitmusChaosResultCollector().collect(empty)
    assert str(caught.value) == f"{empty}: file is empty, expected LitmusChaos ChaosResult objects"

    path = _write(tmp_path, v2.replace("  phase: Completed", "  phase: [Completed"))
    error = input_error(path)
    assert error.message.startswith("malformed YAML: ") and error.line is not None

    path = _write(tmp_path, V3_LIST.read_text(encoding="utf-8")[:2000], "truncated.json")
    error = input_error(path, FORMAT)
    assert error.message.startswith("malformed JSON: ") and error.line is not None

    velero = DR_DATA / "velero" / "velero_backup_cr_partiallyfailed_2021.yaml"
    assert str(input_error(velero, FORMAT)) == (
        f"{velero}: object 1 is not a litmuschaos.io/v1alpha1 ChaosResult (it is velero.io/v1 Backup)"
    )
    path = _write(tmp_path, "just a line of text\n")
    assert str(input_error(path, FORMAT)) == f"{path}: object 1 is not a litmuschaos.io/v1alpha1 ChaosResult"

    path = _write(tmp_path, v2.replace("    verdict: Pass\n", ""))
    assert str(input_error(path)) == (
        f"{path}: {name} has no verdict (status.experimentStatus.verdict is missing or empty)"
    )
    path = _write(tmp_path, v2.replace("    verdict: Pass\n", "    verdict: ' '\n"))
    assert str(input_error(path)) == (
        f"{path}: {name} has no verdict (status.experimentStatus.verdict is missing or empty)"
    )
    path = _write(tmp_path, v2.split("\nstatus:\n")[0] + "\n")
    assert str(input_error(path, FORMAT)) == f"{path}: {name} has no verdict (no status.experimentStatus)"
    path = _write(tmp_path, v2.replace("verdict: Pass", "verdict: Maybe"))
    assert str(input_error(path)) == (
        f"{path}: {name}: verdict 'Maybe' is not one of Pass, Fail, Error, Stopped, Awaited"
    )

    path = _write(tmp_path, v2.replace('  creationTimestamp: "2021-05-09T22:06:19Z"\n', ""))
    assert str(input_error(path)) == (
        f"{path}: {name} has no metadata.creationTimestamp (export it with kubectl get -o yaml)"
    )
    path = _write(tmp_path, v2.replace('"2021-05-09T22:06:19Z"', '"2021-05-09 22:06:19"'))
    assert str(input_error(path)) == (
        f"{path}: {name} metadata.creationTimestamp has no UTC offset: '2021-05-09 22:06:19'"
    )
    path = _write(tmp_path, v2.replace('time: "2021-05-09T22:06:53Z"', 'time: "2021-05-09T22:00:00Z"'))
    assert str(input_error(path)) == (
        f"{path}: {name}: metadata.managedFields time is before metadata.creationTimestamp"
    )

    raw = json.loads(V3_LIST.read_text(encoding="utf-8"))
    checkout = "ChaosResult checkout-chaos-pod-delete"
    for value in ("2m", "-5", "1.5", ""):
        raw["items"][0]["metadata"]["annotations"]["readiness.dev/rto-target-s"] = value
        path = _write(tmp_path, json.dumps(raw), "list.json")
        assert str(input_error(path)) == (
            f"{path}: {checkout} annotation readiness.dev/rto-target-s must be a whole number of seconds >= 0, "
            f"got {value!r}"
        )
    raw = json.loads(V3_LIST.read_text(encoding="utf-8"))
    raw["items"][0]["status"]["probeStatuses"][0]["status"]["verdict"] = "Flaky"
    path = _write(tmp_path, json.dumps(raw), "list.json")
    assert str(input_error(path)) == (
        f"{path}: {checkout}: probe check-checkout-health verdict 'Flaky' is not one of Passed, Failed, N/A, Awaited"
    )
    stopped = json.loads(V1_STOPPED.read_text(encoding="utf-8"))
    stopped["status"]["probeStatus"][0]["status"] = {"PreChaos": "Skipped"}
    path = _write(tmp_path, json.dumps(stopped), "stopped.json")
    assert str(input_error(path)) == (
        f"{path}: ChaosResult probe-pod-delete: probe probe-k8s-1 status PreChaos 'Skipped' is not Passed, Failed, "
        "Better Luck Next Time, Awaited or N/A"
    )

    path = _write(tmp_path, "apiVersion: v1\nkind: List\nitems: []\n")
    assert str(input_error(path, FORMAT)) == f"{path}: no ChaosResult object in the file"


@pytest.mark.parametrize(
    ("path", "command"),
    [
        (DESCRIBE_SHARED, "kubectl get chaosresult app-pod-delete -n test -o yaml"),
        (DESCRIBE_V2, "kubectl get chaosresult engine-nginx-pod-delete -n default -o yaml"),
    ],
    ids=["shared-1.x", "litmus-docs-2.x"],
)
def test_describe_text_is_refused_with_a_hint(path: Path, command: str) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    assert not LitmusChaosResultCollector.detect(path.read_bytes()[:HEAD_BYTES])
    assert str(input_error(path)) == (
        f"{path}: format not recognised from its content; name it with --format (see `readiness collect --list`)"
    )
    assert str(input_error(path, FORMAT)) == f"{path}: kubectl describe output; export with {command}"


def test_cli_exit_code_and_one_line_for_describe_text(tmp_path: Path) -> None:
    out = tmp_path / "item.json"
    proc = subprocess.run(
        [sys.executable, "-m", "evaluator.cli", "collect", str(DESCRIBE_V2), "--format", FORMAT, "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "kubectl describe output; export with kubectl get chaosresult" in lines[0]
    assert "Traceback" not in proc.stderr and not out.exists()


def _other_files() -> list[Path]:
    roots = [TESTS_DATA] + ([SHARED] if SHARED.is_dir() else [])
    own = LITMUS.resolve()
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file() and own not in p.resolve().parents)


def test_detect_claims_no_other_sample() -> None:
    others = _other_files()
    assert len(others) > 100
    claimed = []
    for path in others:
        with open(path, "rb") as fh:
            if LitmusChaosResultCollector.detect(fh.read(HEAD_BYTES)):
                claimed.append(path)
    assert claimed == []
    own = {p for p in LITMUS.iterdir() if LitmusChaosResultCollector.detect(p.read_bytes()[:HEAD_BYTES])}
    assert own == set(OBJECT_FILES)


def test_detect_single_line_json() -> None:
    obj = json.loads(V1_STOPPED.read_text(encoding="utf-8"))
    assert LitmusChaosResultCollector.detect(json.dumps(obj, separators=(",", ":")).encode())
    obj["kind"] = "ChaosEngine"
    assert not LitmusChaosResultCollector.detect(json.dumps(obj, separators=(",", ":")).encode())
