"""A stand-in for the checkout team's deployment tooling, for the example's drills on this machine only.

    python localdeploy.py deploy RELEASE --slot DIR --port PORT   replace what runs in the slot with RELEASE
    python localdeploy.py health --slot DIR --port PORT           exit 0 when the slot's release answers
    python localdeploy.py stop --slot DIR                         stop the slot

A slot is a directory holding the state of one "environment": the release it runs, the supervisor's and
the server's process ids, and the server's log. `deploy` starts `server.py RELEASE PORT` (bound to
127.0.0.1) under a supervisor that restarts the server when it dies, as Kubernetes restarts a pod, and
returns at once: whether the release came up healthy is for the health check to say. `readiness drill
run` drives it (deploy, health, roll back to the production release 1.41.3, health), and the Chaos
Toolkit experiment in chaos/ kills the server to see the supervisor bring it back.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESTART_DELAY_S = 0.5
"""How long the supervisor waits before restarting a server that died."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def stop(slot: Path) -> None:
    """Stop the slot's supervisor (which stops its server) and wait until both are gone."""
    for name in ("supervisor.pid", "server.pid"):
        pid = _read_pid(slot / name)
        if pid is None or not _alive(pid):
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    for name in ("supervisor.pid", "server.pid"):
        (slot / name).unlink(missing_ok=True)


def deploy(release: str, slot: Path, port: int) -> None:
    """Stop what runs in the slot, then start RELEASE under a supervisor, detached from this process."""
    if not (HERE / "releases" / release / "service").is_dir():
        sys.exit(f"localdeploy: no release {release} in {HERE / 'releases'}")
    slot.mkdir(parents=True, exist_ok=True)
    previous = (slot / "release").read_text().strip() if (slot / "release").exists() else None
    stop(slot)
    (slot / "release").write_text(release + "\n")
    command = [sys.executable, str(Path(__file__).resolve()), "supervise", release]
    with open(slot / "server.log", "ab") as log:
        supervisor = subprocess.Popen(
            [*command, "--slot", str(slot), "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (slot / "supervisor.pid").write_text(f"{supervisor.pid}\n")
    replaced = f", replacing {previous}" if previous and previous != release else ""
    print(f"deployed checkout {release} to {slot} on 127.0.0.1:{port}{replaced} (supervisor pid {supervisor.pid})")


def supervise(release: str, slot: Path, port: int) -> None:
    """Run the server and restart it whenever it dies, until SIGTERM."""
    stopping = False
    server: subprocess.Popen[bytes] | None = None

    def _terminate(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if server is not None and server.poll() is None:
            server.terminate()

    signal.signal(signal.SIGTERM, _terminate)
    while not stopping:
        command = [sys.executable, str(HERE / "server.py"), release, str(port)]
        server = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        (slot / "server.pid").write_text(f"{server.pid}\n")
        code = server.wait()
        if not stopping:
            print(f"supervisor: checkout {release} (pid {server.pid}) exited with {code}; restarting", flush=True)
            time.sleep(RESTART_DELAY_S)


def health(slot: Path, port: int) -> None:
    """Exit 0 when GET /health answers 200 with the release the slot runs; 1 with the reason otherwise."""
    expected = (slot / "release").read_text().strip() if (slot / "release").exists() else None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            body = json.load(response)
    except OSError as exc:
        sys.exit(f"unhealthy: 127.0.0.1:{port} does not answer ({exc})")
    if body.get("release") != expected:
        sys.exit(f"unhealthy: 127.0.0.1:{port} runs {body.get('release')}, the slot expects {expected}")
    print(f"healthy: checkout {expected} answers on 127.0.0.1:{port}")


def main() -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("deploy", "supervise"):
        command = commands.add_parser(name)
        command.add_argument("release")
        command.add_argument("--slot", type=Path, required=True)
        command.add_argument("--port", type=int, required=True)
    command = commands.add_parser("health")
    command.add_argument("--slot", type=Path, required=True)
    command.add_argument("--port", type=int, required=True)
    command = commands.add_parser("stop")
    command.add_argument("--slot", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "deploy":
        deploy(args.release, args.slot, args.port)
    elif args.command == "supervise":
        supervise(args.release, args.slot, args.port)
    elif args.command == "health":
        health(args.slot, args.port)
    else:
        stop(args.slot)


if __name__ == "__main__":
    main()
