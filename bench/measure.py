"""Wall time, CPU time and peak memory of a command, for the benchmarks.

The command runs under a small intermediate Python process that samples the RSS of the command's whole
process tree every 20 ms and reads its ru_maxrss on exit (ru_maxrss survives fork/exec, so measuring
from a large benchmark parent would report the parent's size).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

MEASURE = r"""
import json, os, subprocess, sys, time

def tree(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return pids

def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
peak = 0
while child.poll() is None:
    peak = max(peak, sum(rss_kib(p) for p in tree(child.pid)))
    time.sleep(0.02)
wall = time.perf_counter() - start
import resource
usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # ru_maxrss: the largest single descendant, in KiB
report = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": max(peak, usage.ru_maxrss) / 1024}
json.dump({**report, "status": child.returncode}, open(sys.argv[1], "w"))
"""


def run_measured(command: list[str], env: dict[str, str] | None = None, quiet: bool = False) -> dict[str, Any]:
    """Run `command` (its standard output discarded when `quiet`); {"wall", "cpu" (seconds), "peak_mib", "status"}."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "measure.json"
        if quiet:
            command = ["sh", "-c", 'exec "$@" > /dev/null', "sh", *command]
        runner = [sys.executable, "-c", MEASURE, str(report), *command]
        subprocess.run(runner, check=True, env={**os.environ, **(env or {})})
        return json.loads(report.read_text())
