"""The journal: every article the service was asked to add or delete, in SQLite.

An article is acknowledged only after its journal row is committed, so the journal, not the
index folder, is what survives a crash. The index folder is a checkpoint of the journal up to
a sequence number (``Manifest.journal_seq``); on start the service replays the rows after it.

One row per article id. ``seq`` grows with every change: adding an article gives its row the
next number, and deleting it marks the row ``deleted`` with a new number too, so replaying the
rows above a checkpoint in ``seq`` order reaches the same state whatever happened in between.
``content_hash`` (SHA-256 of the outlet and the text) is unique among the live rows: the same
article under a second id is recognised as a duplicate.

SQLite runs in WAL mode with ``synchronous=FULL``: a committed row survives a killed process
and a power cut. Writers take SQLite's write lock (``BEGIN IMMEDIATE``) to number their rows,
so several worker processes may write one journal; the connection may be used from any
thread, one at a time. :mod:`index.live.postgres` keeps the same rows in PostgreSQL, for
replicas on several hosts. Article ids are data here, never paths.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from index.errors import WhosaidError
from index.models import Article

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    deleted INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT,
    outlet TEXT,
    text TEXT,
    title TEXT,
    url TEXT,
    published TEXT,
    recorded TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS live_content ON articles (content_hash) WHERE deleted = 0;
"""

_UPSERT = """
INSERT INTO articles (id, seq, deleted, content_hash, outlet, text, title, url, published,
                      recorded)
VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    seq = excluded.seq, deleted = 0, content_hash = excluded.content_hash,
    outlet = excluded.outlet, text = excluded.text, title = excluded.title,
    url = excluded.url, published = excluded.published, recorded = excluded.recorded
"""

_DELETE = """
INSERT INTO articles (id, seq, deleted, recorded) VALUES (?, ?, 1, ?)
ON CONFLICT (id) DO UPDATE SET
    seq = excluded.seq, deleted = 1, content_hash = NULL, outlet = NULL, text = NULL,
    title = NULL, url = NULL, published = NULL, recorded = excluded.recorded
"""


class JournalError(WhosaidError):
    """The journal cannot be opened, read or written. The message says why in words and names
    no path (clients see it); the path is the journal's, for the log."""


class JournalRaceError(JournalError):
    """Another writer (a worker or a replica) changed the journal rows a write depended on
    since the writer last read them; nothing was recorded. Catch up and plan again."""


def raced_ids(rows: Sequence[tuple[str]]) -> JournalRaceError:
    return JournalRaceError(
        f"another writer changed {len(rows)} of these articles meanwhile; catch up and retry"
    )


# SQLite's result codes, in words a client can act on (prefix match on the extended name).
_SQLITE_CAUSES = (
    ("SQLITE_FULL", "the disk is full"),
    ("SQLITE_IOERR", "the disk failed a read or a write"),
    ("SQLITE_READONLY", "the journal is read-only"),
    ("SQLITE_CANTOPEN", "the journal file cannot be opened"),
    ("SQLITE_PERM", "permission to the journal is denied"),
    ("SQLITE_AUTH", "permission to the journal is denied"),
    ("SQLITE_CORRUPT", "the journal file is damaged"),
    ("SQLITE_NOTADB", "the journal file is not a journal"),
    ("SQLITE_BUSY", "another process holds the journal locked"),
    ("SQLITE_LOCKED", "another process holds the journal locked"),
)


_OS_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the journal's file system is read-only",
    errno.EACCES: "permission to the journal is denied",
    errno.EPERM: "permission to the journal is denied",
    errno.ENOTDIR: "a file stands where the journal's folder should be",
    errno.EEXIST: "a file stands where the journal's folder should be",
    errno.EISDIR: "a folder stands where the journal file should be",
    errno.EIO: "the disk failed a read or a write",
}


def cause(exc: BaseException) -> str:
    """Why a journal operation failed, in words, without a path."""
    if isinstance(exc, sqlite3.Error):
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        for prefix, words in _SQLITE_CAUSES:
            if name.startswith(prefix):
                return words
        return f"SQLite failed ({name or type(exc).__name__})"
    if isinstance(exc, OSError) and exc.errno is not None:
        return _OS_CAUSES.get(exc.errno) or os.strerror(exc.errno).lower()
    return type(exc).__name__


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One journal row: an article to hold (``article``) or an id to drop (``article`` None)."""

    seq: int
    article_id: str
    article: Article | None

    @property
    def deleted(self) -> bool:
        return self.article is None


# Less free space than this in the journal's file system counts as a full disk.
MIN_FREE_BYTES = 64 * 1024


def obstacle(path: Path) -> str | None:
    """What stands in the way of writing the journal at ``path`` now, or None."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return "a file stands where the journal's folder should be"
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "the journal's file system is read-only"
        if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
            return "the disk is full"
    except OSError as exc:
        return f"the journal's folder cannot be read ({exc.strerror or exc})".lower()
    if path.is_dir():
        return "a folder stands where the journal file should be"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission to the journal is denied"
    return None


# What SQLite says when it cannot tell why: the file system may know better.
_VAGUE = frozenset({"the journal file cannot be opened", "the disk failed a read or a write"})


def content_hash(article: Article) -> str:
    """SHA-256 over the outlet and the text (length-prefixed): what makes two articles one."""
    digest = hashlib.sha256()
    for part in (article.outlet, article.text):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def now_recorded() -> str:
    """The time a row is recorded, as ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_rows(
    execute: Callable[[str, tuple[object, ...]], object],
    sql: tuple[str, str],
    *,
    puts: Sequence[Article],
    deletes: Sequence[str],
    seq: int,
) -> int:
    """Number and write deletions, then articles, after ``seq`` with ``execute`` (a SQLite or
    PostgreSQL connection's, inside the caller's transaction); ``sql`` is the backend's delete
    and upsert statement. The last number used."""
    delete, upsert = sql
    recorded = now_recorded()
    for article_id in deletes:
        seq += 1
        execute(delete, (article_id, seq, recorded))
    for article in puts:
        seq += 1
        execute(
            upsert,
            (
                article.id, seq, content_hash(article), article.outlet, article.text,
                article.title, article.url, article.published, recorded,
            ),
        )  # fmt: skip
    return seq


def entries_of(rows: Sequence[Sequence[Any]]) -> Iterator[Entry]:
    """Journal entries from rows of (seq, id, deleted, outlet, text, title, url, published)."""
    for row_seq, article_id, deleted, outlet, text, title, url, published in rows:
        article = None
        if not deleted:
            article = Article(
                id=article_id, outlet=outlet, text=text, title=title, url=url,
                published=published,
            )  # fmt: skip
        yield Entry(seq=int(row_seq), article_id=article_id, article=article)


class Journal:
    """The SQLite journal at ``path`` (created with its folder when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location: Path | str = self.path
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal: {self._why(exc)}") from exc
        try:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"the journal refused WAL mode (got {mode!r})")
            self._db.execute("PRAGMA synchronous=FULL")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version not in (0, SCHEMA_VERSION):
                raise JournalError(
                    f"the journal is version {version}; this whosaid reads version {SCHEMA_VERSION}"
                )
            self._db.executescript(_SCHEMA)
            if version != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error, JournalError) as exc:
            self._db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal: {self._why(exc)}") from exc

    def _why(self, exc: BaseException) -> str:
        words = cause(exc)
        return (obstacle(self.path) or words) if words in _VAGUE else words

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def exists(self) -> bool:
        """Whether the journal file is there (a missing one holds no row)."""
        return self.path.exists()

    def wait(self, timeout: float) -> None:
        """Wait for another writer's rows: SQLite has no notification, so this is the poll."""
        time.sleep(timeout)

    def last_seq(self) -> int:
        """The highest sequence number recorded (0 for an empty journal)."""
        with self._lock:
            try:
                return self._max_seq()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read the journal: {cause(exc)}") from exc

    def _max_seq(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0])

    def record(
        self,
        *,
        puts: Sequence[Article] = (),
        deletes: Sequence[str] = (),
        floor: int = 0,
        seen: int | None = None,
    ) -> int:
        """Record deletions, then articles, in one transaction; return the last ``seq`` used.

        New numbers continue from the larger of the journal's highest and ``floor`` (the seq
        the index was checkpointed at), so a replaced journal never reuses a number the index
        already counts as applied. With ``seen`` (the last row the writer has applied), a row
        of one of these ids changed after it, or a live row with the same content, raises
        :class:`JournalRaceError` and records nothing: another process wrote meanwhile.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    if seen is not None:
                        self._check_race(seen, [*deletes, *(a.id for a in puts)], puts)
                    seq = write_rows(
                        self._db.execute, (_DELETE, _UPSERT), puts=puts, deletes=deletes,
                        seq=max(self._max_seq(), floor),
                    )  # fmt: skip
                    self._db.execute("COMMIT")
                except BaseException:
                    # A failed COMMIT (a full disk) may have rolled back already.
                    if self._db.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            self._db.execute("ROLLBACK")
                    raise
            except (OSError, sqlite3.Error) as exc:
                raise JournalError(f"cannot write the journal: {self._why(exc)}") from exc
            return seq

    def _check_race(self, seen: int, ids: Sequence[str], puts: Sequence[Article]) -> None:
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT id FROM articles WHERE seq > ? AND id IN ({marks})", (seen, *ids)
        ).fetchall()
        hashes = [content_hash(article) for article in puts]
        marks = ",".join("?" * len(hashes))
        rows += self._db.execute(
            f"SELECT id FROM articles WHERE deleted = 0 AND content_hash IN ({marks})", hashes
        ).fetchall()
        if rows:
            raise raced_ids(rows)

    def since(self, seq: int) -> Iterator[Entry]:
        """The rows changed after ``seq``, in the order they were changed."""
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT seq, id, deleted, outlet, text, title, url, published FROM articles "
                    "WHERE seq > ? ORDER BY seq",
                    (seq,),
                ).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read the journal: {cause(exc)}") from exc
        yield from entries_of(rows)
