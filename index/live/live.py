"""The live index: articles added and deleted while lookups go on.

A :class:`LiveIndex` holds one immutable :class:`Snapshot` (a
:class:`~index.search.browse.LoadedIndex`: the searcher and its browse views). Lookups take
the current snapshot and never wait for a write nor see half of one. Writes are serialised by
one lock; each builds a new snapshot beside the current one (copy on write), records the
change in the journal (:mod:`index.live.journal`) and then swaps the snapshot reference. A
write is acknowledged after both, so an acknowledged article is durable and searchable.

A write costs the write, not the corpus (:mod:`index.live.writes`): it analyses only the new
articles, embeds only texts never seen, regroups only the statements the new or deleted
quotes reach (:class:`~index.group.incremental.IncrementalGrouping`), and puts those statements,
whole, in a small *delta* beside the base folder (:mod:`index.live.segments`): units, vectors in
an exact flat FAISS index, ranking tables, and a tombstone for the base statement each
replaces. Lookups search both and merge the candidates before ranking, with the term
statistics of the whole current corpus, so they answer as one index over the same quotes.

A checkpoint is the merge: it folds the delta into a new base folder in the background
(assembling units, FAISS, terms and tables over the whole corpus, and recalibrating the
no-match threshold), without holding up lookups or writes; writes made meanwhile stay in the
delta, rebased on the new folder when it is swapped in. :meth:`LiveIndex.checkpoint_due` asks
for one when the delta passes ``merge_rows`` unit rows, or after the journal rows or seconds
the service configures.

Checkpoints write the current snapshot as an index folder (:func:`index.store.folder.write_index`,
atomic) with the last journal ``seq`` it holds in its manifest. On start, the folder is loaded
and the journal rows after that ``seq`` are replayed: a crash at any moment leaves a loadable
folder and loses nothing that was acknowledged.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np

from index.build import TextVectors, assemble
from index.embed.protocol import Embedder
from index.live.journal import JournalError, content_hash
from index.live.kept import KeptJournal
from index.live.plan import (
    ArticleRejectedError,
    ContentHashes,
    Outcome,
    plan_ingest,
)
from index.live.segments import SegmentedSearcher
from index.live.writes import Writes
from index.models import Article
from index.search.browse import LoadedIndex
from index.search.searcher import Searcher
from index.store.folder import IndexData, load_index, remove_stale_staging, write_index

log = logging.getLogger("whosaid.index")

# A merge is due when the delta holds this many unit rows (WHOSAID_MERGE_ROWS).
MERGE_ROWS = 20_000


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent state of the index: never changed once published."""

    seq: int  # the last journal row it holds
    view: LoadedIndex  # the searcher (base folder and delta) and its browse views
    hashes: Mapping[str, str]  # content hash -> article id

    @property
    def searcher(self) -> Searcher:
        return self.view.searcher


class LiveIndex:
    """Lookups on the current snapshot; serialised writes that journal, update and swap."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        folder: Path,
        journal: Path,
        merge_rows: int = MERGE_ROWS,
    ) -> None:
        self.folder = Path(folder)
        self.journal_path = Path(journal)
        self.journal = KeptJournal(self.journal_path)
        self.merge_rows = merge_rows
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
        journal: Path,
        embedder: Embedder,
        merge_rows: int = MERGE_ROWS,
    ) -> LiveIndex:
        """Load the index folder, replay the journal rows it lacks, and checkpoint if any."""
        for stale in remove_stale_staging(folder):
            log.info("removed %s, left by an interrupted checkpoint", stale)
        started = time.perf_counter()
        loaded = load_index(folder)
        opened = time.perf_counter()
        searcher = Searcher(loaded, embedder)
        live = cls(searcher, folder=folder, journal=journal, merge_rows=merge_rows)
        # Both parts, machine-readable: bench/startup.py reads them from the log.
        log.info(
            "opened %s: load_index_s=%.3f searcher_s=%.3f",
            folder,
            opened - started,
            time.perf_counter() - opened,
        )
        replayed = live.replay()
        if replayed:
            log.info("replayed %d journal rows from %s", replayed, live.journal_path)
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

        with self._write_lock:
            base = self._snapshot
            outcomes, fresh = plan_ingest(base.searcher, base.hashes, articles)
            if not fresh:
                return outcomes, base.view
            for article in fresh:
                reason = refusal(article)
                if reason is not None:
                    raise ArticleRejectedError(article.id, reason)
            self.journal.check()
            seq = self.journal.record(puts=fresh, floor=base.seq)
            self._apply(frozenset(), fresh, seq)
            return outcomes, self._snapshot.view

    def delete(self, article_id: str) -> LoadedIndex | None:
        """Remove an article and its quotes, regrouping the statements they were in; return
        the view without it, or None when the index does not hold that id."""
        with self._write_lock:
            base = self._snapshot
            if base.searcher.article(article_id) is None:
                return None
            self.journal.check()
            seq = self.journal.record(deletes=[article_id], floor=base.seq)
            self._apply(frozenset({article_id}), (), seq)
            return self._snapshot.view

    def _apply(self, remove: Collection[str], add: Sequence[Article], seq: int) -> None:
        """Change the writes' state and publish the snapshot that holds it (write lock held).

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
        self._publish(seq)

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

    def _replay(self) -> int:
        base = self._snapshot
        expected = self._writes.base.manifest.journal_seq
        if not self.journal_path.exists():
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
        entries = self.journal.since(base.seq)
        if not entries:
            return 0
        remove: set[str] = set()
        add: list[Article] = []
        for entry in entries:  # one row per id, in the order of their last change
            held = base.searcher.article(entry.article_id)
            if (
                held is not None
                and entry.article is not None
                and content_hash(held) == content_hash(entry.article)
            ):
                continue
            if held is not None:
                remove.add(entry.article_id)
            if entry.article is not None:
                add.append(entry.article)
        seq = entries[-1].seq
        if remove:
            self._writes.remove(frozenset(remove), seq)
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
        go on meanwhile; the writes made during the merge stay in the delta."""
        with self._checkpoint_lock:
            snapshot = self._snapshot
            if snapshot.seq == self._checkpointed:
                return False
            started = time.perf_counter()
            data = self._merged(snapshot)
            write_index(self.folder, data, encoder_files=self._embedder.info.files)
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
        try:
            self.checkpoint()
        finally:
            with self._write_lock:
                self.journal.close()
