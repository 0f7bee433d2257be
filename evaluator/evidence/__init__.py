"""Evidence items: the envelope every collector produces and the registry of kinds."""

from evaluator.evidence import coverage as _coverage
from evaluator.evidence import dr as _dr
from evaluator.evidence import load as _load
from evaluator.evidence import parity as _parity
from evaluator.evidence import rollout as _rollout
from evaluator.evidence import security as _security
from evaluator.evidence import tests as _tests
from evaluator.evidence.model import CollectorInfo, EvidenceItem, ObservedWindow, Source
from evaluator.evidence.registry import EvidenceKind, all_kinds, get, item_problems, register

# One line per kind.
register(_coverage.KIND)
register(_dr.KIND)
register(_load.KIND)
register(_parity.KIND)
register(_rollout.KIND)
register(_security.KIND)
register(_tests.KIND)

__all__ = [
    "CollectorInfo",
    "EvidenceItem",
    "EvidenceKind",
    "ObservedWindow",
    "Source",
    "all_kinds",
    "get",
    "item_problems",
    "register",
]
