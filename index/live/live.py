"""The live index: articles added and deleted while lookups go on.

How writes, merges and several writers work: see :mod:`index.live`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from index.build import TextVectors, assemble
from index.embed.protocol import Embedder
from index.live.journal import JournalError, JournalRaceError
from index.live.kept import JournalLocation, KeptJournal, shown
from index.live.locks import FolderLocks
from index.live.plan import (
    ArticleRejectedError,
    ContentHashes,
    Outcome,
    plan_ingest,
    plan_replay,
)
from index.live.segments import SegmentedSearcher
from index.live.snapshot import Snapshot, applied_seq
from index.live.writes import Writes
from index.models import Article
from index.search.browse import LoadedIndex
from index.search.searcher import Searcher
from index.store.folder import IndexData, load_index, remove_stale_staging, write_index
from index.store.manifest import read_manifest

log = logging.getLogger("whosaid.index")

# A merge is due when the delta holds this many unit rows (WHOSAID_MERGE_ROWS).
MERGE_ROWS = 20_000


T = TypeVar("T")

# How often a write is planned again after another writer raced it before it gives up.
RACE_RETRIES = 5


class LiveIndex:
    """Lookups on the current snapshot; serialised writes that journal, update and swap."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        folder: Path,
        journal: JournalLocation,
        merge_rows: int = MERGE_ROWS,
        locks: FolderLocks | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.journal = KeptJournal(journal)
        self.merge_rows = merge_rows
        self._locks = locks or FolderLocks(self.folder)
        self._closed = False
        self._embedder = searcher.embedder
        self._write_lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()
        self._writes = Writes(searcher, self._embedder)
        seq = searcher.manifest.journal_seq
        self._snapshot = Snapshot(
            seq=seq, view=LoadedIndex(searcher), hashes=ContentHashes(searcher.corpus.articles)
        )
        self._checkpointed = seq
        self._checkpointed_at = time.monotonic()

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        journal: JournalLocation,
        embedder: Embedder,
        merge_rows: int = MERGE_ROWS,
    ) -> LiveIndex:
        """Load the index folder, replay the journal rows it lacks, and checkpoint if any
        (the folder's writer only: see :mod:`index.live.locks`)."""
        locks = FolderLocks(folder)
        if locks.try_become_writer():
            for stale in remove_stale_staging(folder):
                log.info("removed %s, left by an interrupted checkpoint", stale)
        started = time.perf_counter()
        with locks.reading():
            loaded = load_index(folder)
        opened = time.perf_counter()
        searcher = Searcher(loaded, embedder)
        live = cls(searcher, folder=folder, journal=journal, merge_rows=merge_rows, locks=locks)
        # Both parts, machine-readable: bench/startup.py reads them from the log.
        log.info(
            "opened %s: load_index_s=%.3f searcher_s=%.3f",
            folder,
            opened - started,
            time.perf_counter() - opened,
        )
        replayed = live.replay()
        if replayed:
            log.info("replayed %d journal rows from %s", replayed, shown(journal))
            live.checkpoint()
        return live

    # ------------------------------------------------------------------------ reading

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot; hold on to it for a consistent view across several reads."""
        return self._snapshot

    @property
    def current(self) -> LoadedIndex:
        return self._snapshot.view

    @property
    def seq(self) -> int:
        return self._snapshot.seq

    @property
    def delta_rows(self) -> int:
        """The unit rows the delta holds: what the next merge folds into the base."""
        return self._writes.rows

    # ------------------------------------------------------------------------ writing

    def ingest(self, articles: Sequence[Article]) -> tuple[tuple[Outcome, ...], LoadedIndex]:
        """Add articles; return what became of each and the view that holds them all.

        An id already held with the same outlet and text, or a text already held under
        another id, is ``unchanged``; an id held with other content raises
        :class:`ArticleConflictError`, an article far too costly to analyse raises
        :class:`ArticleRejectedError`, and then nothing of the batch is added.
        """
        from index.analyse.pipeline import refusal

        def plan(base: Snapshot) -> tuple[tuple[Outcome, ...], Sequence[Article], Sequence[str]]:
            outcomes, fresh = plan_ingest(base.searcher, base.hashes, articles)
            for article in fresh:
                reason = refusal(article)
                if reason is not None:
                    raise ArticleRejectedError(article.id, reason)
            return outcomes, fresh, ()

        return self._write(plan)

    def delete(self, article_id: str) -> LoadedIndex | None:
        """Remove an article and its quotes, regrouping the statements they were in; return
        the view without it, or None when the index does not hold that id."""

        def plan(base: Snapshot) -> tuple[bool, Sequence[Article], Sequence[str]]:
            held = base.searcher.article(article_id) is not None
            return held, (), (article_id,) if held else ()

        held, view = self._write(plan)
        return view if held else None

    def _write(
        self, plan: Callable[[Snapshot], tuple[T, Sequence[Article], Sequence[str]]]
    ) -> tuple[T, LoadedIndex]:
        """Catch up with the journal, ``plan`` the write against that snapshot (what it
        returns, the articles to put and the ids to delete), journal it, apply it; plan again
        when another writer raced it."""
        with self._write_lock:
            for attempt in range(RACE_RETRIES):
                # A journal that cannot be written says why (as readiness does) before the
                # catch-up reads it.
                self.journal.check()
                self._replay()
                base = self._snapshot
                result, puts, deletes = plan(base)
                if not puts and not deletes:
                    return result, base.view
                self.journal.check()
                try:
                    seq = self.journal.record(
                        puts=puts, deletes=deletes, floor=base.seq, seen=base.seq
                    )
                except JournalRaceError:
                    if attempt + 1 == RACE_RETRIES:
                        raise
                    continue
                applied = applied_seq(base, seq, len(puts) + len(deletes))
                self._apply(frozenset(deletes), puts, seq, applied)
                return result, self._snapshot.view
        raise AssertionError("unreachable")

    def _apply(
        self, remove: Collection[str], add: Sequence[Article], seq: int, applied: int
    ) -> None:
        """Change the writes' state (rows up to ``seq``) and publish the snapshot that holds
        it, as holding every row up to ``applied`` (write lock held).

        The journal row is recorded first: should the change fail half-way (an analysis
        error), the writer state is rebuilt from the folder and the journal.
        """
        try:
            if remove:
                self._writes.remove(remove, seq)
            if add:
                self._writes.add(add, seq)
        except BaseException:
            self._recover()
            raise
        self._publish(applied)

    def _publish(self, seq: int) -> None:
        writes = self._writes
        self._snapshot = Snapshot(
            seq=seq, view=LoadedIndex(writes.searcher()), hashes=writes.hashes()
        )

    def _recover(self) -> None:
        base = self._writes.base
        self._writes = Writes(base, self._embedder)
        self._snapshot = Snapshot(
            seq=base.manifest.journal_seq,
            view=LoadedIndex(base),
            hashes=ContentHashes(base.corpus.articles),
        )
        self._replay()

    def replay(self) -> int:
        """Apply the journal rows after the current snapshot's ``seq``; return how many."""
        with self._write_lock:
            return self._replay()

    def follow(self, wait: float) -> int:
        """Wait up to ``wait`` seconds for rows another writer records (a notification from
        PostgreSQL, a poll of SQLite), then apply any; return how many rows were read."""
        self.journal.wait(wait)
        if self._closed or not self.journal.exists():
            return 0
        if self.journal.last_seq() <= self._snapshot.seq:
            return 0
        return self.replay()

    def _replay(self) -> int:
        base = self._snapshot
        expected = self._writes.base.manifest.journal_seq
        if not self.journal.exists():
            if expected:
                raise JournalError(
                    f"the journal is missing: the index folder holds journal rows up to "
                    f"{expected} and the journal holds none"
                )
            return 0
        last = self.journal.last_seq()
        if last < expected:
            raise JournalError(
                f"the journal is behind the index folder: it ends at row {last}, the "
                f"index folder holds rows up to {expected}"
            )
        if last <= base.seq:
            return 0
        entries = self.journal.since(base.seq)
        if not entries:
            return 0
        remove, add = plan_replay(base.searcher, entries)
        seq = entries[-1].seq
        if remove:
            self._writes.remove(remove, seq)
        if add:
            self._writes.add(add, seq)
        self._publish(seq)
        return len(entries)

    # ------------------------------------------------------------------------ merges

    def checkpoint_due(self, *, rows: int, seconds: float) -> bool:
        """Whether the delta holds :attr:`merge_rows` unit rows, or ``rows`` journal rows
        (or any rows ``seconds`` after the last checkpoint) wait to be written to the folder."""
        pending = self._snapshot.seq - self._checkpointed
        elapsed = time.monotonic() - self._checkpointed_at
        big = self._writes.rows >= self.merge_rows
        return pending > 0 and (big or pending >= rows or elapsed >= seconds)

    def checkpoint(self) -> bool:
        """Merge: write the current snapshot as a new base folder (recalibrating the no-match
        threshold) and swap it in; False when the folder already holds it. Lookups and writes
        go on meanwhile; the writes made during the merge stay in the delta. A worker that is
        not the folder's writer adopts the folder the writer wrote instead."""
        with self._checkpoint_lock:
            snapshot = self._snapshot
            if snapshot.seq == self._checkpointed:
                return False
            if not self._locks.try_become_writer():
                return self._adopt()
            started = time.perf_counter()
            data = self._merged(snapshot)
            with self._locks.swapping():
                write_index(
                    self.folder, data, encoder_files=self._embedder.info.files, keep_previous=True
                )
                base = Searcher(load_index(self.folder), self._embedder)
            with self._write_lock:
                self._writes.rebase(base, snapshot.seq)
                self._publish(self._snapshot.seq)
            self._checkpointed = snapshot.seq
            self._checkpointed_at = time.monotonic()
            log.info(
                "checkpoint: %s holds journal rows up to %d (merge_s=%.3f)",
                self.folder,
                snapshot.seq,
                time.perf_counter() - started,
            )
            return True

    def _adopt(self) -> bool:
        """Take the folder another worker merged as the base, when it holds no row this
        worker lacks (its delta then keeps only the later rows); whether it did."""
        with self._locks.reading():
            merged = read_manifest(self.folder).journal_seq
            if not self._writes.base.manifest.journal_seq < merged <= self._snapshot.seq:
                return False
            base = Searcher(load_index(self.folder), self._embedder)
        with self._write_lock:
            self._writes.rebase(base, merged)
            self._publish(self._snapshot.seq)
        self._checkpointed = merged
        self._checkpointed_at = time.monotonic()
        return True

    def _merged(self, snapshot: Snapshot) -> IndexData:
        """The index data of a snapshot as one base (built outside the write lock)."""
        searcher = snapshot.searcher
        base = searcher.base if isinstance(searcher, SegmentedSearcher) else searcher
        known = {unit.text: row for row, unit in enumerate(base.ranker.units)}
        vectors = TextVectors(self._embedder, np.asarray(base.ranker.vectors), known)
        if isinstance(searcher, SegmentedSearcher):
            delta = searcher.delta
            vectors.keep({u.text: delta.vectors[row] for row, u in enumerate(delta.units)})
        return assemble(searcher.corpus, vectors, self._embedder, journal_seq=snapshot.seq)

    def close(self) -> None:
        """Checkpoint what the folder lacks, then close the journal."""
        self._closed = True
        try:
            self.checkpoint()
        finally:
            with self._write_lock:
                self.journal.close()
            self._locks.release()
