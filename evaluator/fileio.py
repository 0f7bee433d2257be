"""Reading JSON/YAML inputs with located errors, and writing outputs atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import yaml

from evaluator.errors import InputError

_CHUNK = 1 << 20


class YamlLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves timestamps as strings, so we parse them ourselves (offset required)."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    """Read a whole file; a missing or unreadable file is an InputError naming it."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, f"{what} not found") from None
    except IsADirectoryError:
        raise InputError(p, f"{what} is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read {what}: {exc.strerror or exc}") from None


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, streamed in 1 MiB chunks."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    return h.hexdigest()


def line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def parse_json(data: bytes, path: str | Path | None) -> Any:
    """Parse JSON bytes; malformed JSON is an InputError with line and column."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise _located_json_error(data, path, exc) from None


def _located_json_error(data: bytes, path: str | Path | None, exc: msgspec.DecodeError) -> InputError:
    """Locate the error precisely: the fast parser only knows a byte offset, so ask the standard one."""
    if not data.strip():
        return InputError(path, "file is empty, expected JSON")
    try:
        json.loads(data)
    except json.JSONDecodeError as std:
        return InputError(path, f"malformed JSON: {std.msg}", std.lineno, std.colno)
    except UnicodeDecodeError as std:
        line, col = line_col(data, std.start)
        return InputError(path, "malformed JSON: not UTF-8 text", line, col)
    except (ValueError, RecursionError):
        pass
    text = str(exc)
    if "(byte " in text:
        reason, _, offset = text.rpartition(" (byte ")
        if offset.rstrip(")").isdigit():
            line, col = line_col(data, int(offset.rstrip(")")))
            return InputError(path, f"malformed JSON: {reason.replace('JSON is malformed: ', '')}", line, col)
    return InputError(path, f"malformed JSON: {text}")


def load_json(path: str | Path, what: str = "file") -> Any:
    """Read and parse a JSON file with located errors."""
    return parse_json(read_bytes(path, what), path)


def load_yaml(path: str | Path, what: str = "file") -> Any:
    """Read and parse a YAML file (safe loader) with located errors."""
    data = read_bytes(path, what)
    try:
        return yaml.load(data, Loader=YamlLoader)
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None


def yaml_error(path: str | Path, exc: yaml.YAMLError) -> InputError:
    """One located InputError for a YAML parse error: its problem, with line and column when PyYAML knows them."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if mark is not None:
            return InputError(path, f"malformed YAML: {problem}", mark.line + 1, mark.column + 1)
        return InputError(path, f"malformed YAML: {problem}")
    return InputError(path, f"malformed YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def write_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename.

    Nothing partial is ever left at `path`: either the old content or the new one.
    `mode` sets the permission bits before any byte is written (0o600 for private keys).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(target, f"cannot write: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_output(path: str | Path | None, data: bytes) -> None:
    """Write to a file atomically, or to standard output when `path` is None or '-'."""
    if path is None or str(path) == "-":
        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(path, f"cannot write: {exc.strerror or exc}") from None
