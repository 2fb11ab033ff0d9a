"""Who may write an index folder when several worker processes serve it.

Every worker holds a live index over the same folder and the same journal; one of them, the
**writer**, checkpoints the folder (and cleans up what an interrupted checkpoint left), the
others only read it. The writer is whoever holds an exclusive ``flock`` on
``.<name>.writer`` beside the folder; a worker asks again at each checkpoint, so when the
writer exits another worker takes over. Opening the folder takes a shared lock on
``.<name>.lock`` and the writer's swap an exclusive one, so no worker loads a folder half
swapped. The locks are the kernel's: a killed process releases them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class FolderLocks:
    """The writer and swap locks of the index folder ``folder``."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        self._writer_path = folder.parent / f".{folder.name}.writer"
        self._swap_path = folder.parent / f".{folder.name}.lock"
        self._writer: int | None = None

    @property
    def is_writer(self) -> bool:
        return self._writer is not None

    def try_become_writer(self) -> bool:
        """Whether this process is (now) the folder's writer; never waits."""
        if self._writer is not None:
            return True
        self._writer_path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self._writer_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            return False
        self._writer = handle
        return True

    @contextlib.contextmanager
    def _held(self, mode: int) -> Iterator[None]:
        self._swap_path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self._swap_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, mode)
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """Held while the folder is loaded: no swap happens meanwhile."""
        return self._held(fcntl.LOCK_SH)

    def swapping(self) -> contextlib.AbstractContextManager[None]:
        """Held while the writer writes and swaps in a checkpoint."""
        return self._held(fcntl.LOCK_EX)

    def release(self) -> None:
        """Stop being the writer (at close)."""
        handle, self._writer = self._writer, None
        if handle is not None:
            os.close(handle)
