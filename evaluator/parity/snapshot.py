"""Snapshots: one environment's configuration, flattened into objects of fields with scalar values.

A snapshot is what `readiness parity` compares: `objects[object][field] = Leaf(value, category)`, e.g.
`objects["apps/v1 Deployment shop/cart"]["spec.template.spec.containers[app].image"] =
Leaf("registry.example/cart@sha256:…", "image")`. Each source format (evaluator/parity/sources/) turns one
file into objects; `load_snapshot` reads a file or every file below a directory (sorted, hidden entries
skipped), picks each file's source by content, and refuses a directory where nothing is recognised or an
object defined twice.

Secrets never enter a snapshot in clear: a source hands every secret value to the run's `SecretHasher`
(HMAC-SHA256 with a random key made for this run and never written anywhere), and keeps only the digest,
so equal values compare equal and nothing can be recovered from the item. `is_secret_key` and
`looks_like_credential` are the shared rules for what counts as a secret beyond what a format marks
(a Kubernetes Secret's data).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from evaluator.errors import InputError
from evaluator.redact import redact

LeafCategory = Literal["image", "version", "config", "capacity", "secret"]
"""What a value is: the categories a changed value is reported under."""
Value = str | int | bool | None
"""A leaf value: a string, integer, boolean or null (other numbers are kept as their text)."""
HEAD_BYTES = 64 * 1024
"""How much of a file a source's `detect` sees."""
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest single file read."""

_SECRET_KEY = re.compile(
    r"(?i)(pass(word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|"
    r"auth|bearer|session[_-]?key|signing[_-]?key|client[_-]?secret|dsn|connection[_-]?string|cookie)"
)


@dataclass(frozen=True)
class Leaf:
    """One field's value and what kind of value it is."""

    value: Value
    """The value (for a secret: the run's HMAC digest of it, never the value)."""
    category: LeafCategory
    """image, version, config, capacity or secret."""


@dataclass
class Snapshot:
    """One environment, read from a file or a directory."""

    source: str
    """The source format name, or 'mixed' when a directory held several."""
    path: Path
    """File or directory read."""
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path relative to `path`, sha256) of every file read, sorted."""
    objects: dict[str, dict[str, Leaf]] = field(default_factory=dict)
    """object -> field -> leaf."""

    @property
    def sha256(self) -> str:
        """Digest over the sorted relative paths and file digests."""
        digest = hashlib.sha256()
        for relative, file_digest in self.files:
            digest.update(f"{relative}\0{file_digest}\n".encode())
        return digest.hexdigest()

    @property
    def keys(self) -> int:
        """Number of (object, field) keys."""
        return sum(len(fields) for fields in self.objects.values())


class SecretHasher:
    """HMAC-SHA256 of secret values under a random key made for one run (never stored)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else os.urandom(32)

    def digest(self, value: str | bytes) -> str:
        """'hmac-sha256:' + hex digest of `value`; equal values give equal digests within one run only."""
        data = value.encode("utf-8") if isinstance(value, str) else value
        return "hmac-sha256:" + hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def leaf(self, value: str | bytes) -> Leaf:
        """A secret leaf holding the digest of `value`."""
        return Leaf(self.digest(value), "secret")


def is_secret_key(name: str) -> bool:
    """True when a key's name says it holds a secret (password, token, api_key, private_key, dsn …)."""
    return _SECRET_KEY.search(name) is not None


def looks_like_credential(value: str) -> bool:
    """True when a value looks like a credential by its shape (tokens, keys, URLs with passwords …)."""
    return redact(value) != value


def config_leaf(name: str, value: Value, hasher: SecretHasher, category: LeafCategory = "config") -> Leaf:
    """A leaf for a configuration value: a secret leaf when the key's name or the value's shape says so."""
    if isinstance(value, str) and (is_secret_key(name) or looks_like_credential(value)):
        return hasher.leaf(value)
    return Leaf(value, category)


def scalar(value: object) -> Value:
    """A JSON/YAML scalar as a leaf value: str, int, bool and None as they are, other numbers as their text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def walk_files(root: Path) -> Iterator[Path]:
    """`root` itself when a file, else every file below it, sorted; hidden entries skipped, but .env files read."""
    if root.is_file():
        yield root
        return
    if not root.exists():
        raise InputError(root, "not found")
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") or name == ".env" or name.startswith(".env."):
                yield Path(directory) / name
