"""Loading policy directories: the criteria catalogue from METADATA, data merging, and refusals."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from evaluator.errors import InputError
from evaluator.policy.loader import load_policies
from evaluator.policy.metadata import annotations

GOOD = """
# METADATA
# scope: package
# title: Example checks
# description: Checks used by the loader tests.
package readiness.example

import rego.v1

# METADATA
# title: Thing is fine
# description: >-
#   A longer description
#   over two lines.
# custom:
#   id: example.fine
#   severity: medium
#   requires: [tests, load]
#   remediation: Make it fine.
#   effective_on: 2027-03-01
#   weight: 7
#   tiers: [critical]
deny contains result if {
	false
	result := {}
}

# METADATA
# title: Other thing
# custom:
#   id: example.other
#   severity: info
#   requires: []
#   remediation: Look at it.
warn contains result if {
	false
	result := {}
}

# A helper with METADATA that is not a criterion.
# METADATA
# title: helper
_helper := 1
"""


def write(tmp_path, source, name="example.rego"):
    (tmp_path / name).write_text(textwrap.dedent(source))
    return tmp_path


def test_catalogue_from_metadata(tmp_path):
    policy_set = load_policies(write(tmp_path, GOOD))
    fine, other = policy_set.criteria
    assert (fine.id, fine.title, fine.severity, fine.requires) == (
        "example.fine",
        "Thing is fine",
        "medium",
        ("tests", "load"),
    )
    assert fine.description == "A longer description over two lines."
    assert (fine.effective_on, fine.weight, fine.tiers, fine.rule) == (date(2027, 3, 1), 7, ("critical",), "deny")
    assert (fine.file, fine.line, fine.query) == ("example.rego", 23, "data.readiness.example.deny")
    assert (other.id, other.rule, other.requires, other.score_weight) == ("example.other", "warn", (), 0)
    (package,) = policy_set.packages
    assert (package.path, package.title) == ("readiness.example", "Example checks")
    assert len(policy_set.digest) == 64


def test_digest_changes_with_any_policy_or_data_byte(tmp_path):
    first = load_policies(write(tmp_path, GOOD)).digest
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.yaml").write_text("thresholds: {a: 1}\n")
    second = load_policies(tmp_path).digest
    (tmp_path / "data" / "t.yaml").write_text("thresholds: {a: 2}\n")
    third = load_policies(tmp_path).digest
    assert len({first, second, third}) == 3


def test_data_files_merge_under_readiness_and_later_files_win(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.yaml").write_text("thresholds:\n  default: {tests: {max_failed: 0, min_tests: 5}}\n")
    extra = tmp_path / "override.json"
    extra.write_text('{"thresholds": {"default": {"tests": {"min_tests": 50}}}}')
    policy_set = load_policies(tmp_path, (extra,))
    assert policy_set.data == {"readiness": {"thresholds": {"default": {"tests": {"max_failed": 0, "min_tests": 50}}}}}
    assert [f for f, _ in policy_set.data_files] == [str(tmp_path / "data" / "a.yaml"), str(extra)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("#   severity: medium", "#   severity: urgent"), "custom.severity 'urgent'"),
        (("#   id: example.fine", "#   id: Fine"), "custom.id 'Fine'"),
        (("#   requires: [tests, load]", "#   requires: tests"), "custom.requires"),
        (("#   remediation: Make it fine.\n", ""), "custom.remediation is required"),
        (("# title: Thing is fine\n", ""), "title is required"),
        (("#   effective_on: 2027-03-01", "#   effective_on: soon"), "effective_on 'soon'"),
        (("#   weight: 7", "#   weight: -1"), "custom.weight"),
        (("#   id: example.other", "#   id: example.fine"), "declared twice"),
        (("# title: Other thing", "# title: Other thing\n# owner: me"), "unknown METADATA key 'owner'"),
        (("#   tiers: [critical]", "#   tiers: [critical"), "METADATA is not valid YAML"),
    ],
)
def test_bad_metadata_is_one_clear_error_with_file_and_line(tmp_path, change, message):
    with pytest.raises(InputError, match=message) as caught:
        load_policies(write(tmp_path, GOOD.replace(*change)))
    assert caught.value.path.endswith("example.rego") and caught.value.line is not None


def test_refused_builtin_names_file_line_and_builtin(tmp_path):
    source = GOOD.replace(
        "\tfalse\n\tresult := {}\n}\n\n# METADATA\n# title: Other",
        "\ttime.now_ns() > 0\n\tresult := {}\n}\n\n# METADATA\n# title: Other",
        1,
    )
    with pytest.raises(InputError, match=r"builtin `time\.now_ns` is not allowed") as caught:
        load_policies(write(tmp_path, source))
    assert caught.value.line == 24


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no .rego files"),
        (lambda p: (p / "x.rego").write_text("x := 1\n"), "no `package` declaration"),
        (lambda p: (p / "x.rego").write_bytes(b"package a\n\xff\n"), "not UTF-8"),
    ],
)
def test_bad_directories(tmp_path, setup, message):
    setup(tmp_path)
    with pytest.raises(InputError, match=message):
        load_policies(tmp_path)


def test_missing_directory_and_bad_data(tmp_path):
    with pytest.raises(InputError, match="policy directory not found"):
        load_policies(tmp_path / "nope")
    write(tmp_path, GOOD)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.yaml").write_text("- a list\n")
    with pytest.raises(InputError, match="must hold a mapping"):
        load_policies(tmp_path)
    (tmp_path / "data" / "bad.yaml").write_text("example: {a: 1}\n")
    with pytest.raises(InputError, match=r"collides with policy package readiness\.example"):
        load_policies(tmp_path)


def test_metadata_block_that_annotates_nothing():
    with pytest.raises(InputError, match="annotates nothing"):
        annotations("package a\n# METADATA\n# title: x\n", "a.rego")
