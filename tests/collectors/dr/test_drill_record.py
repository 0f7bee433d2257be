"""Drill record YAML collector: the example field by field, and malformed records with line/column."""

from __future__ import annotations

from pathlib import Path

import yaml

from evaluator.fileio import YamlLoader
from tests.collectors.dr.helpers import DR_DATA, collect_valid, input_error, seconds_up, z

EXAMPLE = DR_DATA / "drill-record" / "db-failover-2026-11.yaml"
REPO_EXAMPLE = Path(__file__).parent.parent.parent.parent / "examples" / "drills" / "db-failover-2026-11.yaml"


def test_example_copy_is_current() -> None:
    assert EXAMPLE.read_bytes() == REPO_EXAMPLE.read_bytes()


def test_example_field_by_field() -> None:
    raw = yaml.load(EXAMPLE.read_bytes(), Loader=YamlLoader)
    item, doc = collect_valid(EXAMPLE)
    assert doc["source"]["format"] == "drill-record"
    (drill,) = doc["data"]["drills"]
    (want,) = raw["drills"]
    for key in ("scenario", "scope", "tags", "status", "operator", "data_loss", "rto", "rpo"):
        assert drill[key] == want[key], key
    assert drill["start"] == z(want["start"]) == "2026-11-14T08:00:00Z"
    assert drill["end"] == z(want["end"]) == "2026-11-14T08:41:30Z"
    assert item.observed is not None
    for got, step in zip(drill["steps"] + drill["rollbacks"], want["steps"] + want["rollbacks"], strict=True):
        assert got == {
            "name": step["name"],
            "kind": step.get("kind", "manual"),
            "status": step["status"],
            "start": z(step["start"]),
            "end": z(step["end"]),
            "duration_ms": seconds_up(step["start"], step["end"]) * 1000,
        }
    assert len(drill["steps"]) == 7 and len(drill["rollbacks"]) == 1
    assert drill["rto"]["measured_s"] == 412 and drill["rpo"]["target_s"] == 60


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """schema: drill-record/v1
drills:
  - scenario: restore last night's backup into staging
    status: succeeded
    start: "2026-11-20T10:00:00Z"
    rto: {target_s: 3600}
    rpo: {}
    steps: []
"""


def test_minimal_record(tmp_path: Path) -> None:
    item, doc = collect_valid(_write(tmp_path, MINIMAL))
    assert doc["data"]["drills"] == [
        {
            "scenario": "restore last night's backup into staging",
            "tags": [],
            "status": "succeeded",
            "start": "2026-11-20T10:00:00Z",
            "rto": {"target_s": 3600},
            "rpo": {},
            "steps": [],
            "rollbacks": [],
        }
    ]
    assert item.observed is None


def test_schema_error_has_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("status: succeeded", "status: done"))
    error = input_error(path)
    assert (error.line, error.column) == (4, 13)
    assert error.message.startswith("invalid drill record at /drills/0/status: ")


def test_wrong_type_has_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("{target_s: 3600}", "{target_s: 1h}"))
    error = input_error(path)
    assert (error.line, error.column) == (6, 21)
    assert str(error) == f'{path}:6:21: invalid drill record at /drills/0/rto/target_s: "1h" is not of type "integer"'


def test_time_without_offset(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace('"2026-11-20T10:00:00Z"', '"2026-11-20T10:00:00"'))
    error = input_error(path)
    assert (error.line, error.column) == (5, 12)
    assert error.message.startswith("invalid drill record at /drills/0/start: ")


def test_end_before_start(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("    rto:", '    end: "2026-11-20T09:00:00Z"\n    rto:'))
    assert str(input_error(path)) == f"{path}: invalid drill record at /drills/0: end is before start"


def test_malformed_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.replace("    steps: []", "    steps: [\n"))
    error = input_error(path)
    assert error.message.startswith("malformed YAML: ") and error.line is not None and error.column is not None


def test_empty_and_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    assert str(input_error(path, "drill-record")) == f"{path}: file is empty"
    path = _write(tmp_path, "- schema: drill-record/v1\n")
    assert str(input_error(path, "drill-record")) == (
        f"{path}: a drill record is a YAML mapping with `schema: drill-record/v1` and a `drills:` list"
    )


def test_no_drills(tmp_path: Path) -> None:
    path = _write(tmp_path, "schema: drill-record/v1\ndrills: []\n")
    error = input_error(path)
    assert (error.line, error.column) == (2, 9)
    assert error.message.startswith("invalid drill record at /drills: ")


def test_another_tools_text_with_forced_format() -> None:
    path = Path("/work/shared/samples/chaos/litmuschaos/litmus_v1_chaosresult_describe_probe_status.txt")
    if not path.exists():
        return
    assert str(input_error(path, "drill-record")) == (
        f'{path}:1:1: invalid drill record at /: "schema" is a required property'
    )
