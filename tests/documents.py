"""Helpers for tests that break JSON documents on purpose."""

from __future__ import annotations

import copy
from typing import Any


def with_value(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy with `value` at the slash path (the value `...` deletes the key)."""
    document = copy.deepcopy(document)
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return document
