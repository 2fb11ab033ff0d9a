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

from index.live.journal import Entry, Journal, JournalError, JournalRaceError, obstacle
from index.live.postgres import PostgresJournal, is_database_url
from index.models import Article

# Where a journal is: a SQLite file's path, or a ``postgresql://`` connection string.
JournalLocation = Path | str


def open_journal(location: JournalLocation) -> Journal | PostgresJournal:
    """The journal at ``location``: PostgreSQL for a ``postgresql://`` URL, else SQLite."""
    if is_database_url(location):
        assert isinstance(location, str)
        return PostgresJournal(location)
    return Journal(Path(location))


def shown(location: JournalLocation) -> str:
    """A journal location for the log: a path as it is, a database URL without its secrets."""
    if not is_database_url(location):
        return str(location)
    from urllib.parse import urlsplit

    parts = urlsplit(str(location))
    host = parts.hostname or "localhost"
    return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"


log = logging.getLogger("whosaid.live")


class KeptJournal:
    """The journal at ``location``, reopened after any failure."""

    def __init__(self, location: JournalLocation) -> None:
        self.location = location
        # A SQLite journal's file (None for a database), whose disk readiness can be checked.
        self.path = None if is_database_url(location) else Path(location)
        self._journal: Journal | PostgresJournal | None = None
        self._problem: str | None = None
        self._lock = threading.RLock()

    def _open(self) -> Journal | PostgresJournal:
        with self._lock:
            if self._journal is None:
                try:
                    self._journal = open_journal(self.location)
                except JournalError as exc:
                    self._failed(exc)
                    raise
            return self._journal

    def _failed(self, exc: JournalError) -> None:
        log.warning("journal %s: %s", shown(self.location), exc)
        self._problem = str(exc)
        with self._lock:
            journal, self._journal = self._journal, None
            if journal is not None:
                with contextlib.suppress(Exception):
                    journal.close()

    def record(
        self,
        *,
        puts: Sequence[Article] = (),
        deletes: Sequence[str] = (),
        floor: int = 0,
        seen: int | None = None,
    ) -> int:
        """:meth:`Journal.record`, noting a failure (and its cause) for :meth:`problem`; a
        race with another writer is no failure of the journal."""
        journal = self._open()
        try:
            seq = journal.record(puts=puts, deletes=deletes, floor=floor, seen=seen)
        except JournalRaceError:
            raise
        except JournalError as exc:
            self._failed(exc)
            raise
        self._problem = None
        return seq

    def since(self, seq: int) -> list[Entry]:
        return list(self._open().since(seq))

    def last_seq(self) -> int:
        return self._open().last_seq()

    def exists(self) -> bool:
        """Whether the journal is there to read (a SQLite file may not be yet)."""
        return self.path is None or self.path.exists()

    def wait(self, timeout: float) -> None:
        """Until another writer may have added rows (a notification or ``timeout``)."""
        try:
            journal = self._open()
        except JournalError:
            import time

            time.sleep(timeout)
            return
        journal.wait(timeout)

    def problem(self) -> str | None:
        """None when a write can go ahead; else why not (and a failure's cause until it is
        gone: then the journal is opened again)."""
        reason = obstacle(self.path) if self.path is not None else None
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
