"""Each dr collector's `detect` claims exactly its own files among every sample in the workplace and tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.collectors.dr.chaostoolkit import ChaosToolkitJournalCollector
from evaluator.collectors.dr.drill_record import DrillRecordCollector
from evaluator.collectors.dr.litmus import LitmusChaosResultCollector
from evaluator.collectors.dr.velero import VeleroCollector
from evaluator.collectors.interface import HEAD_BYTES
from tests.collectors.dr.helpers import DR_DATA, SHARED, TESTS_DATA

OWN = {
    ChaosToolkitJournalCollector: sorted((DR_DATA / "chaostoolkit").rglob("journal-*.json")),
    DrillRecordCollector: [DR_DATA / "drill-record" / "db-failover-2026-11.yaml"],
    LitmusChaosResultCollector: sorted(p for p in (DR_DATA / "litmus").iterdir() if p.suffix in (".yaml", ".json")),
    VeleroCollector: [
        DR_DATA / "velero" / "velero_backup_cr_partiallyfailed_2021.yaml",
        DR_DATA / "velero" / "restore_completed_handwritten.json",
        DR_DATA / "velero" / "backup_restore_list_handwritten.yaml",
        SHARED / "chaos" / "velero" / "velero_backup_cr_partiallyfailed_2021.yaml",
    ],
}
EXAMPLE = Path(__file__).parent.parent.parent.parent / "examples" / "drills" / "db-failover-2026-11.yaml"


def _all_files() -> list[Path]:
    roots = [TESTS_DATA] + ([SHARED] if SHARED.is_dir() else [])
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file())


def test_there_are_many_files_to_check() -> None:
    assert len(_all_files()) > 100


@pytest.mark.parametrize("collector", list(OWN), ids=lambda c: c.format)
def test_detect_claims_exactly_its_own_files(collector: type) -> None:
    own = {p.resolve() for p in OWN[collector] if p.exists()}
    assert len(own) >= 1
    claimed = set()
    for path in _all_files():
        with open(path, "rb") as fh:
            if collector.detect(fh.read(HEAD_BYTES)):
                claimed.add(path.resolve())
    assert claimed == own
    if collector is DrillRecordCollector:
        assert collector.detect(EXAMPLE.read_bytes())
