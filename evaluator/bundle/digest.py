"""Item digests: sha256 over the RFC 8785 (JCS) canonical JSON of an evidence item."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import rfc8785

from evaluator.errors import UsageError


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical bytes of a JSON value; a UsageError when the value has no canonical form."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise UsageError(f"value cannot be canonicalized (RFC 8785): {exc}") from None


def item_digest(item: Any) -> str:
    """Hex sha256 of the item's canonical JSON: the digest a bundle records for it."""
    return hashlib.sha256(canonical_json(item)).hexdigest()


def digest_matches(item: Any, expected_hex: str) -> bool:
    """True when `item` canonicalizes to bytes whose sha256 is `expected_hex`.

    Fast path: the sorted compact encoding, which is byte-identical to RFC 8785 for items
    without floats or supplementary-plane keys (all of ours). A match there is proof: equal
    sha256 means equal bytes, and those bytes parse back to this very item. Only on a miss do
    we pay for the exact, slower RFC 8785 encoder, so the answer never depends on the shortcut.
    """
    try:
        fast = msgspec.json.encode(item, order="sorted")
    except (TypeError, ValueError, OverflowError):
        fast = b""
    if fast and hashlib.sha256(fast).hexdigest() == expected_hex:
        return True
    try:
        return item_digest(item) == expected_hex
    except UsageError:
        return False
