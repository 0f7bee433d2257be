"""Loading a policy directory: Rego modules, data files merged under data.readiness, the criteria catalogue."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

from evaluator.errors import InputError
from evaluator.fileio import load_json, load_yaml, read_bytes
from evaluator.policy.metadata import Annotation, annotations, package_of
from evaluator.policy.model import RULE_KINDS, SEVERITIES, Criterion, PolicyModule, PolicyPackage, PolicySet

CRITERION_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
KIND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
OPA_ANNOTATION_KEYS = {
    "scope", "title", "description", "related_resources", "authors", "organizations", "schemas", "entrypoint", "custom",
}  # fmt: skip
DATA_ROOT = "readiness"
"""Data files are merged under data.readiness."""


def load_policies(directory: str | Path, data_files: tuple[str | Path, ...] = (), check: bool = True) -> PolicySet:
    """Read every .rego and data file below `directory` (plus `data_files`) into a checked PolicySet."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(root, "policy directory not found" if not root.exists() else "not a directory")
    rego_files = sorted(
        p for p in root.rglob("*.rego") if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not rego_files:
        raise InputError(root, "no .rego files in the policy directory")
    digest = hashlib.sha256()
    modules = []
    for path in rego_files:
        raw = read_bytes(path, "policy")
        relative = path.relative_to(root).as_posix()
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(path, "policy file is not UTF-8 text") from None
        digest.update(f"{relative}\0{hashlib.sha256(raw).hexdigest()}\n".encode())
        modules.append(
            PolicyModule(relative, source, package_of(source, str(path)), is_test=path.name.endswith("_test.rego"))
        )
    own_data = (
        sorted(p for p in (root / "data").rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        if (root / "data").is_dir()
        else []
    )
    merged: dict[str, Any] = {}
    data_digests = []
    for path in [*own_data, *(Path(p) for p in data_files)]:
        raw = read_bytes(path, "data file")
        sha = hashlib.sha256(raw).hexdigest()
        if path in own_data:
            digest.update(f"{path.relative_to(root).as_posix()}\0{sha}\n".encode())
        document = load_json(path, "data file") if path.suffix == ".json" else load_yaml(path, "data file")
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InputError(path, "a data file must hold a mapping (it is merged under data.readiness)")
        _deep_merge(merged, document)
        data_digests.append((str(path), sha))
    criteria, packages = _catalogue(modules, root)
    _check_data_keys(merged, modules, data_digests)
    policy_set = PolicySet(
        root=str(root),
        modules=tuple(modules),
        data={DATA_ROOT: merged},
        criteria=tuple(sorted(criteria, key=lambda c: c.id)),
        packages=tuple(packages),
        digest=digest.hexdigest(),
        data_files=tuple(data_digests),
    )
    if check:
        _check_builtins(policy_set, root)
    return policy_set


def _deep_merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Merge `update` into `into`: mappings merge key by key, anything else is replaced by the later file."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _check_data_keys(data: dict[str, Any], modules: list[PolicyModule], files: list[tuple[str, str]]) -> None:
    packages = {m.package.split(".")[1] for m in modules if m.package.startswith(f"{DATA_ROOT}.") and "." in m.package}
    clash = sorted(set(data) & packages)
    if clash:
        where = files[-1][0] if files else "data"
        raise InputError(where, f"data key {clash[0]!r} collides with policy package {DATA_ROOT}.{clash[0]}")


def _catalogue(modules: list[PolicyModule], root: Path) -> tuple[list[Criterion], list[PolicyPackage]]:
    criteria: dict[str, Criterion] = {}
    packages: dict[str, PolicyPackage] = {}
    for module in modules:
        where = str(root / module.path)
        for note in annotations(module.source, where):
            unknown = set(note.fields) - OPA_ANNOTATION_KEYS
            if unknown:
                raise InputError(
                    where,
                    f"unknown METADATA key {sorted(unknown)[0]!r} (put your own fields under custom:)",
                    note.block_line,
                )
            if module.is_test:
                continue
            if note.scope == "package":
                packages.setdefault(module.package, _package(note, module))
                continue
            if note.target not in RULE_KINDS:
                continue
            criterion = _criterion(note, module, where)
            if criterion.id in criteria:
                first = criteria[criterion.id]
                raise InputError(
                    where,
                    f"criterion id {criterion.id!r} is declared twice (first at {first.file}:{first.line})",
                    note.line,
                )
            criteria[criterion.id] = criterion
    for module in modules:
        if not module.is_test and module.package not in packages:
            packages[module.package] = PolicyPackage(module.package, module.package, "", module.path)
    return list(criteria.values()), sorted(packages.values(), key=lambda p: p.path)


def _package(note: Annotation, module: PolicyModule) -> PolicyPackage:
    return PolicyPackage(
        module.package,
        str(note.fields.get("title") or module.package),
        str(note.fields.get("description") or ""),
        module.path,
    )


def _criterion(note: Annotation, module: PolicyModule, where: str) -> Criterion:
    fields = note.fields
    custom = fields.get("custom")
    line = note.block_line

    def fail(message: str) -> InputError:
        return InputError(where, f"METADATA of `{note.target}` rule: {message}", line)

    if not isinstance(custom, dict):
        raise fail("custom: is missing (it holds id, severity, requires and remediation)")
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title is required")
    criterion_id = custom.get("id")
    if not isinstance(criterion_id, str) or not CRITERION_ID.match(criterion_id):
        raise fail(f"custom.id {criterion_id!r} must look like <area>.<name> (lowercase, digits, _)")
    severity = custom.get("severity")
    if severity not in SEVERITIES:
        raise fail(f"custom.severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    requires = custom.get("requires")
    if not isinstance(requires, list) or not all(isinstance(k, str) and KIND_NAME.match(k) for k in requires):
        raise fail("custom.requires must be a list of evidence kinds (use [] when none)")
    remediation = custom.get("remediation")
    if not isinstance(remediation, str) or not remediation.strip():
        raise fail("custom.remediation is required")
    effective_on = custom.get("effective_on")
    if effective_on is not None:
        try:
            effective_on = date.fromisoformat(str(effective_on))
        except ValueError:
            raise fail(f"custom.effective_on {effective_on!r} is not a date (YYYY-MM-DD)") from None
    weight = custom.get("weight")
    if weight is not None and (not isinstance(weight, int) or isinstance(weight, bool) or weight < 0):
        raise fail("custom.weight must be a non-negative integer")
    tiers = custom.get("tiers", [])
    if not isinstance(tiers, list) or not all(isinstance(t, str) for t in tiers):
        raise fail("custom.tiers must be a list of tier names")
    description = fields.get("description") or ""
    return Criterion(
        id=criterion_id,
        title=title.strip(),
        description=str(description).strip(),
        severity=severity,
        requires=tuple(requires),
        remediation=remediation.strip(),
        package=module.package,
        rule=note.target,
        file=module.path,
        line=note.line,
        effective_on=effective_on,
        weight=weight,
        tiers=tuple(tiers),
    )


def _check_builtins(policy_set: PolicySet, root: Path) -> None:
    from evaluator.policy.builtins import check_builtins

    refused = check_builtins([(m.path, m.source) for m in policy_set.modules])
    if refused:
        path, line, name = refused[0]
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise InputError(
            root / path, f"builtin `{name}` is not allowed: it does not behave the same on every engine{more}", line
        )
