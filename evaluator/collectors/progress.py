"""A progress bar on stderr while a collector streams a large file; silent when stderr is not a terminal."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

SHOW_FROM_BYTES = 64 * 1024 * 1024
"""Files smaller than this finish too fast to be worth a bar."""


@contextmanager
def reading(path: Path, handle: BinaryIO) -> Iterator[None]:
    """Show how far `handle` (an open binary file of `path`) has been read, until the block ends."""
    with tracking(path, handle.tell):
        yield


@contextmanager
def tracking(path: Path, position: Callable[[], int]) -> Iterator[None]:
    """Show how many bytes of `path` `position()` says are done, until the block ends.

    A side thread polls `position`, so the parsing loop pays nothing per line.
    """
    size = path.stat().st_size if path.exists() else 0
    if size < SHOW_FROM_BYTES or not sys.stderr.isatty() or os.environ.get("CI"):
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(f"reading {path.name}", total=size)
        done = threading.Event()

        def follow() -> None:
            while not done.wait(0.2):
                try:
                    progress.update(task, completed=min(max(position(), 0), size))
                except (OSError, ValueError, RuntimeError):  # closed, not seekable, or finished: stop here
                    return

        follower = threading.Thread(target=follow, name="readiness-progress", daemon=True)
        follower.start()
        try:
            yield
        finally:
            done.set()
            follower.join()
