"""A tiny local HTTP service for the drill tests: start, stop, roll back and health-check it.

    service.py start VERSION --state DIR [--exit-code N]   start VERSION detached (exits N afterwards, default 0)
    service.py rollback VERSION --state DIR                stop the running version, start VERSION
    service.py stop --state DIR                            stop the running version
    service.py health [VERSION] --state DIR                exit 0 when the service answers VERSION (default:
                                                           the version last started), else 1
    service.py serve VERSION --state DIR                   (internal) the service itself

The service listens on 127.0.0.1, on a free port the system picks, and answers GET /version with its version.
It runs in its own session with its output in DIR/service.log, so it outlives the deploy command and does not
hold the drill's output pipe. DIR/pid and DIR/port describe the running version; DIR/pids.log lists every pid
ever started, so a test fixture can kill whatever is left even when a test fails.
"""

from __future__ import annotations

import argparse
import http.server
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def serve(version: str, state: Path) -> None:
    """Answer GET /version with VERSION until terminated."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            """Answer /version with the version, anything else with 404."""
            body = version.encode() if self.path == "/version" else b"not found"
            self.send_response(200 if self.path == "/version" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """No access log."""

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    _write(state / "port", str(server.server_address[1]))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


def start(version: str, state: Path) -> None:
    """Start VERSION detached; its pid goes to DIR/pid and DIR/pids.log, VERSION to DIR/expected."""
    _write(state / "expected", version)
    with open(state / "service.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, __file__, "serve", version, "--state", str(state)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with open(state / "pids.log", "a") as pids:
        pids.write(f"{proc.pid}\n")
    _write(state / "pid", str(proc.pid))
    print(f"started {version} as pid {proc.pid}")


def stop(state: Path) -> None:
    """Stop the running version (if any) and wait until it is gone."""
    pid_file = state / "pid"
    if not pid_file.exists():
        print("nothing to stop")
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not _running(pid):
                break
            time.sleep(0.02)
    except ProcessLookupError:
        pass
    for name in ("pid", "port"):
        (state / name).unlink(missing_ok=True)
    print(f"stopped pid {pid}")


def _running(pid: int) -> bool:
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


def health(version: str | None, state: Path) -> int:
    """0 when the service answers VERSION (default: the version last started) on /version, 1 otherwise."""
    try:
        version = version or (state / "expected").read_text()
        port = int((state / "port").read_text())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=2) as response:
            answer = response.read().decode()
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {exc}")
        return 1
    print(f"answered {answer!r}, expected {version!r}")
    return 0 if answer == version else 1


def main() -> int:
    """Run one action; the exit code of the process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "rollback", "stop", "health", "serve"])
    parser.add_argument("version", nargs="?")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()
    args.state.mkdir(parents=True, exist_ok=True)
    if args.action == "serve":
        serve(args.version, args.state)
    elif args.action == "start":
        start(args.version, args.state)
    elif args.action == "rollback":
        stop(args.state)
        start(args.version, args.state)
    elif args.action == "stop":
        stop(args.state)
    elif args.action == "health":
        return health(args.version, args.state)
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())
