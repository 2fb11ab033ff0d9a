"""The journal as the live index keeps it: opened when first needed, dropped after a failure
and opened again once its cause is gone, so writes resume by themselves.

:meth:`KeptJournal.problem` says whether writes can go ahead now, and if not why, in words and
without a path: a full disk, a read-only file system, a file where the journal's folder should
be. It looks each time it is asked (a few system calls), so readiness follows the disk.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from index.live.journal import Entry, Journal, JournalError, obstacle
from index.models import Article

log = logging.getLogger("whosaid.live")


class KeptJournal:
    """The journal at ``path``, reopened after any failure."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._journal: Journal | None = None
        self._problem: str | None = None
        self._lock = threading.RLock()

    def _open(self) -> Journal:
        with self._lock:
            if self._journal is None:
                try:
                    self._journal = Journal(self.path)
                except JournalError as exc:
                    self._failed(exc)
                    raise
            return self._journal

    def _failed(self, exc: JournalError) -> None:
        log.warning("journal %s: %s", self.path, exc)
        self._problem = str(exc)
        with self._lock:
            journal, self._journal = self._journal, None
            if journal is not None:
                with contextlib.suppress(Exception):
                    journal.close()

    def record(
        self, *, puts: Sequence[Article] = (), deletes: Sequence[str] = (), floor: int = 0
    ) -> int:
        """:meth:`Journal.record`, noting a failure (and its cause) for :meth:`problem`."""
        journal = self._open()
        try:
            seq = journal.record(puts=puts, deletes=deletes, floor=floor)
        except JournalError as exc:
            self._failed(exc)
            raise
        self._problem = None
        return seq

    def since(self, seq: int) -> list[Entry]:
        return list(self._open().since(seq))

    def last_seq(self) -> int:
        return self._open().last_seq()

    def problem(self) -> str | None:
        """None when a write can go ahead; else why not (and a failure's cause until it is
        gone: then the journal is opened again)."""
        reason = obstacle(self.path)
        if reason is not None:
            self._problem = f"cannot write the journal: {reason}"
        elif self._problem is not None:
            with contextlib.suppress(JournalError):
                self._open()
                self._problem = None
        return self._problem

    def check(self) -> None:
        """Raise :class:`JournalError` now if a write could not be journaled (before the
        write's costly analysis, not after)."""
        problem = self.problem()
        if problem is not None:
            raise JournalError(problem)

    def close(self) -> None:
        with self._lock:
            journal, self._journal = self._journal, None
        if journal is not None:
            journal.close()
