"""The streaming progress bar: shown on a terminal for big files, silent otherwise, never in the way."""

from __future__ import annotations

import io
import sys
import time

from evaluator.collectors import progress


def test_silent_when_not_a_terminal(tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.jtl"
    path.write_bytes(b"x" * 4096)
    monkeypatch.setattr(progress, "SHOW_FROM_BYTES", 1)
    with open(path, "rb") as handle, progress.reading(path, handle):
        handle.read()
    assert capsys.readouterr().err == ""


def test_shown_on_a_terminal_and_gone_afterwards(tmp_path, monkeypatch):
    path = tmp_path / "big.jtl"
    path.write_bytes(b"x" * 4096)
    monkeypatch.setattr(progress, "SHOW_FROM_BYTES", 1)
    monkeypatch.delenv("CI", raising=False)
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", fake)
    with open(path, "rb") as handle, progress.reading(path, handle):
        while handle.read(512):
            time.sleep(0.02)
        time.sleep(0.5)  # the bar polls the position every 0.2 s
    shown = fake.getvalue()
    assert "reading big.jtl" in shown
    assert "4.1/4.1 kB" in shown, "the bar follows the reading position"


def test_small_files_get_no_bar(tmp_path, monkeypatch):
    path = tmp_path / "small.jtl"
    path.write_bytes(b"x")
    monkeypatch.delenv("CI", raising=False)
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", fake)
    with open(path, "rb") as handle, progress.reading(path, handle):
        handle.read()
    assert fake.getvalue() == ""
