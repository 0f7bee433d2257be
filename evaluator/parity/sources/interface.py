"""The snapshot-source plugin family: one kind of configuration file in, objects of fields out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from evaluator.parity.snapshot import Leaf, SecretHasher


class SnapshotSource(ABC):
    """Turns one configuration file into objects of flattened fields (see evaluator/parity/snapshot.py)."""

    format: ClassVar[str]
    """Source name: kubernetes, terraform, dotenv, config, inventory."""
    description: ClassVar[str]
    """One line for the docs and error messages."""

    @classmethod
    @abstractmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """True when the file (its name and first 64 KiB) is this source's."""

    @abstractmethod
    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """Objects -> fields -> leaves of the file at `path` (`relative`: its path below the snapshot root).

        Secret values go through `hasher` and never stay in clear. A malformed file is an InputError naming
        the file and, when known, the line and column.
        """
