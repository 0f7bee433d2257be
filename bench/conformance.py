"""OPA's conformance cases on both engines: regorus (embedded) and real OPA (in process), per builtin.

Run with `python bench/conformance.py [--cases DIR] [--out FILE] [--jobs N] [--timeout S]`. Every case
in the YAML files under DIR (default `../shared/opa-conformance/v1`) is evaluated on each engine in a
worker process (a hang is killed after the time-out, a crash or a Rust panic is recorded, and the
worker is replaced), then compared with the case's expectation the way OPA's own topdown test runner
compares: the result rows form a set, `sort_bindings` sorts each binding (a set printed as an array)
in OPA's value order, numbers compare by value (1 == 1.0), and an expected error passes on any error
(the text differs between engines; whether it matches OPA's is recorded but not judged).

Both engines report builtin errors strictly (OPA's in-process binding evaluates with strict builtin
errors, regorus always does), so `strict_error` cases expect an error like any other error case, and
a case that expects a result only because OPA's runner drops builtin errors (no `strict_error`)
expects the builtin error real OPA raises instead (`expect` in the JSON says which).

Each case is mapped to the builtins its modules and query call, through the regorus AST (the same
parser `evaluator.policy.builtins` uses for the loader's check), or a regular expression for the few
modules regorus cannot parse. The summary gives pass rates per engine overall and per directory, and
per builtin: how many of its cases pass on both engines. `bench/out/conformance.json` holds it all,
with every case's outcome, for reviewing `ALLOWED_BUILTINS` in `evaluator/policy/builtins.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import multiprocessing
import os
import platform
import queue
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CASES = REPO.parent / "shared" / "opa-conformance" / "v1"
DEFAULT_OUT = HERE / "out" / "conformance.json"
ENGINES = ("regorus", "opa")
ERROR_KINDS = ("error", "panic")
"""Outcomes that are an evaluation failure the caller sees (a panic surfaces as an exception too)."""


# Expressions evaluated as `x := <expression>` on both engines and compared with each other (no expected
# value): the edges readiness policies touch (integers vs floats, sprintf verbs, Unicode, time, parsing
# leniency) that the conformance cases leave out. A builtin with a probe where the engines differ is
# not suggested for the allow-list.
PROBES = r"""
sprintf("%v", [0.1])
sprintf("%v", [1.0])
sprintf("%v", [1.5])
sprintf("%v", [1e21])
sprintf("%v", [100000000])
sprintf("%v", [12345678901234567890])
sprintf("%d", [3])
sprintf("%d", [3.0])
sprintf("%.2f", [1.005])
sprintf("%s", [1])
sprintf("%s", ["a"])
sprintf("%v", [{"a": 1, "b": [1, "x"]}])
sprintf("%v", [{1, 2}])
sprintf("%v", [null])
sprintf("%v", [true])
sprintf("%q", ["a"])
sprintf("%x", [255])
sprintf("%5d|%-5s|", [42, "ab"])
sprintf("%v%%", [50])
sprintf("%v", ["é"])
sprintf("%d items", [count([1,2])])
format_int(1.5, 10)
format_int(255, 16)
to_number("1e3")
to_number("1.50")
to_number("10")
to_number(true)
to_number(null)
round(2.5)
round(-2.5)
7 / 2
6 / 3
7 % 3
0.1 + 0.2
1 / 3
10000000000000000000 + 1
9007199254740993 + 0
json.marshal(1.0)
json.marshal({"b": 1, "a": [1.5, 2]})
json.marshal({1, "a"})
json.unmarshal("1.0")
numbers.range(1, 3)
max([1, 2.5])
sum([0.1, 0.2])
sum([1, 2, 3])
product([2, 3])
product([0.1, 3])
min([])
count("héllo")
lower("ÀÉ")
upper("straße")
substring("héllo", 1, 3)
indexof("héllo", "l")
split("a,b,,c", ",")
concat("-", {"b", "a"})
trim_space("  a  ")
strings.replace_n({"a": "b"}, "aaa")
replace("aaa", "a", "bb")
contains("abc", "")
startswith("abc", "")
endswith("abc", "c")
regex.match("^a+$", "aaa")
regex.match("\\d", "a1")
regex.replace("aaa", "a+", "b")
regex.split(",", "a,b")
glob.match("*.txt", [], "a.txt")
glob.match("a/**", ["/"], "a/b/c")
semver.compare("1.2.3", "1.10.0")
semver.is_valid("v1.0.0")
semver.is_valid("1.0.0")
semver.is_valid("1.0.0-rc.1+build")
time.parse_rfc3339_ns("2024-01-01T00:00:00Z")
time.parse_rfc3339_ns("2024-01-01T00:00:00.123456789+02:00")
time.parse_rfc3339_ns("2024-01-01")
time.date(1700000000000000000)
time.clock(1700000000000000000)
time.weekday(1700000000000000000)
time.add_date(1700000000000000000, 0, 1, 0)
time.diff(1700000000000000000, 1600000000000000000)
time.format(1700000000000000000)
time.parse_duration_ns("1h30m")
time.parse_duration_ns("1d")
time.parse_ns("2006-01-02", "2024-03-05")
units.parse("1Gi")
units.parse("1.5k")
units.parse_bytes("1.5KiB")
units.parse_bytes("100MB")
object.get({"a": {"b": 1}}, ["a", "b"], 0)
object.get({"a": 1}, "z", "d")
object.union({"a": {"b": 1}}, {"a": {"c": 2}})
object.union_n([{"a": 1}, {"a": 2}])
object.keys({"a": 1, "b": 2})
object.filter({"a": 1, "b": 2}, ["a"])
object.remove({"a": 1, "b": 2}, {"a"})
object.subset({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}})
object.subset([1, 2, 3], [1, 3])
array.concat([1], [2])
array.slice([1, 2, 3], 1, 10)
array.reverse([1, 2])
sort([3, 1, "a", null])
sort({3, 1})
type_name(1.0)
is_number(1)
abs(-1.5)
ceil(1.2)
floor(-1.2)
union({{1}, {2}})
intersection({{1, 2}, {2}})
{1, 2} - {2}
{1} | {"a"}
any([false, true])
all([true])
base64.encode("hé")
base64.decode("aMOp")
hex.encode("a")
crypto.sha256("a")
crypto.md5("a")
json.is_valid("{")
yaml.unmarshal("a: 1")
yaml.marshal({"a": 1})
net.cidr_contains("10.0.0.0/8", "10.1.2.3")
strings.count("aaa", "aa")
strings.count("abc", "")
uuid.parse("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}")
walk({"a": [1]})
[p | walk({"a": [1]}, [p, _])]
array.flatten([[1], 2])
strings.split_n("a.b.c", ".", 2)
json.match_schema({"a": 1}, {"type": "object", "properties": {"a": {"type": "string"}}})
lower("İ")
lower("ΟΔΟΣ")
upper("ﬁ")
lower("ABC")
upper("abc")
sprintf("%v", [0.000001])
sprintf("%v", [1e-7])
sprintf("%v", [123456789012])
sprintf("%v", [1.5e10])
sprintf("%.1f", [2.25])
sprintf("%d", [1.5])
sprintf("%v", [[1.5, "a"]])
sprintf("%s", [["a"]])
sprintf("%v and %v", ["a"])
sprintf("%v", ["a", "b"])
sprintf("%05d", [42])
sprintf("%+d", [42])
sprintf("%-5d|", [42])
sprintf("%8.3f", [3.14159])
sprintf("%t", [true])
sprintf("%e", [1234.5])
sprintf("%v", [-0.5])
sprintf("%v", [100 / 3])
sprintf("%v", [10 / 4])
to_number(" 1")
to_number("0x10")
to_number("1_000")
to_number("-1.5e2")
to_number("+5")
to_number("Inf")
to_number(".5")
format_int(-255, 16)
format_int(10, 2)
numbers.range(3, 1)
array.slice([1, 2, 3], -1, 2)
substring("abc", 1, -1)
substring("abc", 5, 1)
indexof("abc", "z")
trim("xxaxx", "x")
trim_left("aab", "a")
trim_prefix("aab", "a")
split("", ",")
concat(",", [])
count({1, 2})
count({"a": 1})
time.parse_rfc3339_ns("2024-01-01T00:00:00z")
time.parse_rfc3339_ns("2024-01-01t00:00:00Z")
time.parse_rfc3339_ns("2024-01-01T00:00:00+0200")
time.parse_rfc3339_ns("2024-01-01 00:00:00Z")
time.parse_rfc3339_ns("2024-01-01T24:00:00Z")
time.parse_rfc3339_ns("2024-02-30T00:00:00Z")
time.parse_rfc3339_ns("1969-12-31T23:59:59Z")
time.parse_rfc3339_ns("2024-01-01T00:00:00.5Z")
time.parse_ns("2006-01-02T15:04:05Z07:00", "2024-03-05T01:02:03Z")
time.format([1700000000000000000, "UTC", "2006-01-02"])
time.format([1700000000000000000, "Europe/Paris", "RFC822"])
time.date([1700000000000000000, "America/New_York"])
time.add_date(1706659200000000000, 0, 1, 0)
time.diff(1600000000000000000, 1700000000000000000)
regex.match("(?i)abc", "ABC")
regex.match("a{2,}", "aaa")
regex.match("[[:alpha:]]+", "abc")
regex.match("\\bfoo\\b", "a foo b")
regex.match("\\p{L}+", "é")
regex.match("^.$", "é")
regex.find_n("[0-9]+", "a1b22c333", -1)
regex.replace("abc", "(b)", "[$1]")
regex.replace("abc", "(?P<x>b)", "[${x}]")
regex.is_valid("(?<=a)b")
regex.is_valid("a++")
glob.match("*.txt", ["."], "a.b.txt")
glob.match("a?c", [], "abc")
glob.match("{a,b}*", [], "bx")
glob.match("[!a]x", [], "bx")
units.parse("1e3")
units.parse("10m")
units.parse("1.5")
units.parse_bytes("1.5")
units.parse_bytes("1e3")
units.parse_bytes("10 kb")
semver.compare("1.0.0-alpha", "1.0.0")
semver.compare("1.0.0+b1", "1.0.0+b2")
net.cidr_contains("2001:db8::/32", "2001:db8::1")
net.cidr_contains("10.0.0.0/8", "10.0.0.0/16")
json.unmarshal("{\"a\": 1e2}")
yaml.unmarshal("a: 1.0")
yaml.unmarshal("a: yes")
yaml.unmarshal("a: 0x10")
yaml.unmarshal("a: 2024-01-01")
base64.decode("aMOp=")
base64.is_valid("aMOp")
max([1, "a"])
max({})
sum([])
product([])
object.union({"a": 1}, {"a": {"b": 1}})
array.concat([], [])
sort([[2], [1, 2], {"a": 1}, {1}])
type_name({1})
is_object({})
abs(-9223372036854775809)
round(1.4999999999999999)
ceil(-0.5)
contains("", "")
endswith("", "")
strings.reverse("héllo")
replace("", "", "x")
strings.replace_n({"": "x"}, "ab")
object.keys({})
object.get({"a": [1, 2]}, ["a", 1], 0)
object.get({"a": [1, 2]}, ["a", "1"], 0)
object.filter({"a": 1}, {"a", "b"})
object.remove({"a": 1}, {"a": 1})
uuid.parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")
json.filter({"a": {"b": 1, "c": 2}}, ["a/b"])
json.remove({"a": {"b": 1, "c": 2}}, ["a/b"])
time.weekday([1700000000000000000, "Asia/Tokyo"])
time.clock([1700000000000000000, "Local"])
ceil(-1.5)
ceil(-0.2)
ceil(0.2)
ceil(-2)
floor(-0.5)
floor(0.5)
round(-0.5)
round(0.5)
round(-1.5)
abs(-0)
count([])
max([1, 2, 3])
min(["b", "a"])
max(["b", "a"])
max([[1], [2]])
sum([1.5, 2.5])
product([1.5, 2])
3 - 5
-3 % 2
-7 / 2
1 / 0.5
10 % 4
2 * 0.1
1e2
1000000 * 1000000
startswith("héllo", "hé")
endswith("héllo", "lo")
concat("", ["a", "b"])
split("a", "")
strings.any_prefix_match(["a", "b"], "a")
type_name(null)
is_string("")
is_array([])
is_set(set())
to_number("007")
to_number("1.0")
to_number("-0")
sprintf("%v", [-0])
sprintf("%v", [0.5])
sprintf("%v", [1.25])
sprintf("%v", [0.1 + 0.2])
sprintf("%d%%", [95])
sprintf("%s: %d/%d", ["tests", 3, 4])
sprintf("%v", [12.0])
sprintf("%v", [1234567.5])
sprintf("%s", [{"a": "b"}])
sprintf("%v", [["a", {"b": [null]}]])
sprintf("%q", [1])
numbers.range(1, 1)
numbers.range(-2, 2)
regex.match("^v[0-9]+$", "v12")
regex.match("", "")
regex.match("a|b", "c")
regex.template_match("urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")
glob.match("*", [], "")
glob.match("**.txt", [], "a/b.txt")
glob.match("a.*", null, "a.b")
semver.compare("1.0.0", "v1.0.0")
semver.compare("1.2", "1.2.0")
object.union({}, {"a": 1})
object.keys({"b": 1, "a": 2})
json.marshal({"a": 1, "b": "x"})
json.marshal([1, 2.5, "é"])
json.marshal("<&>")
json.marshal_with_options({"a": [1]}, {"pretty": true})
time.parse_rfc3339_ns("2024-06-01T12:34:56.789Z")
time.parse_rfc3339_ns("2024-06-01T12:34:56+00:00")
time.parse_rfc3339_ns("0001-01-01T00:00:00Z")
time.parse_rfc3339_ns("9999-12-31T23:59:59Z")
time.date(0)
time.date(-1)
time.format(0)
time.clock(-1)
time.weekday(0)
time.diff(0, 0)
array.concat([1], [[2]])
array.slice([1, 2, 3], 2, 1)
array.reverse([])
object.get({"a": {"b": null}}, ["a", "b"], 1)
object.get({}, [], 1)
object.get({"a": 1}, [], 1)
trim_space("\t\na\u00a0")
trim_space("\u3000a")
strings.reverse("👍🏽")
count("👍🏽")
indexof("👍a", "a")
substring("👍ab", 1, 1)
hex.decode("zz")
base64url.encode("?>")
urlquery.encode("a b&c")
urlquery.decode("a+b%20c")
json.is_valid("1.")
format_int(1e20, 10)
format_int(-0.5, 10)
yaml.marshal({"b": [1, "two", null], "a": {"c": true}})
yaml.marshal("yes")
yaml.marshal("1.0")
yaml.marshal({"k": "a: b"})
yaml.marshal(1.5)
yaml.marshal([])
json.marshal_with_options({"a": [1], "b": "<"}, {"pretty": true, "indent": "  "})
json.marshal_with_options({"a": 1}, {"prefix": "> ", "pretty": true})
json.marshal_with_options([1.0, 2], {})
net.cidr_merge(["10.0.0.0/24", "10.0.1.0/24"])
net.cidr_intersects("10.0.0.0/8", "10.1.0.0/16")
net.cidr_expand("10.0.0.0/30")
net.cidr_is_valid("10.0.0.0/33")
indexof_n("abcabc", "b")
indexof_n("", "")
trim_right("abcxx", "x")
trim_suffix("a.txt", ".txt")
urlquery.encode_object({"b": "2", "a": ["1", "x y"]})
urlquery.decode_object("a=1&a=2&b=%20")
regex.find_all_string_submatch_n("a(\\d)", "a1 a2", -1)
regex.template_match("{[a-z]+}-{\\d+}", "abc-12", "{", "}")
strings.any_suffix_match(["a.txt", "b.md"], [".md"])
base64url.decode("Pz4")
base64url.encode_no_pad("?>")
glob.quote_meta("*.txt")
graph.reachable({"a": ["b"], "b": ["c"], "c": []}, {"a"})
graph.reachable_paths({"a": ["b"], "b": []}, {"a"})
bits.and(5, 3)
bits.lsh(1, 62)
bits.lsh(1, 64)
bits.negate(0)
json.filter({"a": [1, {"b": 2}]}, ["a/1/b"])
json.remove({"a": [1, 2]}, ["a/0"])
object.union_n([{"a": {"b": 1}}, {"a": {"c": 2}}, {"a": 3}])
type_name(set())
type_name([])
is_boolean(false)
is_null(null)
time.parse_ns("2006-01-02 15:04", "2024-03-05 10:30")
time.parse_ns("Jan 2 2006", "Mar 5 2024")
time.parse_ns("2006-01-02T15:04:05.000Z07:00", "2024-03-05T10:30:00.123+01:00")
time.diff([1700000000000000000, "Europe/Paris"], [1600000000000000000, "UTC"])
time.clock([1700000000000000000, "Asia/Kolkata"])
numbers.range(0, 100000)[99999]
array.slice([1, 2, 3], 0, 0)
startswith("", "a")
concat(", ", ["a", "b", "c"])
contains("héllo", "él")
split("a::b", "::")
replace("a.b.c", ".", "")
substring("abc", 0, 100)
lower("HTTP-Status OK")
upper("pass")
count([1, [2, 3]])
count({"a": 1, "b": 2})
count("abc")
sprintf("%s", ["ok"])
sprintf("%d/%d tests passed", [48, 50])
sprintf("%v", [["a", "b"]])
sprintf("%v", [{"a": 1}])
sprintf("criterion %s: %v", ["tests.no_failures", true])
sprintf("%v ms", [1500])
sprintf("%d", [-7])
sprintf("%s", [""])
to_number("42")
to_number("-7")
to_number(42)
sum([10, 20, 30])
max([3, 1, 2])
min([3, 1, 2])
sort(["b", "a", "C"])
sort([3, 1, 2])
object.get({"a": {"b": {"c": 1}}}, ["a", "b", "c"], null)
object.get(input, "missing", "default")
object.keys({"x": 1})
array.concat(["a"], ["b", "c"])
floor(150 * 100 / 200)
ceil(7 / 2)
round(7 / 2)
semver.compare("1.42.0", "1.9.3")
semver.compare("2.0.0-rc.1", "2.0.0")
semver.is_valid("1.42.0")
time.parse_rfc3339_ns("2024-06-01T12:00:00Z") + 86400000000000
time.format(1717243200000000000)
format_int(42, 10)
regex.match("^release/[0-9]+\\.[0-9]+$", "release/1.42")
glob.match("release/*", ["/"], "release/1.42")
sprintf("%v", [-7])
sprintf("%d", [0])
sprintf("%v%s", [-1, "x"])
sprintf("%x", [-255])
sprintf("%o", [8])
sprintf("%b", [5])
format_int(-42, 10)
to_number("-42")
abs(-42)
-42 + 0
"""


# -- loading cases ---------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML as OPA's Go loader reads it: no timestamps, and `1e3` is a number."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load_cases(root: Path, directories: Collection[str] = ()) -> list[dict[str, Any]]:
    """Every case under root (or in some of its directories), each with an `id` (directory/file#index) and its `dir`."""
    cases = []
    for path in sorted(root.glob("*/*.yaml")):
        if directories and path.parent.name not in directories:
            continue
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_Loader)  # a SafeLoader subclass
        for index, case in enumerate(document.get("cases") or []):
            case = dict(case)
            case["id"] = f"{path.parent.name}/{path.name}#{index}"
            case["dir"] = path.parent.name
            cases.append(case)
    return cases


def case_input(case: dict[str, Any]) -> tuple[str, Any, str | None]:
    """(query, input or None, reason the harness cannot express the case or None)."""
    query = case["query"]
    if "input_term" in case:
        term = case["input_term"]
        try:
            return query, json.loads(re.sub(r",\s*([}\]])", r"\1", term)), None
        except ValueError:
            # A Rego term with sets: neither engine takes it as JSON input; `with` gives it to both alike.
            if "\n" in query.strip() or ";" in query:
                return query, None, "input_term is not JSON and the query has several expressions"
            return f"{query} with input as {term}", None, None
    return query, case.get("input"), None


# -- comparing -------------------------------------------------------------------------------------


def normalise(value: Any) -> Any:
    """A JSON value with integral floats as integers, as OPA prints them (1.0 and 1 are the same number)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {str(key): normalise(item) for key, item in value.items()}
    return value


def _rank(value: Any) -> int:
    """OPA's order of JSON types: null < boolean < number < string < array < object."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return 2
    if isinstance(value, str):
        return 3
    return 4 if isinstance(value, list) else 5


def opa_compare(a: Any, b: Any) -> int:
    """OPA's util.Compare on JSON values (what its test runner sorts `sort_bindings` results with)."""
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if isinstance(a, list):
        for x, y in zip(a, b, strict=False):
            if c := opa_compare(x, y):
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if isinstance(a, dict):
        ka, kb = sorted(a), sorted(b)
        for x, y in zip(ka, kb, strict=False):
            if c := opa_compare(x, y) or opa_compare(a[x], b[y]):
                return c
        return (len(ka) > len(kb)) - (len(ka) < len(kb))
    return (a > b) - (a < b)


def canonical_rows(rows: list[dict[str, Any]], case: dict[str, Any]) -> list[str]:
    """Result rows as a sorted set of canonical JSON strings, after the runner's sorting and filtering."""
    out = set()
    for row in rows:
        canon = {}
        for name, value in row.items():
            if case.get("ignore_generated_vars") and name.startswith("__localq"):
                continue
            value = normalise(value)
            if case.get("sort_bindings") and isinstance(value, list):
                value = sorted(value, key=functools.cmp_to_key(opa_compare))
            canon[name] = value
        out.add(json.dumps(canon, sort_keys=True, separators=(",", ":")))
    return sorted(out)


def expected_rows(case: dict[str, Any]) -> list[str] | None:
    """The case's wanted rows in canonical form (never sorted: the runner sorts only what it got), or None.

    None means an error is wanted, also where a case gives both (one does: rows and a strict error).
    """
    if case.get("want_result") is None or "want_error" in case or "want_error_code" in case:
        return None
    return sorted({json.dumps(normalise(r), sort_keys=True, separators=(",", ":")) for r in case["want_result"]})


_BUILTIN_ERROR = re.compile(r"\beval_(?:builtin|type)_error\b")


def strict_only(case: dict[str, Any], opa: dict[str, Any]) -> bool:
    """Whether a case expects a result only because OPA's runner drops builtin errors (no `strict_error`).

    Both engines here raise builtin errors, so where real OPA raised one (its message names
    `eval_builtin_error` or `eval_type_error`) the expectation in strict mode is that error.
    """
    return (
        expected_rows(case) is not None
        and not case.get("strict_error")
        and opa["kind"] == "error"
        and bool(_BUILTIN_ERROR.search(opa["message"]))
    )


def judge(case: dict[str, Any], outcome: dict[str, Any], strict: bool = False) -> bool:
    """Whether an engine's outcome is what the case expects (an error, if `strict` says so)."""
    want = expected_rows(case)
    if want is None or strict:
        return outcome["kind"] == "error"
    return outcome["kind"] == "result" and outcome["rows"] == want


def agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two engines behaved alike: equal rows, or both failed."""
    if a["kind"] == "result" and b["kind"] == "result":
        return a["rows"] == b["rows"]
    return a["kind"] in ERROR_KINDS and b["kind"] in ERROR_KINDS


# -- running one case (in a worker process) ----------------------------------------------------------


def _rows_of(results: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Binding rows of a result set; rows where a bare term was `false` are no result, as in topdown."""
    return [
        r.get("bindings") or {}
        for r in results or []
        if not any(e.get("value") is False for e in r.get("expressions") or [])
    ]


def _eval_regorus(case: dict[str, Any], query: str, value: Any) -> list[dict[str, Any]]:
    """Evaluate a case on regorus; the JSON API, because its Python conversion rejects big numbers."""
    import regorus

    engine = regorus.Engine()
    for index, module in enumerate(case.get("modules") or []):
        engine.add_policy(f"mod{index}.rego", module)
    if case.get("data") is not None:
        engine.add_data_json(json.dumps(case["data"]))
    if value is not None:
        engine.set_input_json(json.dumps(value))
    return _rows_of(json.loads(engine.eval_query_as_json(query)).get("result"))


def _eval_opa(case: dict[str, Any], query: str, value: Any) -> list[dict[str, Any]]:
    """Evaluate a case on OPA; the raw envelope, as `eval_query` drops the `false` expression values."""
    from opa_bindings import OpaEngine
    from opa_bindings.engine import _cstr, _encode_input

    with OpaEngine() as engine:
        engine.print_handler = lambda message, location: None
        for index, module in enumerate(case.get("modules") or []):
            engine.add_policy(f"mod{index}.rego", module)
        if case.get("data") is not None:
            engine.add_data(case["data"])
        envelope = engine._call(engine._lib.OpaEvalQuery, _cstr(query), _encode_input(value), 0, 0)
    return _rows_of(envelope.get("result"))


def _failure(exc: BaseException) -> dict[str, Any]:
    """An outcome describing an exception from an engine."""
    kind = "panic" if type(exc).__name__ == "PanicException" else "error"
    message = str(exc).split("Stack backtrace:")[0].strip() or type(exc).__name__
    return {"kind": kind, "message": message[:2000], "type": type(exc).__name__}


def run_engine(engine: str, case: dict[str, Any]) -> dict[str, Any]:
    """One engine's outcome for a case: `result` with canonical rows, `error`, `panic` or `skip`."""
    query, value, skip = case_input(case)
    if skip:
        return {"kind": "skip", "message": skip}
    evaluate = _eval_regorus if engine == "regorus" else _eval_opa
    try:
        rows = evaluate(case, query, value)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3_runtime.PanicException derives from BaseException
        return _failure(exc)
    return {"kind": "result", "rows": canonical_rows(rows, case)}


_KEYWORDS = frozenset(
    {"if", "contains", "every", "some", "not", "in", "with", "as", "else", "default", "package", "and", "or"}
)
_CALL = re.compile(r"(?<![\w.\]])((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\s*\(")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|#[^\n]*')


def _regex_calls(source: str) -> set[str]:
    """Best-effort call names in Rego text regorus cannot parse: names before `(`, less keywords and heads."""
    text = _STRINGS.sub('""', source)
    heads = {m[1] for m in re.finditer(r"^(?:default\s+)?([A-Za-z_][\w.]*)\s*\(", text, re.MULTILINE)}
    return {name for name in _CALL.findall(text) if name not in _KEYWORDS and name not in heads}


def case_builtins(case: dict[str, Any]) -> dict[str, Any]:
    """The builtins a case calls (operators as `op:<builtin>`), and how they were found (`ast` or `regex`)."""
    from evaluator.errors import InputError
    from evaluator.policy.builtins import calls_in_module, defined_functions, operators_in_module

    modules = [(f"mod{i}.rego", m) for i, m in enumerate(case.get("modules") or [])]
    query_module = ("query.rego", f"package __conformance_query\n\n__query__ if {{\n{case['query']}\n}}\n")
    parsable, method, names = [], "ast", set()
    for module in [*modules, query_module]:
        try:
            defined_functions([module])
            parsable.append(module)
        except InputError:
            method = "regex"
            names |= _regex_calls(module[1])
    functions = defined_functions(parsable)
    for path, source in parsable:
        names |= {name for name, _ in calls_in_module(source, path, functions)}
        names |= {f"op:{name}" for name, _ in operators_in_module(source, path)}
    return {"kind": "calls", "builtins": sorted(names), "method": method}


def _job(kind: str, case: dict[str, Any]) -> dict[str, Any]:
    """Run one job in a worker, never letting an exception end the worker."""
    try:
        return case_builtins(case) if kind == "calls" else run_engine(kind, case)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _failure(exc) | ({"builtins": [], "method": "failed"} if kind == "calls" else {})


def _worker(conn: Any, log: str) -> None:
    """Worker process main loop: receive (kind, case), send the outcome; engines' stderr goes to the log."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        kind, case = job
        os.write(2, f"--- {kind} {case['id']}\n".encode())
        conn.send(_job(kind, case))


# -- the pool ----------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One worker process and the parent's end of its pipe."""

    process: Any
    conn: Any


class Pool:
    """Worker processes that each run one job at a time, killed and replaced on a time-out or crash."""

    def __init__(self, jobs: int, timeout: float, log: Path) -> None:
        """Start nothing yet; workers start with `run`."""
        self.jobs, self.timeout, self.log = jobs, timeout, str(log)
        self.context = multiprocessing.get_context("spawn")  # the Go runtime does not survive fork

    def _start(self) -> _Slot:
        """A fresh worker."""
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child, self.log), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def _stop(self, slot: _Slot, kill: bool) -> None:
        """End a worker, politely or not."""
        if kill:
            slot.process.kill()
        else:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        slot.process.join(5)
        slot.conn.close()

    def run(self, work: list[tuple[str, dict[str, Any]]], done: Callable[[int, dict[str, Any]], None]) -> None:
        """Run every (kind, case) job; `done(index, outcome)` is called for each, from worker threads."""
        todo: queue.Queue[int] = queue.Queue()
        for index in range(len(work)):
            todo.put(index)

        def drive() -> None:
            slot = self._start()
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    break
                started = time.monotonic()
                try:
                    slot.conn.send(work[index])
                    if slot.conn.poll(self.timeout):
                        outcome = slot.conn.recv()
                    else:
                        outcome = {"kind": "timeout", "message": f"no answer after {self.timeout:g} s"}
                        self._stop(slot, kill=True)
                        slot = self._start()
                except (EOFError, OSError):
                    slot.process.join(5)
                    code = slot.process.exitcode
                    outcome = {"kind": "crash", "message": f"worker died (exit code {code})"}
                    self._stop(slot, kill=True)
                    slot = self._start()
                outcome["seconds"] = round(time.monotonic() - started, 3)
                done(index, outcome)
            self._stop(slot, kill=False)

        threads = [threading.Thread(target=drive) for _ in range(self.jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


# -- summary -----------------------------------------------------------------------------------------


def _version(dist: str) -> str:
    """Installed version of a distribution, or 'not installed'."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _rate(passed: int, total: int) -> str:
    """'passed/total (pct%)'."""
    return f"{passed}/{total} ({100 * passed / total:.1f}%)" if total else "0/0"


_SYNTAX = re.compile(r"while parsing|unexpected keyword|expecting |invalid character|maximum column width|is unsafe")
_MISSING = re.compile(r"could not find function (\S+)|undefined function (\S+)")


def _squash(text: str) -> str:
    """Lower-case letters and digits only, to match builtin names against directory names."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def missing_builtins(outcomes: list[dict[str, Any]]) -> set[str]:
    """Builtins an engine reported it does not have, in any outcome."""
    found = (_MISSING.search(o.get("message", "")) for o in outcomes if o["kind"] in ERROR_KINDS)
    return {match[1] or match[2] for match in found if match}


def blame(case: dict[str, Any], missing: set[str]) -> tuple[str, list[str]]:
    """Why a case did not pass on both engines, and which of the builtins it calls that failure counts against.

    A builtin an engine lacks takes the blame alone (the case may fail on something else first: an
    output argument to an unknown function is an unsafe variable); syntax regorus cannot parse, output
    arguments and replacing a builtin with `with` (which it does not support) blame no builtin;
    otherwise the builtins named by the case's directory (`walkbuiltin` -> walk), or else every
    builtin the case calls.
    """
    names = case["builtins"]
    if lacking := [name for name in names if name in missing]:
        return f"an engine lacks {', '.join(lacking)}", lacking
    for engine in ENGINES:
        if case[engine]["kind"] in ERROR_KINDS and (found := _MISSING.search(case[engine]["message"])):
            return f"{engine} lacks {found[1] or found[2]}", []
    if case["regorus"]["kind"] == "error" and _SYNTAX.search(case["regorus"]["message"]):
        return "language: regorus does not parse or support the construct", []
    where = _squash(case["dir"])
    family = [
        name
        for name in names
        if not name.startswith("op:") and (_squash(name) in where or _squash(name.split(".", 1)[-1]) in where)
    ]
    return ("the directory's builtin", family) if family else ("unexplained", list(names))


def _show(outcome: dict[str, Any]) -> str:
    """An outcome in a few words: the value of `x`, `undefined`, or the error's last line."""
    if outcome["kind"] == "result":
        rows = [json.loads(row) for row in outcome["rows"]]
        return json.dumps(rows[0].get("x"), ensure_ascii=False) if rows else "undefined"
    lines = outcome.get("message", "").strip().splitlines() or [""]
    return f"{outcome['kind']}: {lines[-1][-100:]}"


def _builtin_entry() -> dict[str, Any]:
    """An empty per-builtin record."""
    return {
        "cases": 0,
        "regorus": 0,
        "opa": 0,
        "both_pass": 0,
        "agree": 0,
        "directories": [],
        "failing": [],
        "blamed": [],
        "probes": 0,
        "probe_agree": 0,
        "probe_diffs": [],
        "verified": 0,
    }


def summarise(
    cases: list[dict[str, Any]], probes: list[dict[str, Any]], missing: set[str], seconds: float
) -> dict[str, Any]:
    """Counts per engine, per directory and per builtin from judged cases and probes.

    A builtin is suggested for the allow-list when no engine lacks it, no failing case is blamed on
    it, every probe calling it agrees, and something verified it: a case expecting a result that
    passes on both engines, or a probe where both engines return the same value (an expected error
    proves nothing: a missing builtin raises one too).
    """
    runnable = [c for c in cases if c["regorus"]["kind"] != "skip"]
    engines: dict[str, dict[str, Any]] = {
        engine: {
            "passed": sum(c[engine]["pass"] for c in runnable),
            "total": len(runnable),
            "outcomes": dict(Counter(c[engine]["kind"] for c in cases)),
        }
        for engine in ENGINES
    }
    engines["both"] = {
        "passed": sum(c["both_pass"] for c in runnable),
        "agree": sum(c["agree"] for c in runnable),
        "total": len(runnable),
    }
    directories: dict[str, Counter[str]] = defaultdict(Counter)
    builtins: dict[str, dict[str, Any]] = defaultdict(_builtin_entry)
    for case in runnable:
        row = directories[case["dir"]]
        row["total"] += 1
        row["both_pass"] += case["both_pass"]
        row["agree"] += case["agree"]
        for engine in ENGINES:
            row[engine] += case[engine]["pass"]
        if not case["both_pass"]:
            case["blame"], blamed = blame(case, missing)
            for name in blamed:
                builtins[name]["blamed"].append(case["id"])
        for name in case["builtins"]:
            entry = builtins[name]
            entry["cases"] += 1
            entry["verified"] += case["both_pass"] and case["expect"] == "result"
            entry["both_pass"] += case["both_pass"]
            entry["agree"] += case["agree"]
            for engine in ENGINES:
                entry[engine] += case[engine]["pass"]
            if case["dir"] not in entry["directories"]:
                entry["directories"].append(case["dir"])
            if not case["both_pass"]:
                entry["failing"].append(case["id"])
    for probe in probes:
        for name in probe["builtins"]:
            entry = builtins[name]
            entry["probes"] += 1
            entry["probe_agree"] += probe["agree"]
            entry["verified"] += probe["agree"] and not probe["regorus"].startswith(ERROR_KINDS)
            if not probe["agree"]:
                entry["probe_diffs"].append(probe["expression"])
    suggested = sorted(
        name
        for name, b in builtins.items()
        if not name.startswith("op:")
        and name not in missing
        and b["verified"]
        and not b["blamed"]
        and not b["probe_diffs"]
    )
    return {
        "meta": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engines": {
                "regorus": {"distribution": "gordon-to-regorus", "version": _version("gordon-to-regorus")},
                "opa": {"distribution": "opa-golib-python-bindings", "version": _version("opa-golib-python-bindings")},
            },
            "python": platform.python_version(),
            "cases": len(cases),
            "skipped": len(cases) - len(runnable),
            "strict_adjusted": sum(c["expect"].startswith("error (") for c in cases),
            "builtins_by_regex": sum(c["builtins_method"] == "regex" for c in cases),
            "missing": sorted(missing),
            "probes": len(probes),
            "probes_agree": sum(p["agree"] for p in probes),
            "seconds": round(seconds, 1),
        },
        "engines": engines,
        "directories": {name: dict(row) for name, row in sorted(directories.items())},
        "builtins": dict(sorted(builtins.items())),
        "suggested": suggested,
        "probes": probes,
        "cases": cases,
    }


def print_summary(report: dict[str, Any], verbose: bool) -> None:
    """Human-readable summary on stdout."""
    meta, engines = report["meta"], report["engines"]
    versions = ", ".join(f"{e['distribution']} {e['version']}" for e in meta["engines"].values())
    print(f"{meta['cases']} cases ({meta['skipped']} skipped by the harness) in {meta['seconds']} s; {versions}")
    print(f"  {meta['strict_adjusted']} cases expect the builtin error real OPA raises instead of a non-strict result")
    for engine in ENGINES:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(engines[engine]["outcomes"].items()))
        print(f"  {engine:8} pass {_rate(engines[engine]['passed'], engines[engine]['total'])}  [{outcomes}]")
    both = engines["both"]
    print(f"  both     pass {_rate(both['passed'], both['total'])}", end="; ")
    print(f"engines agree {_rate(both['agree'], both['total'])}")
    print(f"  probes: engines agree on {_rate(meta['probes_agree'], meta['probes'])}")

    print(f"\n{'directory':36} {'cases':>5} {'regorus':>8} {'opa':>5} {'both':>5} {'agree':>5}")
    for name, row in report["directories"].items():
        if verbose or row["both_pass"] != row["total"]:
            print(f"{name:36} {row['total']:5} {row['regorus']:8} {row['opa']:5} {row['both_pass']:5} {row['agree']:5}")
    print("(directories where every case passes on both engines are left out; --verbose shows them)")

    print(f"\nbuiltins an engine lacks: {' '.join(meta['missing'])}")
    print(f"\n{'builtin':42} {'cases':>5} {'regorus':>7} {'opa':>5} {'both':>5} {'blamed':>6} {'probes':>9}")
    for name, b in report["builtins"].items():
        probes = f"{b['probe_agree']}/{b['probes']}" if b["probes"] else "-"
        counts = f"{b['cases']:5} {b['regorus']:7} {b['opa']:5} {b['both_pass']:5} {len(b['blamed']):6}"
        print(f"{name:42} {counts} {probes:>9}")

    print("\nprobes where the engines differ:")
    for probe in report["probes"]:
        if not probe["agree"]:
            print(f"  {probe['expression']}\n      regorus {probe['regorus']}\n      opa     {probe['opa']}")

    review = report.get("review")
    if review:
        print("\nevaluator/policy/builtins.py against this run:")
        for key, text in (
            ("allowed_with_caveat", "allowed though not suggested (each needs a CAVEATS entry)"),
            ("caveat_missing", "allowed, not suggested, and no CAVEATS entry: review"),
            ("suggested_denied", "suggested but refused (each needs a DENIED_REASONS entry)"),
            ("reason_missing", "suggested, refused, and no DENIED_REASONS entry: review"),
            ("version_changed", "engines installed now, not as measured (update MEASURED_WITH)"),
        ):
            print(f"  {text}: {' '.join(review[key]) or '-'}")
    print(f"\n{len(report['suggested'])} builtins verified alike on both engines, no case blamed, no probe differing:")
    print("  " + " ".join(report["suggested"]))


def review(suggested: list[str]) -> dict[str, list[str]]:
    """How the checked-in allow-list differs from this run's suggestion, and whether each difference is documented."""
    from evaluator.policy.builtins import ALLOWED_BUILTINS, CAVEATS, MEASURED_WITH, denial_reason

    caveated = sorted(ALLOWED_BUILTINS - set(suggested))
    denied = sorted(set(suggested) - ALLOWED_BUILTINS)
    return {
        "allowed_with_caveat": caveated,
        "caveat_missing": [name for name in caveated if name not in CAVEATS],
        "suggested_denied": denied,
        "reason_missing": [name for name in denied if denial_reason(name) is None],
        "version_changed": [f"{d} {v} (measured {m})" for d, m in MEASURED_WITH.items() if (v := _version(d)) != m],
    }


def probe_cases() -> list[dict[str, Any]]:
    """The probes as cases: `x := <expression>`, no modules, no expectation."""
    expressions = [line.strip() for line in PROBES.splitlines() if line.strip()]
    return [
        {"id": f"probe#{i}", "dir": "probes", "note": e, "query": f"x := {e}", "modules": []}
        for i, e in enumerate(expressions)
    ]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="directory of <dir>/<file>.yaml cases")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case and engine")
    parser.add_argument("--only", default="", help="run only cases (and probes) whose id contains this text")
    parser.add_argument("--verbose", action="store_true", help="list every directory")
    args = parser.parse_args(argv)

    cases = [c for c in load_cases(args.cases) if args.only in c["id"]]
    probes = [c for c in probe_cases() if args.only in c["id"]]
    if not cases and not probes:
        print(f"no cases under {args.cases}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    log = args.out.with_suffix(".workers.log")
    log.write_text("")
    everything = cases + probes
    work = [(kind, case) for case in everything for kind in ("calls", *ENGINES)]
    outcomes: list[dict[str, Any]] = [{}] * len(work)
    lock, started = threading.Lock(), time.monotonic()
    finished = 0

    def done(index: int, outcome: dict[str, Any]) -> None:
        nonlocal finished
        with lock:
            outcomes[index] = outcome
            finished += 1
            if finished % 1000 == 0 or finished == len(work):
                print(f"  {finished}/{len(work)} jobs, {time.monotonic() - started:.0f} s", file=sys.stderr)

    Pool(args.jobs, args.timeout, log).run(work, done)

    judged, probed = [], []
    for index, case in enumerate(everything):
        calls, regorus, opa = outcomes[3 * index : 3 * index + 3]
        builtins = calls.get("builtins", [])
        if case["dir"] == "probes":
            probed.append(
                {
                    "expression": case["note"],
                    "builtins": builtins,
                    "regorus": _show(regorus),
                    "opa": _show(opa),
                    "agree": agree(regorus, opa),
                }
            )
            continue
        entry: dict[str, Any] = {
            "id": case["id"],
            "dir": case["dir"],
            "note": case.get("note", ""),
            "builtins": builtins,
            "builtins_method": calls.get("method", "failed"),
        }
        strict = strict_only(case, opa)
        want = expected_rows(case)
        entry["expect"] = "error (strict builtin errors)" if strict else "error" if want is None else "result"
        for engine, outcome in (("regorus", regorus), ("opa", opa)):
            outcome["pass"] = outcome["kind"] != "skip" and judge(case, outcome, strict)
            if outcome["kind"] in ERROR_KINDS and case.get("want_error"):
                outcome["error_text_matches"] = case["want_error"] in outcome["message"]
            entry[engine] = outcome
        entry["both_pass"] = regorus["pass"] and opa["pass"]
        entry["agree"] = agree(regorus, opa)
        entry["want"] = want if want is not None else {"error": case.get("want_error", case.get("want_error_code"))}
        judged.append(entry)

    missing = missing_builtins([o for o in outcomes if o.get("kind") != "calls"])
    report = summarise(judged, probed, missing, time.monotonic() - started)
    report["review"] = review(report["suggested"])
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print_summary(report, args.verbose)
    print(f"\nwrote {args.out} (engines' stderr in {log})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
