"""The journal in PostgreSQL: one journal shared by several replicas (containers or hosts).

``WHOSAID_JOURNAL=postgresql://…`` puts the journal here instead of a SQLite file. It keeps the
SQLite journal's rows and rules (:mod:`index.live.journal`): one row per article id, ``seq``
renumbered on every change, ``content_hash`` unique among the live rows. Writers on any replica
take a transaction-scoped advisory lock before numbering, so numbers are handed out one writer
at a time and a row's number is never reused. Each commit notifies the channel
``whosaid_journal`` (``NOTIFY``), which the replicas ``LISTEN`` to; :meth:`wait` falls back to
a plain timeout, so a lost notification only delays a replica until its next poll.

psycopg (3) is imported when a PostgreSQL journal is first opened: ``pip install
'whosaid[postgresql]'``. The connection string is a secret; messages never repeat it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from index.live.journal import (
    Entry,
    JournalError,
    content_hash,
    entries_of,
    raced_ids,
    write_rows,
)
from index.models import Article

if TYPE_CHECKING:
    import psycopg

SCHEMA_VERSION = 1
CHANNEL = "whosaid_journal"
# The advisory lock that serialises numbering (and schema creation) across replicas.
_LOCK = 0x77686F73  # "whos"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS whosaid_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS whosaid_journal (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    content_hash TEXT,
    outlet TEXT,
    text TEXT,
    title TEXT,
    url TEXT,
    published TEXT,
    recorded TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS whosaid_journal_live_content
    ON whosaid_journal (content_hash) WHERE NOT deleted;
"""

_UPSERT = """
INSERT INTO whosaid_journal (id, seq, deleted, content_hash, outlet, text, title, url,
                             published, recorded)
VALUES (%s, %s, FALSE, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (id) DO UPDATE SET
    seq = excluded.seq, deleted = FALSE, content_hash = excluded.content_hash,
    outlet = excluded.outlet, text = excluded.text, title = excluded.title,
    url = excluded.url, published = excluded.published, recorded = excluded.recorded
"""

_DELETE = """
INSERT INTO whosaid_journal (id, seq, deleted, recorded) VALUES (%s, %s, TRUE, %s)
ON CONFLICT (id) DO UPDATE SET
    seq = excluded.seq, deleted = TRUE, content_hash = NULL, outlet = NULL, text = NULL,
    title = NULL, url = NULL, published = NULL, recorded = excluded.recorded
"""


def is_database_url(location: object) -> bool:
    """Whether a journal location names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def _cause(exc: BaseException) -> str:
    """Why a database operation failed, in words, without the connection string."""
    import psycopg

    if isinstance(exc, psycopg.OperationalError):
        return "the journal's database cannot be reached or refused the connection"
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return "permission to the journal's tables is denied"
    if isinstance(exc, psycopg.errors.DiskFull):
        return "the journal's database is out of disk space"
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return "the journal's database is read-only"
    if isinstance(exc, psycopg.Error):
        state = getattr(exc, "sqlstate", None) or type(exc).__name__
        return f"PostgreSQL failed ({state})"
    return type(exc).__name__


class PostgresJournal:
    """The journal in the PostgreSQL database ``url`` (its tables created when missing)."""

    def __init__(self, url: str) -> None:
        self.location = url
        self._lock = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the extra is part of the test install
            raise JournalError(
                "a PostgreSQL journal needs psycopg: pip install 'whosaid[postgresql]'"
            ) from exc
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise JournalError(f"cannot open the journal: {_cause(exc)}") from exc
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                self._db.execute(_SCHEMA)
                row = self._db.execute(
                    "SELECT value FROM whosaid_meta WHERE name = 'schema_version'"
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO whosaid_meta VALUES ('schema_version', %s)",
                        (str(SCHEMA_VERSION),),
                    )
                elif int(row[0]) != SCHEMA_VERSION:
                    raise JournalError(
                        f"the journal is version {row[0]}; this whosaid reads version "
                        f"{SCHEMA_VERSION}"
                    )
        except (psycopg.Error, JournalError) as exc:
            self._db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal: {_cause(exc)}") from exc

    def exists(self) -> bool:
        return True

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._listener is not None:
                self._listener.close()

    def last_seq(self) -> int:
        """The highest sequence number recorded (0 for an empty journal)."""
        import psycopg

        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM whosaid_journal"
                ).fetchone()
            except psycopg.Error as exc:
                raise JournalError(f"cannot read the journal: {_cause(exc)}") from exc
        return int(row[0]) if row else 0

    def record(
        self,
        *,
        puts: Sequence[Article] = (),
        deletes: Sequence[str] = (),
        floor: int = 0,
        seen: int | None = None,
    ) -> int:
        """Record deletions, then articles, in one transaction; return the last ``seq`` used
        (numbers continue from the larger of the journal's highest and ``floor``). With
        ``seen``, rows another writer changed meanwhile raise ``JournalRaceError``, as in
        :meth:`index.live.journal.Journal.record`."""
        import psycopg

        with self._lock:
            try:
                with self._db.transaction():
                    self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                    if seen is not None:
                        self._check_race(seen, [*deletes, *(a.id for a in puts)], puts)
                    row = self._db.execute(
                        "SELECT COALESCE(MAX(seq), 0) FROM whosaid_journal"
                    ).fetchone()
                    seq = write_rows(
                        self._db.execute, (_DELETE, _UPSERT), puts=puts, deletes=deletes,
                        seq=max(int(row[0]) if row else 0, floor),
                    )  # fmt: skip
                    self._db.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
            except psycopg.Error as exc:
                raise JournalError(f"cannot write the journal: {_cause(exc)}") from exc
        return seq

    def _check_race(self, seen: int, ids: Sequence[str], puts: Sequence[Article]) -> None:
        rows = self._db.execute(
            "SELECT id FROM whosaid_journal WHERE seq > %s AND id = ANY(%s) UNION "
            "SELECT id FROM whosaid_journal WHERE NOT deleted AND content_hash = ANY(%s)",
            (seen, list(ids), [content_hash(article) for article in puts]),
        ).fetchall()
        if rows:
            raise raced_ids(rows)

    def since(self, seq: int) -> Iterator[Entry]:
        """The rows changed after ``seq``, in the order they were changed."""
        import psycopg

        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT seq, id, deleted, outlet, text, title, url, published "
                    "FROM whosaid_journal WHERE seq > %s ORDER BY seq",
                    (seq,),
                ).fetchall()
            except psycopg.Error as exc:
                raise JournalError(f"cannot read the journal: {_cause(exc)}") from exc
        yield from entries_of(rows)

    def wait(self, timeout: float) -> None:
        """Return when another writer has committed (a notification), or after ``timeout``
        seconds; a listener that cannot connect degrades to the plain timeout."""
        import time

        import psycopg

        started = time.monotonic()
        try:
            if self._listener is None or self._listener.closed:
                self._listener = psycopg.connect(self.location, autocommit=True)
                self._listener.execute(f"LISTEN {CHANNEL}")
            for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            time.sleep(max(0.0, timeout - (time.monotonic() - started)))
