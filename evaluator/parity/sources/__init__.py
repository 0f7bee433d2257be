"""Snapshot sources: the registry of configuration formats, and `load_snapshot` over a file or a directory."""

from __future__ import annotations

from pathlib import Path

from evaluator.errors import InputError
from evaluator.fileio import sha256_file
from evaluator.parity.snapshot import HEAD_BYTES, MAX_FILE_BYTES, SecretHasher, Snapshot, walk_files
from evaluator.parity.sources.config import ConfigSource
from evaluator.parity.sources.dotenv import DotenvSource
from evaluator.parity.sources.interface import SnapshotSource
from evaluator.parity.sources.inventory import InventorySource
from evaluator.parity.sources.kubernetes import KubernetesSource
from evaluator.parity.sources.terraform import TerraformSource

# One line per format (and one import above per module); the first whose `detect` accepts a file reads it,
# so the generic `config` source (any JSON or YAML file) comes last.
SOURCES: tuple[type[SnapshotSource], ...] = (
    KubernetesSource,
    TerraformSource,
    DotenvSource,
    InventorySource,
    ConfigSource,
)

__all__ = ["SOURCES", "SnapshotSource", "detect_source", "load_snapshot"]


def detect_source(path: Path) -> type[SnapshotSource] | None:
    """The first registered source that recognises the file, or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    for source in SOURCES:
        if source.detect(path, head):
            return source
    return None


def load_snapshot(root: Path, hasher: SecretHasher) -> Snapshot:
    """Every recognised file of `root` (a file or a directory) read into one snapshot.

    InputError when `root` is missing, when a file is malformed, when no file is recognised, or when two
    files define the same object.
    """
    formats: set[str] = set()
    snapshot = Snapshot(source="", path=root)
    defined_in: dict[str, str] = {}
    skipped: list[str] = []
    for path in walk_files(root):
        relative = path.name if path == root else path.relative_to(root).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not a configuration file")
        source = detect_source(path)
        if source is None:
            skipped.append(relative)
            continue
        objects = source().read(path, relative, hasher)
        for name, fields in objects.items():
            if name in defined_in:
                raise InputError(path, f"{name} is defined twice in the snapshot: in {defined_in[name]} and {relative}")
            defined_in[name] = relative
            snapshot.objects[name] = fields
        formats.add(source.format)
        snapshot.files.append((relative, sha256_file(path)))
    if not snapshot.files:
        known = ", ".join(s.format for s in SOURCES) or "none"
        what = f"none of its {len(skipped)} files is" if skipped else "it holds no file that is"
        raise InputError(root, f"no recognised configuration: {what} one of the known sources ({known})")
    snapshot.source = formats.pop() if len(formats) == 1 else "mixed"
    return snapshot
