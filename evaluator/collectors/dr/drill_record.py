"""Hand-written drill records (YAML, `schema: drill-record/v1`) into a `dr` evidence item.

For manual drills (a database fail-over run from a runbook, a restore test) there is no tool output: the team
writes what happened in a small YAML file checked by `schemas/drill-record.v1.schema.json` (example:
`examples/drills/db-failover-2026-11.yaml`). The file carries `schema: drill-record/v1` and a `drills:` list.

Mapping (record -> model): the fields have the model's names and meanings and are copied as written, except
  start, end (drill and step)  -> converted to UTC with a Z suffix (an offset is required in the record)
  steps[].kind left out        -> "manual"
  steps[].duration_ms left out -> end - start in milliseconds, when both are given (absent otherwise)
  rollbacks left out           -> []
  rto / rpo                    -> target_s, measured_s, source as written (all optional)
The item's observed window is the earliest drill start to the latest drill end, when every drill has an end.
Schema errors name the place in the file (line and column) and the JSON pointer; an end before its start is refused.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from evaluator import schemas
from evaluator.collectors.dr.common import parse_utc, utc_text
from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.dr import Drill, Drills, Objective, Step
from evaluator.fileio import YamlLoader, read_bytes, yaml_error

_SHAPE = "a drill record is a YAML mapping with `schema: drill-record/v1` and a `drills:` list"
_MARK = re.compile(rb"^schema:[ \t]*[\"']?drill-record/v1[\"']?[ \t]*(#.*)?$", re.MULTILINE)


class DrillRecordCollector(Collector):
    """A hand-written YAML record of manual disaster-recovery drills."""

    format: ClassVar[str] = "drill-record"
    kind: ClassVar[str] = "dr"
    schema: ClassVar[str] = "dr/v1"
    description: ClassVar[str] = "drill record YAML (schema: drill-record/v1) for manual disaster-recovery drills"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` has a top-level `schema: drill-record/v1` line."""
        return bool(_MARK.search(head))

    def collect(self, path: Path) -> Collected:
        """Parse, check against the drill-record schema, and convert every drill."""
        data = read_bytes(path)
        if not data.strip():
            raise InputError(path, "file is empty, expected a drill record")
        try:
            node = yaml.compose(data, Loader=YamlLoader)
            document = yaml.load(data, Loader=YamlLoader)
        except yaml.YAMLError as exc:
            raise yaml_error(path, exc) from None
        if not isinstance(document, dict):
            raise InputError(
                path, "a drill record is a YAML mapping with `schema: drill-record/v1` and a `drills:` list"
            )
        found = schemas.problems(schemas.DRILL_RECORD, document)
        if found:
            line, col = _place(node, found[0].pointer)
            raise InputError(path, f"invalid drill record at {found[0]}", line, col)
        drills = [_drill(path, d, f"/drills/{i}") for i, d in enumerate(document["drills"])]
        starts = [parse_utc(path, d.start, "start") for d in drills]
        ends = [parse_utc(path, d.end, "end") for d in drills if d.end]
        whole = len(ends) == len(drills)
        return Collected(
            data=Drills(drills=drills),
            tool="drill-record",
            tool_version="v1",
            observed_start=min(starts) if whole else None,
            observed_end=max(ends) if whole else None,
        )


def _place(node: Any, pointer: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the YAML node at JSON `pointer`, as deep as the pointer resolves."""
    if node is None:
        return None, None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parts:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def _times(path: Path, raw: dict[str, Any], where: str) -> tuple[datetime | None, datetime | None]:
    start = parse_utc(path, raw["start"], f"{where}/start") if "start" in raw else None
    end = parse_utc(path, raw["end"], f"{where}/end") if "end" in raw else None
    if start and end and end < start:
        raise InputError(path, f"invalid drill record at {where}: end is before start")
    return start, end


def _step(path: Path, raw: dict[str, Any], where: str) -> Step:
    start, end = _times(path, raw, where)
    duration = raw.get("duration_ms")
    if duration is None and start and end:
        duration = round((end - start).total_seconds() * 1000)
    return Step(
        name=raw["name"],
        kind=raw.get("kind", "manual"),
        status=raw["status"],
        start=utc_text(start) if start else None,
        end=utc_text(end) if end else None,
        duration_ms=duration,
    )


def _drill(path: Path, raw: dict[str, Any], where: str) -> Drill:
    start, end = _times(path, raw, where)
    assert start is not None  # required by the schema
    return Drill(
        scenario=raw["scenario"],
        scope=raw.get("scope"),
        tags=list(raw.get("tags", [])),
        status=raw["status"],
        start=utc_text(start),
        end=utc_text(end) if end else None,
        rto=Objective(**raw["rto"]),
        rpo=Objective(**raw["rpo"]),
        data_loss=raw.get("data_loss"),
        steps=[_step(path, s, f"{where}/steps/{i}") for i, s in enumerate(raw["steps"])],
        rollbacks=[_step(path, s, f"{where}/rollbacks/{i}") for i, s in enumerate(raw.get("rollbacks", []))],
        operator=raw.get("operator"),
    )
