"""Velero Backup/Restore collector: the real PartiallyFailed backup, hand-written restores, failure paths."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from evaluator.fileio import YamlLoader
from tests.collectors.dr.helpers import DR_DATA, collect_valid, input_error, seconds_up, z

VELERO = DR_DATA / "velero"


def test_real_partially_failed_backup() -> None:
    path = VELERO / "velero_backup_cr_partiallyfailed_2021.yaml"
    raw = yaml.load(path.read_bytes(), Loader=YamlLoader)
    item, doc = collect_valid(path)
    assert doc["source"]["format"] == "velero" and doc["source"]["tool"] == "velero"
    (drill,) = doc["data"]["drills"]
    status = raw["status"]
    assert drill["scenario"] == f"backup {raw['metadata']['name']}" == "backup image-registry-backup"
    assert drill["scope"] == "namespaces: " + ", ".join(raw["spec"]["includedNamespaces"])
    assert drill["status"] == "partially_failed"
    assert drill["tags"] == ["backup"]
    assert drill["start"] == z(status["startTimestamp"].replace("Z", "+00:00"))
    assert drill["end"] == z(status["completionTimestamp"].replace("Z", "+00:00"))
    assert drill["rto"] == {} and drill["rpo"] == {} and "data_loss" not in drill
    done, total = status["progress"]["itemsBackedUp"], status["progress"]["totalItems"]
    assert drill["steps"] == [
        {
            "name": f"backup image-registry-backup: {done}/{total} items, {status['errors']} error, 0 warnings",
            "kind": "backup",
            "status": "failed",
            "start": drill["start"],
            "end": drill["end"],
            "duration_ms": seconds_up(status["startTimestamp"], status["completionTimestamp"]) * 1000,
        }
    ]
    assert drill["steps"][0]["duration_ms"] == 3644000
    assert item.observed is not None


def test_completed_restore_json_measures_rto() -> None:
    path = VELERO / "restore_completed_handwritten.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    _, doc = collect_valid(path)
    (drill,) = doc["data"]["drills"]
    assert drill["scenario"] == "restore orders-restore-20261120"
    assert drill["scope"] == f"backup {raw['spec']['backupName']}"
    assert drill["tags"] == ["restore", "backup-restore"]
    assert drill["status"] == "succeeded"
    assert drill["rto"] == {
        "measured_s": seconds_up(raw["status"]["startTimestamp"], raw["status"]["completionTimestamp"]),
        "source": "velero Restore: status.startTimestamp to status.completionTimestamp",
    }
    assert drill["rto"]["measured_s"] == 221
    assert drill["steps"][0]["name"] == "restore orders-restore-20261120: 87/87 items, 0 errors, 2 warnings"
    assert drill["steps"][0]["status"] == "succeeded"


def test_list_with_failed_backup_and_running_restore() -> None:
    item, doc = collect_valid(VELERO / "backup_restore_list_handwritten.yaml")
    failed, running = doc["data"]["drills"]
    assert (failed["status"], failed["scope"], failed["end"]) == (
        "failed",
        "storage location default",
        "2026-11-21T02:00:09Z",
    )
    assert failed["steps"][0]["name"] == "backup orders-daily-20261121020000: 3 errors, 0 warnings"
    assert running["status"] == "in_progress" and "end" not in running and running["steps"] == []
    assert running["rto"] == {}
    assert item.observed is None


def _write(tmp_path: Path, text: str, name: str = "backup.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_failure_paths(tmp_path: Path) -> None:
    text = (VELERO / "velero_backup_cr_partiallyfailed_2021.yaml").read_text(encoding="utf-8")
    path = _write(tmp_path, text.replace("phase: PartiallyFailed", "phase: Deleting"))
    assert str(input_error(path)) == (
        f"{path}: Backup image-registry-backup: phase 'Deleting' is not a finished or running phase"
    )
    path = _write(tmp_path, text.replace("  completionTimestamp: '2021-07-06T19:29:23Z'", "  completionTimestamp: [x"))
    error = input_error(path)
    assert error.message.startswith("malformed YAML: ") and error.line is not None
    path = _write(tmp_path, "")
    assert str(input_error(path, "velero")) == f"{path}: file is empty"
    other = DR_DATA / "drill-record" / "db-failover-2026-11.yaml"
    assert str(input_error(other, "velero")) == f"{other}: object 1 is not a velero.io/v1 Backup or Restore"


def test_describe_text_is_not_read() -> None:
    path = Path("/work/shared/samples/chaos/velero/velero_restore_describe_inprogress_2026.txt")
    if not path.exists():
        return
    assert str(input_error(path)) == (
        f"{path}: format not recognised from its content; name it with --format (see `readiness collect --list`)"
    )
    error = input_error(path, "velero")
    assert error.message.startswith("malformed YAML: ") and (error.line, error.column) == (20, 21)
