"""Builtins a policy may call: those measured to behave identically on regorus and on real OPA.

How the list was measured (2026-11-27, gordon-to-regorus 0.13.0, opa-golib-python-bindings 0.4.4, which
embeds OPA v1.20.2): `bench/conformance.py` ran OPA's own conformance cases (2,274 cases in 147
directories, `../shared/opa-conformance/v1`) on both engines, each in a worker process with a time-out,
and compared each outcome with the case's expectation; plus 438 probe expressions, evaluated on both
engines and compared with each other, on the edges readiness policies touch (integers and floats,
sprintf verbs, Unicode, time zones, lenient parsing). Real OPA passed 2,272 of the cases (99.9%),
regorus 1,610 (70.8%), both 1,609; the engines agreed on 372 of the 438 probes.

A builtin is allowed when no engine lacks it, something verified it (a case expecting a result that
passes on both engines, or a probe where both return the same value), no failing case is blamed on
it and no probe differs: the script prints that suggestion. It is then reviewed by hand: a few
suggested builtins are refused for what they do (`DENIED_REASONS`), and a few essential builtins are
allowed although a probe differs, on inputs readiness policies avoid (`CAVEATS`). Operators are not
calls and are not checked; measured, they agree except float arithmetic (`0.1 + 0.2`) and the
`k, v in set` membership form.

To regenerate: `python bench/conformance.py` (about 20 s on 2 cores; writes
`bench/out/conformance.json`), then compare its suggestion with `ALLOWED_BUILTINS`: the summary lists
the differences and flags any without a `CAVEATS` or `DENIED_REASONS` entry. Update the numbers above,
and re-run `tests/test_builtins.py`, which re-checks a sample of cases on both engines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regorus

from evaluator.errors import InputError

MEASURED_WITH: dict[str, str] = {"gordon-to-regorus": "0.13.0", "opa-golib-python-bindings": "0.4.4"}
"""Engine distributions and versions the lists below were measured with; another version needs a new measurement."""

_MEASURED = """
abs array.concat array.reverse array.slice base64.decode base64.encode base64.is_valid base64url.decode
base64url.encode base64url.encode_no_pad bits.and bits.lsh bits.negate bits.or bits.rsh bits.xor concat
contains endswith glob.match glob.quote_meta graph.reachable graph.reachable_paths hex.decode hex.encode
indexof intersection is_array is_boolean is_null is_number is_object is_set is_string json.filter
json.remove json.unmarshal max min net.cidr_contains net.cidr_expand net.cidr_is_valid numbers.range
object.filter object.get object.keys object.remove object.union object.union_n product
regex.find_all_string_submatch_n regex.find_n regex.match regex.split regex.template_match replace split
startswith strings.any_prefix_match strings.any_suffix_match strings.replace_n strings.reverse substring
time.clock time.date time.parse_ns time.weekday trim trim_left trim_prefix trim_right trim_space
trim_suffix type_name union urlquery.decode urlquery.decode_object urlquery.encode urlquery.encode_object
"""

_FLOATS = "floats differ (64-bit on regorus: 0.1 + 0.2 is 0.30000000000000004); use integers"
_REGEX = "patterns outside the common RE2 / Rust-regex syntax differ (`a++` is valid on regorus only)"

CAVEATS: dict[str, str] = {
    "count": "strings with characters outside the BMP: regorus counts UTF-16 units (count of an emoji is 2, OPA 1)",
    "sprintf": (
        "only %s with strings and %v with strings, integers and collections agree; floats (%v of 1e-7, %.1f), "
        "%d and %x of a negative number ('--7' on regorus), %o, width and flags (%-5s, %+d), %s of a number, "
        "and a wrong argument count differ"
    ),
    "to_number": "regorus accepts surrounding spaces (' 1') that OPA rejects",
    "lower": "a few non-ASCII mappings differ (İ, final Σ); ASCII agrees",
    "upper": "a few non-ASCII mappings differ (ß, ligatures); ASCII agrees",
    "sum": _FLOATS,
    "ceil": "negative non-integers differ (ceil(-0.2) is 0 on regorus, 1 on OPA)",
    "floor": "negative non-integers differ (floor(-0.5) is -1 on regorus, 0 on OPA)",
    "round": "number literals beyond float precision differ (round(1.4999999999999999))",
    "format_int": "negative non-integers differ (format_int(-0.5, 10) is '-0' on regorus)",
    "sort": "collections mixing sets and objects sort in a different order",
    "semver.compare": "a leading 'v' is an error on regorus and accepted by OPA",
    "time.format": "named time zones print as offsets on regorus ('+01:00', not 'CET'); the UTC form agrees",
    "time.parse_rfc3339_ns": "regorus also accepts a lower-case 't' or 'z' and a space separator, which OPA rejects",
    "regex.match": _REGEX,
    "regex.split": _REGEX,
    "regex.find_n": _REGEX,
    "regex.find_all_string_submatch_n": _REGEX,
    "regex.template_match": _REGEX,
}
"""Known differences of allowed builtins, on inputs readiness policies avoid (floats, non-ASCII, malformed text)."""

ALLOWED_BUILTINS: frozenset[str] = frozenset(_MEASURED.split()) | frozenset(CAVEATS)
"""Builtins a policy may call: measured to behave identically on both engines, or with a documented caveat."""

_NOT_DETERMINISTIC = "not deterministic or has side effects: a verdict must depend only on the evidence"

DENIED_REASONS: dict[str, str] = {
    "time.now_ns": "reads the clock: policies read the evaluation time from input.evaluation",
    "rand.*": _NOT_DETERMINISTIC,
    "uuid.rfc4122": _NOT_DETERMINISTIC,
    "http.send": _NOT_DETERMINISTIC,
    "net.lookup_ip_addr": _NOT_DETERMINISTIC,
    "opa.runtime": "describes the engine, which differs per backend",
    "print": "output goes to a different place per engine and is not part of results; use deny/warn messages",
    "trace": "returns a different value per engine (a string on regorus, true on OPA)",
    "walk": "the function form walk(x) is undefined on regorus, and a path case gives different results",
    "json.match_schema": "error lists differ in shape between engines",
    "json.verify_schema": "conformance cases fail on regorus",
    "json.marshal": "escaping and floats differ ('<' as \\u003c on OPA, 1.0 as '1' on regorus)",
    "json.marshal_with_options": "escaping and floats differ, as json.marshal",
    "json.patch": "a failing patch is an error on OPA, undefined on regorus",
    "json.is_valid": "a non-string argument is an error on regorus, false on OPA",
    "yaml.*": "YAML dialects differ: 'yes' is true on OPA (YAML 1.1), a string on regorus; quoting differs",
    "semver.is_valid": "semver.is_valid('v1.0.0') is true on OPA, false on regorus",
    "strings.count": "overlapping matches are counted on regorus, and an empty needle panics it",
    "indexof_n": "an empty needle is an error on OPA, [] on regorus",
    "time.add_date": "month overflow differs: 31 January + 1 month is 2 March on OPA, 29 February on regorus",
    "time.diff": "named time zones give different results",
    "time.parse_duration_ns": "the 'd' unit is accepted by OPA only; thresholds are integers in data",
    "units.*": "rounding and range errors differ (units.parse_bytes('1.5') is 2 on regorus, 1 on OPA)",
    "uuid.parse": "some accepted formats are undefined on regorus",
    "object.subset": "mixing an array and a set is an error on OPA 1.20, true on regorus",
    "numbers.range_step": "a step beyond 64 bits is an error on regorus",
    "regex.replace": "an invalid pattern is an error on OPA, undefined on regorus",
    "regex.is_valid": _REGEX,
    "rego.*": "engine-specific metadata and AST; regorus lacks rego.metadata.*",
    "io.jwt.*": "regorus implements part of the family, and most verification cases fail on it",
    "crypto.*": "regorus lacks most of the family (hashes, HMAC, x509 and key parsing)",
    "any": "deprecated, and missing on regorus",
    "all": "deprecated, and missing on regorus",
    "array.flatten": "missing on regorus",
    "strings.split_n": "missing on regorus",
}
"""Why notable builtins are refused, by name or family (`rand.*`); anything not allowed is refused anyway."""

OPERATORS: dict[tuple[str, str | None], str] = {
    ("ArithExpr", "Add"): "plus",
    ("ArithExpr", "Sub"): "minus",
    ("ArithExpr", "Mul"): "mul",
    ("ArithExpr", "Div"): "div",
    ("ArithExpr", "Mod"): "rem",
    ("BinExpr", "Union"): "or",
    ("BinExpr", "Intersection"): "and",
    ("BoolExpr", "Eq"): "equal",
    ("BoolExpr", "Ne"): "neq",
    ("BoolExpr", "Lt"): "lt",
    ("BoolExpr", "Le"): "lte",
    ("BoolExpr", "Gt"): "gt",
    ("BoolExpr", "Ge"): "gte",
    ("Membership", None): "internal.member_2",
    ("Membership", "key"): "internal.member_3",
}
"""OPA's builtin behind each operator node of the regorus AST (`x in s` is member_2, `k, v in s` member_3)."""

_ERROR_PLACE = re.compile(r"-->\s*[^\n]*?:(\d+):(\d+)")


@dataclass
class _Module:
    """A parsed Rego module: its package, imports and the functions it defines."""

    path: str
    source: bytes
    ast: dict[str, Any]
    package: tuple[str, ...]
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)


def _only(node: dict[str, Any]) -> tuple[str, Any]:
    """The single (variant, body) pair of a serialised Rust enum."""
    ((kind, body),) = node.items()
    return kind, body


def _ref_parts(node: dict[str, Any] | None) -> list[str] | None:
    """The segments of a static reference (`a.b["c"]` -> ['a', 'b', 'c']), None if any part is dynamic."""
    if not isinstance(node, dict) or len(node) != 1:
        return None
    kind, body = _only(node)
    if kind == "Var":
        return [body["value"]]
    if kind == "RefDot":
        head = _ref_parts(body["refr"])
        return None if head is None else [*head, body["field"][1]]
    if kind == "RefBrack":
        head = _ref_parts(body["refr"])
        index = body.get("index")
        if head is None or not isinstance(index, dict) or "String" not in index:
            return None
        return [*head, index["String"]["value"]]
    return None


def _first_line(node: dict[str, Any]) -> int:
    """Line of the leftmost token of a reference (its root variable)."""
    kind, body = _only(node)
    while kind in ("RefDot", "RefBrack"):
        kind, body = _only(body["refr"])
    return int(body["span"]["line"])


def _parse(source: str, path: str) -> _Module:
    """Parse one module with regorus; syntax errors become an InputError naming file and line."""
    engine = regorus.Engine()
    try:
        engine.add_policy(path, source)
        (entry,) = json.loads(engine.get_ast_as_json())
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # regorus raises RuntimeError, and a Rust panic is a BaseException
        text = str(exc).split("Stack backtrace:")[0].strip()
        place = _ERROR_PLACE.search(text)
        message = text.splitlines()[-1].removeprefix("error: ") if text else type(exc).__name__
        line, column = (int(place[1]), int(place[2])) if place else (None, None)
        raise InputError(path, f"cannot parse Rego: {message}", line, column) from None
    ast = entry["ast"]
    package = _ref_parts(ast["package"]["refr"]) or []
    module = _Module(path, source.encode(), ast, ("data", *package))
    for imp in ast.get("imports", []):
        parts = _ref_parts(imp["refr"])
        if not parts or parts[0] != "data":
            continue  # input, rego.v1 and future.keywords imports cannot name functions
        alias = imp.get("as")
        name = module.source[alias["start"] : alias["end"]].decode() if alias else parts[-1]
        module.imports[name] = tuple(parts)
    for rule in ast.get("rules", []):
        kind, body = _only(rule)
        head = body.get("head", {}) if kind == "Spec" else {}
        if "Func" in head:
            ref = head["Func"]["refr"]
        elif kind == "Default" and body.get("args"):
            ref = body["refr"]
        else:
            continue
        parts = _ref_parts(ref)
        if parts:
            module.functions.add(".".join((*module.package, *parts)))
    return module


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in an AST, depth first in source order."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _resolve(module: _Module, parts: list[str], functions: Collection[str]) -> str | None:
    """The builtin a call names, or None when it names a function the policies define."""
    if parts[0] == "data":
        name = ".".join(parts)
    elif parts[0] in module.imports:
        name = ".".join((*module.imports[parts[0]], *parts[1:]))
    else:
        local = ".".join((*module.package, *parts))
        return None if local in functions or local in module.functions else ".".join(parts)
    return None if name in functions or name in module.functions else name


def _calls(module: _Module, functions: Collection[str]) -> list[tuple[str, int]]:
    """(builtin, line) for every call in a parsed module that is not to a policy-defined function."""
    found: list[tuple[str, int]] = []
    for node in _walk(module.ast):
        if "Call" in node and len(node) == 1:
            fcn = node["Call"]["fcn"]
            parts = _ref_parts(fcn)
            if parts is None:
                span = _only(fcn)[1]["span"]
                found.append((module.source[span["start"] : span["end"]].decode(), int(span["line"])))
                continue
            name = _resolve(module, parts, functions)
            if name is not None:
                found.append((name, _first_line(fcn)))
        elif "with_mods" in node:
            # `with count as other.fn` replaces a function by another: the replacement is a call too.
            # A bare variable (`with time.now_ns as t`) is a value, not a function, and is left alone.
            for mod in node["with_mods"] or []:
                target, value = _ref_parts(mod["refr"]), _ref_parts(mod["as"])
                if not target or target[0] in ("input", "data") or not value or len(value) < 2:
                    continue
                name = _resolve(module, value, functions)
                if name is not None:
                    found.append((name, _first_line(mod["as"])))
    return sorted(found, key=lambda call: call[1])


def operators_in_module(source: str, path: str) -> list[tuple[str, int]]:
    """(OPA builtin name, line) of each operator in a module: `+` is plus, `k, v in x` internal.member_3."""
    found = []
    for node in _walk(_parse(source, path).ast):
        if len(node) != 1:
            continue
        kind, body = _only(node)
        if kind == "Membership":
            op = "key" if body.get("key") is not None else None
        elif kind in ("ArithExpr", "BinExpr", "BoolExpr"):
            op = body.get("op")
        else:
            continue
        if (kind, op) in OPERATORS:
            found.append((OPERATORS[kind, op], int(body["span"]["line"])))
    return sorted(found, key=lambda item: item[1])


def defined_functions(modules: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Fully qualified names (`data.pkg.f`) of the functions a set of (path, source) modules defines."""
    return frozenset(name for path, source in modules for name in _parse(source, path).functions)


def calls_in_module(source: str, path: str, user_functions: Collection[str] = ()) -> list[tuple[str, int]]:
    """(builtin name, line) of each call in a module, leaving out functions it or `user_functions` define."""
    return _calls(_parse(source, path), user_functions)


def check_builtins(modules: Iterable[tuple[str, str]]) -> list[tuple[str, int, str]]:
    """(path, line, builtin) of every call to a builtin that is not allowed, across a set of modules."""
    parsed = [_parse(source, path) for path, source in modules]
    functions = frozenset(name for module in parsed for name in module.functions)
    refused = [
        (module.path, line, name)
        for module in parsed
        for name, line in _calls(module, functions)
        if name not in ALLOWED_BUILTINS
    ]
    return sorted(refused)


def denial_reason(builtin: str) -> str | None:
    """The documented reason a builtin is refused, looking up its name then its families (`io.jwt.*`, `io.*`)."""
    if builtin in DENIED_REASONS:
        return DENIED_REASONS[builtin]
    parts = builtin.split(".")
    for size in range(len(parts) - 1, 0, -1):
        family = ".".join(parts[:size]) + ".*"
        if family in DENIED_REASONS:
            return DENIED_REASONS[family]
    return None


def refusal_message(builtin: str) -> str:
    """One line saying why a builtin is refused."""
    reason = denial_reason(builtin) or "it is not among the builtins that behave identically on every engine"
    return f"builtin {builtin} is not allowed: {reason}"
