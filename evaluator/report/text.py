"""Text helpers the human-readable report formats share."""

from __future__ import annotations

import json
from typing import Any


def value_text(value: Any) -> str:
    """An observed or threshold value as text: strings bare, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    except (TypeError, ValueError):  # keys that cannot be sorted, circular values
        return str(value)


def percent(fraction: float) -> str:
    """One decimal; never rounds a partial result to 0% or 100%."""
    value = round(fraction * 100, 1)
    if fraction < 1 and value >= 100:
        value = 99.9
    elif fraction > 0 and value <= 0:
        value = 0.1
    return f"{value:.1f}%"
