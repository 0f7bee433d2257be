"""dotenv files: `KEY=value` lines, as read by Docker Compose, python-dotenv and most twelve-factor tools.

Detected by name: `.env`, `<anything>.env` (`production.env`) and `.env.<anything>` (`.env.staging`), except
`.env.<anything>` ending in .json, .yaml or .yml (those are configuration files). Note that a directory
walk skips hidden names, so `.env` and `.env.*` files are read when given as the snapshot itself.

Syntax read (UTF-8, an optional byte-order mark):

- blank lines and lines whose first non-blank character is `#` are skipped;
- an assignment is `[export ]KEY=VALUE`, blanks allowed around `=`; KEY is a letter or `_` followed by
  letters, digits, `_`, `.` or `-`;
- an unquoted VALUE runs to the end of the line, with an inline comment (`#` after a blank) and trailing
  blanks removed; `KEY=` is the empty string;
- a single-quoted VALUE is literal (no escapes) up to the next `'`; a double-quoted VALUE understands
  `\\n`, `\\r`, `\\t`, `\\"`, `\\\\` and `\\$` (any other backslash stays as written); both kinds may span lines;
  after the closing quote only blanks and a comment may follow;
- `${VAR}` references are not expanded: values are compared as written;
- a key assigned twice keeps its last value (as a shell, Compose and python-dotenv do).

Anything else — a line without `=`, a bad key, text after a closing quote, an unclosed quote — is an
InputError with the line (and column). Naming: object = the file's path relative to the snapshot root
(`.env`, `config/production.env`); field = the key; every value goes through `config_leaf` (category
config), so a key naming a secret or a credential-shaped value is kept only as the run's HMAC digest.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from evaluator.errors import InputError
from evaluator.fileio import line_col, read_bytes
from evaluator.parity.snapshot import Leaf, SecretHasher, config_leaf
from evaluator.parity.sources.interface import SnapshotSource

_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*")
_DOUBLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}
_REST = re.compile(r"[ \t]*(?:#.*)?")
_CONFIG_SUFFIXES = (".json", ".yaml", ".yml")


def is_dotenv_name(name: str) -> bool:
    """True for `.env`, `*.env` and `.env.*` names (not `.env.*.json/.yaml/.yml`)."""
    lowered = name.lower()
    if lowered == ".env" or (lowered.endswith(".env") and len(lowered) > 4):
        return True
    return lowered.startswith(".env.") and not lowered.endswith(_CONFIG_SUFFIXES)


def parse_dotenv(text: str, path: Path | str) -> dict[str, str]:
    """Key -> value of a dotenv text; a line that is not an assignment is an InputError with its line."""
    values: dict[str, str] = {}
    position = 1 if text.startswith("\ufeff") else 0
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        end = length if end < 0 else end
        line = text[position:end].rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            position = end + 1
            continue
        line_number = text.count("\n", 0, position) + 1
        match = _KEY.match(line)
        if match is None:
            raise InputError(path, _bad_line_message(stripped), line_number, len(line) - len(line.lstrip()) + 1)
        key = match.group(1)
        start = position + match.end()
        if start < length and text[start] in "'\"":
            value, position = _quoted(text, start, path)
        else:
            raw = text[start:end].rstrip("\r")
            value = re.split(r"[ \t]#", raw, maxsplit=1)[0].rstrip(" \t")
            position = end + 1
        values.pop(key, None)
        values[key] = value
    return values


def _bad_line_message(line: str) -> str:
    """The one-line reason a non-blank, non-comment line is not an assignment."""
    if "=" not in line:
        return "not a KEY=value assignment"
    key = line.split("=", 1)[0].strip()
    if key.startswith("export "):
        key = key[len("export ") :].strip()
    return f"not a KEY=value assignment: invalid key {key!r}" if key else "not a KEY=value assignment: no key"


def _quoted(text: str, start: int, path: Path | str) -> tuple[str, int]:
    """The value of a quoted string starting at `start` and the position after its line."""
    quote = text[start]
    parts: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            break
        if char == "\\" and quote == '"' and index + 1 < len(text) and text[index + 1] in _DOUBLE_ESCAPES:
            parts.append(_DOUBLE_ESCAPES[text[index + 1]])
            index += 2
            continue
        parts.append(char)
        index += 1
    else:
        line, column = line_col(text.encode("utf-8"), len(text[:start].encode("utf-8")))
        kind = "double" if quote == '"' else "single"
        raise InputError(path, f"unclosed {kind} quote", line, column)
    after = index + 1
    end = text.find("\n", after)
    end = len(text) if end < 0 else end
    rest = text[after:end].rstrip("\r")
    if not _REST.fullmatch(rest):
        line, column = line_col(text.encode("utf-8"), len(text[:after].encode("utf-8")))
        raise InputError(path, "unexpected text after the closing quote", line, column)
    return "".join(parts), end + 1


class DotenvSource(SnapshotSource):
    """dotenv files: one object per file, one field per key."""

    format: ClassVar[str] = "dotenv"
    description: ClassVar[str] = "dotenv file (.env, *.env, .env.*: KEY=value lines)"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """A file named `.env`, `*.env` or `.env.*`."""
        return is_dotenv_name(path.name)

    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """The file's keys as fields of the object named by its relative path."""
        data = read_bytes(path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line, column = line_col(data, exc.start)
            raise InputError(path, "not UTF-8 text", line, column) from None
        values = parse_dotenv(text, path)
        return {relative: {key: config_leaf(key, value, hasher) for key, value in values.items()}}
