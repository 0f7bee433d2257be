"""Engines: the registry of Rego backends and isolated evaluation."""

from __future__ import annotations

from evaluator.engine.interface import Engine, EngineError, EngineUnavailable, Undefined
from evaluator.engine.opa import OpaEngine
from evaluator.engine.regorus import RegorusEngine
from evaluator.errors import UsageError

# One line per backend.
ENGINES: tuple[type[Engine], ...] = (RegorusEngine, OpaEngine)

__all__ = ["ENGINES", "Engine", "EngineError", "EngineUnavailable", "Undefined", "get_engine"]


def get_engine(name: str) -> type[Engine]:
    """The backend registered under `name`; a UsageError listing the backends otherwise."""
    for engine in ENGINES:
        if engine.name == name:
            return engine
    raise UsageError(f"unknown engine {name!r} (known: {', '.join(e.name for e in ENGINES)})")
