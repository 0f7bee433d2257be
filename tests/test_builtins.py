"""The builtin allow-list: which calls the loader refuses, where, and a re-check that allowed builtins agree."""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

from evaluator.errors import InputError
from evaluator.policy.builtins import (
    ALLOWED_BUILTINS,
    CAVEATS,
    DENIED_REASONS,
    MEASURED_WITH,
    calls_in_module,
    check_builtins,
    defined_functions,
    denial_reason,
    refusal_message,
)

REPO = Path(__file__).resolve().parent.parent

LIB = (
    "lib.rego",
    """package readiness.lib

threshold(kind, name) := value if {
	value := object.get(data.readiness.thresholds, [kind, name], 0)
}

result(ok, msg) := {"ok": ok, "msg": msg}
""",
)

TESTS = (
    "tests.rego",
    """package readiness.tests

import data.readiness.lib
import data.readiness.lib as helpers

failed(item) := count([c | some c in item.cases; c.status == "failed"])

deny contains msg if {
	some item in input.evidence.tests
	n := failed(item)
	n > lib.threshold("tests", "max_failed")
	msg := sprintf("%d tests failed in %s", [n, item.id])
}

warn contains msg if {
	total := sum([count(i.cases) | some i in input.evidence.tests])
	worst := max([failed(i) | some i in input.evidence.tests])
	startswith(lower(input.release.name), "checkout")
	limit := to_number(object.get(input, ["evaluation", "limit"], "10"))
	ids := array.concat(["a"], [i.id | some i in input.evidence.tests])
	worst > limit
	msg := helpers.result(false, sprintf("%v of %v in %v", [worst, total, ids])).msg
}

checked contains data.readiness.lib.result(true, "ok")
""",
)


def test_accepts_common_builtins_and_user_functions():
    assert check_builtins([LIB, TESTS]) == []


def test_calls_lists_builtins_with_lines_and_leaves_out_user_functions():
    functions = defined_functions([LIB, TESTS])
    assert functions == {"data.readiness.lib.threshold", "data.readiness.lib.result", "data.readiness.tests.failed"}
    calls = calls_in_module(TESTS[1], TESTS[0], functions)
    assert calls == [
        ("count", 6),
        ("sprintf", 12),
        ("sum", 16),
        ("count", 16),
        ("max", 17),
        ("startswith", 18),
        ("lower", 18),
        ("to_number", 19),
        ("object.get", 19),
        ("array.concat", 20),
        ("sprintf", 22),
    ]


def test_imported_function_the_set_does_not_define_is_refused():
    assert check_builtins([TESTS]) == [
        ("tests.rego", 11, "data.readiness.lib.threshold"),
        ("tests.rego", 22, "data.readiness.lib.result"),
        ("tests.rego", 25, "data.readiness.lib.result"),
    ]


def test_refuses_clock_network_walk_and_unknown_builtins_with_lines():
    source = """package readiness.bad

import rego.v1

fresh if {
	now := time.now_ns()
	now > 0
}

remote := http.send({"method": "GET", "url": "https://example.com"})

paths contains p if {
	walk(input, [p, _])
}

odd := frobnicate(1)

ok := count([1])
"""
    assert check_builtins([("bad.rego", source)]) == [
        ("bad.rego", 6, "time.now_ns"),
        ("bad.rego", 10, "http.send"),
        ("bad.rego", 13, "walk"),
        ("bad.rego", 16, "frobnicate"),
    ]


def test_nested_calls_in_comprehensions_else_and_not_are_found():
    source = """package p

x := {k: upper(v) | some k, v in input.m}

y := "a" if {
	not contains(input.s, "b")
} else := trim_space(sprintf("%s ", [time.format(0)]))

z := [n | some n in numbers.range(1, 3); n != 2]
"""
    assert calls_in_module(source, "p.rego") == [
        ("upper", 3),
        ("contains", 6),
        ("trim_space", 7),
        ("sprintf", 7),
        ("time.format", 7),
        ("numbers.range", 9),
    ]


def test_operators_membership_and_with_values_are_not_calls():
    source = """package p

import rego.v1

a if {
	some x in [1, 2]
	x in {1}
	1 + 2 * 3 == 7
	{1} | {2} != {3}
}

t if {
	a with time.now_ns as 1
	a with input.x as {"y": 1}
}
"""
    assert calls_in_module(source, "p.rego") == []


def test_builtin_replaced_by_another_builtin_with_with_is_a_call():
    source = "package p\n\nt if {\n\tcount([1]) == 1 with count as http.send\n}\n"
    assert check_builtins([("p.rego", source)]) == [("p.rego", 4, "http.send")]


def test_multi_line_call_reports_the_line_of_its_name():
    source = 'package p\n\nx := sprintf(\n\t"%s",\n\t[walk],\n)\n\ny := json.marshal(\n\t{"a": 1},\n)\n'
    assert calls_in_module(source, "p.rego") == [("sprintf", 3), ("json.marshal", 8)]


def test_ref_head_functions_and_non_ascii_before_an_alias():
    lib = ("lib.rego", "package a.b\n\n# héllo wörld\nrules.size(x) := count(x)\n")
    user = ("user.rego", 'package c\n\n# ünïcode\nimport data.a.b as sizes\n\nn := sizes.rules.size("ünï")\n')
    assert defined_functions([lib, user]) == {"data.a.b.rules.size"}
    assert check_builtins([lib, user]) == []


def test_syntax_error_is_an_input_error_with_its_line():
    with pytest.raises(InputError) as error:
        check_builtins([("broken.rego", "package p\n\np {\n\ttrue\n}\n")])
    assert error.value.path == "broken.rego"
    assert error.value.line == 3
    assert "cannot parse Rego" in str(error.value)


def test_lists_are_consistent_and_messages_name_the_reason():
    assert {"count", "sprintf", "object.get", "startswith", "sum", "max", "to_number", "array.concat", "lower"} <= (
        ALLOWED_BUILTINS
    )
    assert set(CAVEATS) <= ALLOWED_BUILTINS
    assert not [name for name in ALLOWED_BUILTINS if denial_reason(name)]
    assert all(reason.strip() for reason in DENIED_REASONS.values())
    assert "input.evaluation" in refusal_message("time.now_ns")
    assert denial_reason("rand.intn") == DENIED_REASONS["rand.*"]
    assert denial_reason("io.jwt.decode_verify") == DENIED_REASONS["io.jwt.*"]
    assert "behave identically" in refusal_message("frobnicate")


@pytest.mark.parametrize("distribution", sorted(MEASURED_WITH))
def test_installed_engines_are_the_measured_versions(distribution: str):
    try:
        installed = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} is not installed")
    assert installed == MEASURED_WITH[distribution], "re-run bench/conformance.py and review the allow-list"


# -- re-checking the claim on both engines, on a sample of OPA's conformance cases -----------------------

CASES = Path(os.environ.get("READINESS_OPA_CONFORMANCE", REPO.parent / "shared" / "opa-conformance" / "v1"))
SAMPLE_DIRECTORIES = (
    "aggregates",
    "objectget",
    "strings",
    "array",
    "casts",
    "trim",
    "typebuiltin",
    "globmatch",
    "time",
)
SAMPLE_SIZE = 30
CORE = ("count", "sprintf", "object.get", "startswith", "sum", "max", "to_number", "array.concat", "lower", "concat")
KNOWN_DIFFERENCES = {
    "strings/test-strings-0921.yaml#0": "sprintf of 2e308: floats, see CAVEATS['sprintf']",
}


def _bench() -> ModuleType:
    """bench/conformance.py, loaded as a module."""
    spec = importlib.util.spec_from_file_location("bench_conformance", REPO / "bench" / "conformance.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _sample() -> list[dict]:
    """SAMPLE_SIZE cases that call only allowed builtins: one for each CORE builtin, then every n-th case."""
    if not CASES.is_dir():
        return []
    bench = _bench()
    eligible: list[tuple[dict, set[str]]] = []
    for case in bench.load_cases(CASES, SAMPLE_DIRECTORIES):
        calls = bench.case_builtins(case)
        names = {name for name in calls["builtins"] if not name.startswith("op:")}
        if calls["method"] == "ast" and names and names <= ALLOWED_BUILTINS and case["id"] not in KNOWN_DIFFERENCES:
            eligible.append((case, names))
    chosen = {}
    for builtin in CORE:
        case = next((case for case, names in eligible if builtin in names and case["id"] not in chosen), None)
        if case:
            chosen[case["id"]] = case
    rest = [case for case, _ in eligible if case["id"] not in chosen]
    step = max(1, len(rest) // (SAMPLE_SIZE - len(chosen)))
    for case in rest[::step][: SAMPLE_SIZE - len(chosen)]:
        chosen[case["id"]] = case
    return list(chosen.values())


SAMPLE = _sample()


@pytest.mark.skipif(not SAMPLE, reason=f"OPA conformance cases not found at {CASES}")
def test_sample_covers_several_directories_and_the_core_builtins():
    bench = sys.modules.get("bench_conformance") or _bench()
    covered = {name for case in SAMPLE for name in bench.case_builtins(case)["builtins"]}
    assert len(SAMPLE) == SAMPLE_SIZE
    assert len({case["dir"] for case in SAMPLE}) >= 5
    assert set(CORE) <= covered


@pytest.mark.skipif(not SAMPLE, reason=f"OPA conformance cases not found at {CASES}")
@pytest.mark.parametrize("case", SAMPLE, ids=[case["id"] for case in SAMPLE])
def test_allowed_builtins_behave_identically_on_both_engines(case: dict):
    pytest.importorskip("opa_bindings", reason="real OPA (opa-golib-python-bindings) is not installed")
    bench = sys.modules.get("bench_conformance") or _bench()
    regorus, opa = bench.run_engine("regorus", case), bench.run_engine("opa", case)
    strict = bench.strict_only(case, opa)
    assert bench.agree(regorus, opa), (regorus, opa)
    assert bench.judge(case, opa, strict), opa
    assert bench.judge(case, regorus, strict), regorus
