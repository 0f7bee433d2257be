"""Fixtures for the drill tests: a small local HTTP service (tests/data/drill/service.py) and process helpers.

Every process a test starts is recorded (the service's pids.log, or a pid file the test names) and killed at
teardown, even when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parent.parent / "data" / "drill" / "service.py"
PYTHON = sys.executable


def python(*args: str) -> str:
    """A command string that runs this Python with ARGS (quoted for shlex.split and for /bin/sh)."""
    return shlex.join([PYTHON, *args])


def alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped by its parent or init) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def read_pids(path: Path) -> list[int]:
    """The pids listed one per line in a file (none when it does not exist)."""
    if not path.exists():
        return []
    return [int(line) for line in path.read_text().split() if line.strip()]


@dataclass
class Service:
    """The test service's state folder and the commands that drive it."""

    state: Path
    pid_files: list[Path] = field(default_factory=list)

    def command(self, action: str, *args: str) -> str:
        """A command string for service.py ACTION ARGS --state DIR."""
        return python(str(SERVICE), action, *args, "--state", str(self.state))

    def deploy(self, version: str, exit_code: int = 0) -> str:
        """Start VERSION (then exit with EXIT_CODE)."""
        return self.command("start", version, "--exit-code", str(exit_code))

    def health(self, version: str | None = None) -> str:
        """Exit 0 when the service answers VERSION (default: the version last started)."""
        return self.command("health", *([version] if version else []))

    def rollback(self, version: str) -> str:
        """Stop the running version and start VERSION."""
        return self.command("rollback", version)

    def answer(self) -> str | None:
        """What the running service answers on /version now, or None when nothing answers."""
        import urllib.request

        try:
            port = int((self.state / "port").read_text())
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=2) as response:
                return response.read().decode()
        except (OSError, ValueError):
            return None

    def all_pids(self) -> list[int]:
        """Every pid the service or a test recorded."""
        pids = read_pids(self.state / "pids.log")
        for path in self.pid_files:
            pids += read_pids(path)
        return pids


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A state folder for the test service; every process recorded in it is killed afterwards."""
    state = tmp_path / "service"
    state.mkdir()
    svc = Service(state)
    yield svc
    for pid in svc.all_pids():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
