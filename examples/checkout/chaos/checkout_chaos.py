"""Chaos Toolkit activities for the checkout example (Python provider module `checkout_chaos`).

The experiment in instance-loss.json imports this module (run `chaos run` with this folder on
PYTHONPATH). Everything talks to the local slot `localdeploy.py` manages, on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

ORDER = {"lines": [{"sku": "book", "quantity": 2}, {"sku": "pen"}], "discount_percent": 10, "tax_basis_points": 2000}


def kill_server(slot: str) -> int:
    """Kill the slot's checkout server with SIGKILL (a lost instance); return its process id."""
    pid = int((Path(slot) / "server.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    return pid


def wait_healthy(port: int, timeout_s: float = 30.0) -> float:
    """Poll GET /health until it answers 200; return the seconds it took, raise after `timeout_s`."""
    start = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return round(time.monotonic() - start, 3)
        except OSError:
            pass
        if time.monotonic() - start > timeout_s:
            raise RuntimeError(f"checkout on 127.0.0.1:{port} not healthy after {timeout_s} s")
        time.sleep(0.1)


def checkout_p95_ms(port: int, requests: int = 10) -> int:
    """POST `requests` checkouts one after the other; return the 95th percentile latency in whole ms."""
    body = json.dumps(ORDER).encode()
    timings = []
    for _ in range(requests):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/checkout", data=body, headers={"Content-Type": "application/json"}
        )
        start = time.monotonic()
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
        timings.append((time.monotonic() - start) * 1000)
    timings.sort()
    return round(timings[max(0, -(-95 * len(timings) // 100) - 1)])
