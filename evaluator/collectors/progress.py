"""A progress bar on stderr while a collector streams a large file; silent when stderr is not a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

SHOW_FROM_BYTES = 64 * 1024 * 1024
"""Files smaller than this finish too fast to be worth a bar."""


@contextmanager
def reading(path: Path, handle: BinaryIO) -> Iterator[None]:
    """Show how far `handle` (an open binary file of `path`) has been read, until the block ends.

    The bar polls the file position from rich's refresh thread, so the parsing loop pays nothing.
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

        def position() -> float:
            try:
                return float(handle.tell())
            except (OSError, ValueError):
                return float(size)

        # rich calls refresh from its own thread; update the completed count from the handle there too.
        progress.update(task, completed=position())
        original = progress.refresh

        def refresh() -> None:
            progress.update(task, completed=position())
            original()

        progress.refresh = refresh  # type: ignore[method-assign]
        yield
