"""Parsing OPA METADATA annotations (YAML in comments) from Rego source, in the host.

No embedded engine exposes annotations, so we read them ourselves: a `# METADATA` comment line
starts a block, the comment lines right after it are YAML, and the block annotates the package
(when `package` follows, or `scope: package`) or the rule whose head follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from evaluator.errors import InputError
from evaluator.fileio import YamlLoader

_METADATA = re.compile(r"^\s*#\s*METADATA\s*$")
_COMMENT = re.compile(r"^\s*#(.*)$")
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*$")
_RULE_HEAD = re.compile(r"^([A-Za-z_]\w*)\b")


@dataclass(frozen=True)
class Annotation:
    """One METADATA block and what it annotates."""

    scope: str
    """'package' or 'rule'."""
    target: str
    """Package path for package scope, rule name for rule scope."""
    fields: dict[str, Any]
    """The parsed YAML."""
    line: int
    """Line of the annotated package or rule head (1-based)."""
    block_line: int
    """Line of the `# METADATA` marker."""


def package_of(source: str, path: str) -> str:
    """The package path declared by a module; InputError when it declares none."""
    for line in source.splitlines():
        match = _PACKAGE.match(line)
        if match:
            return match.group(1)
    raise InputError(path, "no `package` declaration")


def annotations(source: str, path: str) -> list[Annotation]:
    """Every METADATA block in a module, with what it annotates."""
    lines = source.splitlines()
    found: list[Annotation] = []
    index = 0
    while index < len(lines):
        if not _METADATA.match(lines[index]):
            index += 1
            continue
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and _COMMENT.match(lines[index]) and not _METADATA.match(lines[index]):
            text = _COMMENT.match(lines[index]).group(1)  # type: ignore[union-attr]
            body.append(text[1:] if text.startswith(" ") else text)
            index += 1
        fields = _parse_yaml(body, path, start + 2)
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines):
            raise InputError(path, "METADATA block annotates nothing", start + 1)
        head = lines[index]
        package = _PACKAGE.match(head)
        scope = fields.get("scope")
        if package or scope == "package":
            found.append(Annotation("package", package.group(1) if package else "", fields, index + 1, start + 1))
            continue
        rule = _RULE_HEAD.match(head)
        if not rule:
            raise InputError(path, "METADATA block is not followed by a package or rule head", index + 1)
        found.append(Annotation("rule", rule.group(1), fields, index + 1, start + 1))
    return found


def _parse_yaml(body: list[str], path: str, first_line: int) -> dict[str, Any]:
    try:
        fields = yaml.load("\n".join(body), Loader=YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = first_line + mark.line if mark is not None else first_line
        raise InputError(path, f"METADATA is not valid YAML: {exc.problem or exc}", line) from None
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise InputError(path, "METADATA must be a YAML mapping", first_line)
    return fields
