"""Reading inputs with located errors and writing outputs atomically."""

from __future__ import annotations

import os
import stat

import pytest

from evaluator.errors import InputError
from evaluator.fileio import load_yaml, parse_json, write_atomic
from evaluator.timeutil import format_duration, parse_duration, parse_time


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'{"a": 1,}', "f.json:1:9:"),
        (b'{\n  "a": [1, 2\n', "f.json:3:1:"),
        (b"", "f.json: file is empty"),
        (b'{"a": NaN}', "f.json:1:7:"),
    ],
)
def test_malformed_json_is_located(data, where):
    with pytest.raises(InputError) as caught:
        parse_json(data, "f.json")
    assert str(caught.value).startswith(where), str(caught.value)


def test_yaml_timestamps_stay_strings_and_errors_are_located(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("when: 2026-01-01T00:00:00Z\nday: 2026-01-01\n")
    assert load_yaml(path) == {"when": "2026-01-01T00:00:00Z", "day": "2026-01-01"}
    path.write_text("a: 1\nb: [2\n")
    with pytest.raises(InputError, match=r"x.yaml:3:1: malformed YAML"):
        load_yaml(path)
    path.write_text("a: !!python/object:os.system 1\n")
    with pytest.raises(InputError, match="malformed YAML"):
        load_yaml(path)


def test_write_atomic_replaces_whole_files_and_honours_mode(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "public.json", b"x")
        write_atomic(tmp_path / "secret.key", b"x", mode=0o600)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "public.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "public.json", "secret.key"]


def test_write_atomic_leaves_nothing_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "x.json", b"x")


def test_durations_and_times():
    assert parse_duration("7d").days == 7 and parse_duration(" 12h ").seconds == 43200
    assert parse_duration("2w").days == 14 and parse_duration(90).seconds == 90
    for bad in ("7 days", "0d", "-1h", "", "1y", True, 0):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert format_duration(parse_duration("30h")) == "1d6h"
    assert format_duration(parse_duration("90s")) == "1m30s"
    assert parse_time("2026-11-27T14:03:11+02:00").isoformat() == "2026-11-27T12:03:11+00:00"
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_time("2026-11-27T14:03:11")
