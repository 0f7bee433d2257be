"""DuckDB as the fast path for large load-test files (JMeter JTL CSV, k6 NDJSON).

A JTL of ten million samples is a gigabyte; parsing it row by row in Python takes tens of seconds.
DuckDB's CSV and JSON readers parse and aggregate in parallel, streaming, within a memory limit, so the
collectors hand it one GROUP BY query and get back a few thousand aggregate rows (per endpoint and latency
bucket), which they turn into the same evidence their own readers would produce.

DuckDB is only ever a fast path: whenever it rejects a file (a row of the wrong width, a value it cannot
convert, a broken quote, invalid UTF-8, a line too long) or the aggregate shows a value the collector's
rules do not allow, the collector reads the file again with its own reader, which either accepts it or
names the offending line. So the error messages, and what is accepted, stay the collector's own.

The connection is private and in memory, limited to `MEMORY_LIMIT` (it spills to a private temporary
directory beyond it) and `THREADS`, never loads extensions, and is closed after the query.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluator.collectors.progress import tracking

MEMORY_LIMIT = "128MB"
"""DuckDB's own memory limit by default; beyond it, aggregation state spills to a temporary directory."""
THREADS = max(1, min(os.cpu_count() or 1, 8))
"""Worker threads for parsing and aggregation."""
BUFFER_BYTES = 8 * 1024 * 1024
"""Read buffer per scan (DuckDB's CSV buffer_size)."""
MAX_LINE_BYTES = 1024 * 1024
"""Longest CSV record the fast path takes; longer ones go to the collector's own reader."""

_BATCH_ROWS = 65_536


def available() -> bool:
    """True when DuckDB can be used (installed, and not turned off with READINESS_NO_DUCKDB=1)."""
    if os.environ.get("READINESS_NO_DUCKDB") == "1":
        return False
    try:
        import duckdb  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return False
    return True


def scan(
    path: Path,
    query: str,
    parameters: dict[str, Any],
    consume: Callable[[list[tuple[Any, ...]]], None],
    memory_limit: str = MEMORY_LIMIT,
) -> bool:
    """Run `query` over `path` and pass its rows to `consume` in batches; False when DuckDB rejects the file.

    The query names the file as the parameter `$path`; `parameters` holds the others. After False, whatever
    `consume` was given must be thrown away: the caller reads the file again with its own reader.
    """
    if not available():
        return False
    import duckdb

    spill = tempfile.mkdtemp(prefix="readiness-duckdb-")
    con = None
    try:
        con = duckdb.connect(
            ":memory:",
            config={
                "threads": THREADS,
                "memory_limit": memory_limit,
                "temp_directory": spill,
                "preserve_insertion_order": False,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        con.execute("SET enable_progress_bar = false")  # ours follows query_progress(); DuckDB's prints to stdout
        size = path.stat().st_size

        def position() -> int:
            done = con.query_progress()
            return int(size * done / 100) if done >= 0 else 0

        with tracking(path, position):
            result = con.execute(query, {"path": str(path), **parameters})
            while batch := result.fetchmany(_BATCH_ROWS):
                consume(batch)
        return True
    except duckdb.Error:
        return False
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(spill, ignore_errors=True)
