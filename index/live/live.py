"""The live index: articles added and deleted while lookups go on.

A :class:`LiveIndex` holds one immutable :class:`Snapshot` (a
:class:`~index.search.browse.LoadedIndex`: the searcher and its browse views). Lookups take
the current snapshot and never wait for a write nor see half of one. Writes are serialised by
one lock; each builds a new snapshot beside the current one (copy on write), records the
change in the journal (:mod:`index.live.journal`) and then swaps the snapshot reference. A
write is acknowledged after both, so an acknowledged article is durable and searchable.

Building a snapshot for added articles:

1. analyse only the new articles (:func:`index.analyse.pipeline.analyse`) and merge their
   speakers into the index's by canonical name (:func:`index.analyse.speakers.merge_speakers`);
2. embed only texts the index has no vector for (vectors are kept per text, so quotes and
   sentences already indexed are never embedded again);
3. regroup every quote (:func:`index.group.group.group_variants`) with the kept vectors, so a new
   variant joins its statement and a deleted one leaves it;
4. rebuild the search units, the FAISS index and the term statistics through the same
   :func:`index.build.assemble` that ``whosaid build`` uses.

Steps 3 and 4 grow with the whole corpus, not with the write (about 0.6 s over 1,000 quotes,
8 s over 5,000, with the hash embedder on 2 cores); lookups do not wait meanwhile.

Several writers (worker processes, replicas on a PostgreSQL journal) share one journal. Each
applies the others' rows (:meth:`LiveIndex.follow`, and before each write), records with the
last row it has applied, and plans again when the journal says another writer raced it.

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
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TypeVar

import msgspec

from index.analyse.speakers import merge_speakers
from index.build import TextVectors, assemble
from index.embed.protocol import Embedder
from index.group.group import group_variants
from index.live.journal import JournalError, JournalRaceError, content_hash
from index.live.kept import JournalLocation, KeptJournal, shown
from index.live.locks import FolderLocks
from index.live.plan import (
    ArticleRejectedError,
    ContentHashes,
    Outcome,
    plan_ingest,
    plan_replay,
)
from index.live.snapshot import Snapshot, applied_seq, language, renamed_quote
from index.models import Article, Corpus
from index.search.browse import LoadedIndex
from index.search.calibrate import calibrate, null_scores
from index.search.searcher import Searcher
from index.store.folder import load_index, remove_stale_staging, write_index
from index.store.manifest import now_iso

log = logging.getLogger("whosaid.index")

T = TypeVar("T")

# How often a write is planned again after another writer raced it before it gives up.
RACE_RETRIES = 5


class LiveIndex:
    """Lookups on the current snapshot; serialised writes that journal, rebuild and swap."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        folder: Path,
        journal: JournalLocation,
        locks: FolderLocks | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.journal = KeptJournal(journal)
        self._locks = locks or FolderLocks(self.folder)
        self._closed = False
        self._embedder = searcher.embedder
        self._calibration = searcher.manifest.calibration
        self._write_lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()
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
        live = cls(searcher, folder=folder, journal=journal, locks=locks)
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

    # ------------------------------------------------------------------------ writing

    def ingest(self, articles: Sequence[Article]) -> tuple[tuple[Outcome, ...], LoadedIndex]:
        """Add articles; return what became of each and the view that holds them all.

        An id already held with the same outlet and text, or a text already held under
        another id, is ``unchanged``; an id held with other content raises
        :class:`ArticleConflictError`, an article far too costly to analyse raises
        :class:`ArticleRejectedError`, and then nothing of the batch is added. Rows another
        writer (worker or replica) recorded are applied first, and again if one races this
        write: the plan is always made against everything journaled before it.
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
        returns, the articles to put and the ids to delete), build, journal, swap; plan again
        when another writer raced it."""
        with self._write_lock:
            for attempt in range(RACE_RETRIES):
                self._replay_locked()
                base = self._snapshot
                result, puts, deletes = plan(base)
                if not puts and not deletes:
                    return result, base.view
                self.journal.check()
                built = self._build(base, frozenset(deletes), puts)
                try:
                    seq = self.journal.record(
                        puts=puts, deletes=deletes, floor=base.seq, seen=base.seq
                    )
                except JournalRaceError:
                    if attempt + 1 == RACE_RETRIES:
                        raise
                    continue
                written = len(puts) + len(deletes)
                self._snapshot = dataclasses.replace(built, seq=applied_seq(base, seq, written))
                return result, built.view
        raise AssertionError("unreachable")

    def replay(self) -> int:
        """Apply the journal rows after the current snapshot's ``seq``; return how many."""
        with self._write_lock:
            return self._replay_locked()

    def follow(self, wait: float) -> int:
        """Wait up to ``wait`` seconds for rows another writer records (a notification from
        PostgreSQL, a poll of SQLite), then apply any; return how many rows were read."""
        self.journal.wait(wait)
        if self._closed or not self.journal.exists():
            return 0
        if self.journal.last_seq() <= self._snapshot.seq:
            return 0
        return self.replay()

    def _replay_locked(self) -> int:
        base = self._snapshot
        expected = base.searcher.manifest.journal_seq
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
        built = self._build(base, remove, add) if remove or add else base
        self._snapshot = dataclasses.replace(built, seq=entries[-1].seq)
        return len(entries)

    # ------------------------------------------------------------------------ checkpoints

    def checkpoint_due(self, *, rows: int, seconds: float) -> bool:
        """Whether ``rows`` journal rows, or any rows ``seconds`` after the last checkpoint,
        wait to be written to the folder."""
        pending = self._snapshot.seq - self._checkpointed
        elapsed = time.monotonic() - self._checkpointed_at
        return pending > 0 and (pending >= rows or elapsed >= seconds)

    def checkpoint(self) -> bool:
        """Write the current snapshot to the folder (recalibrating the no-match threshold);
        False when the folder already holds it, or another worker process is its writer.
        Writes go on meanwhile."""
        with self._checkpoint_lock:
            snapshot = self._snapshot
            if snapshot.seq == self._checkpointed or not self._locks.try_become_writer():
                return False
            searcher = snapshot.searcher
            calibration = calibrate(null_scores(searcher.ranker))
            manifest = msgspec.structs.replace(
                searcher.manifest,
                calibration=calibration,
                journal_seq=snapshot.seq,
                created=now_iso(),
            )
            data = msgspec.structs.replace(searcher.data, manifest=manifest)
            with self._locks.swapping():
                write_index(self.folder, data, encoder_files=self._embedder.info.files)
            self._calibration = calibration
            self._checkpointed = snapshot.seq
            self._checkpointed_at = time.monotonic()
            log.info("checkpoint: %s holds journal rows up to %d", self.folder, snapshot.seq)
            return True

    def close(self) -> None:
        """Checkpoint what the folder lacks, then close the journal."""
        self._closed = True
        try:
            self.checkpoint()
        finally:
            with self._write_lock:
                self.journal.close()
            self._locks.release()

    # ------------------------------------------------------------------------ building

    def _build(self, base: Snapshot, remove: Collection[str], add: Sequence[Article]) -> Snapshot:
        """A new snapshot: ``base`` without the articles ``remove`` names, with ``add``."""
        corpus = base.searcher.corpus
        articles = [a for a in corpus.articles if a.id not in remove]
        quotes = [q for q in corpus.quotes if q.article_id not in remove]
        speakers = corpus.speakers
        if add:
            from index.analyse.pipeline import analyse

            analysed = analyse(add, language())
            speakers, renamed = merge_speakers(speakers, analysed.speakers)
            quotes.extend(renamed_quote(quote, renamed) for quote in analysed.quotes)
            articles.extend(add)
        used = {q.speaker for q in quotes} | {q.reported_speaker for q in quotes}
        speakers = tuple(s for s in speakers if s.id in used)

        ranker = base.searcher.ranker
        known = {unit.text: row for row, unit in enumerate(ranker.units)}
        vectors = TextVectors(self._embedder, ranker.vectors, known)
        groups = group_variants(articles, quotes, vectors.rows([q.text for q in quotes]))
        grouped = Corpus(
            articles=tuple(articles), quotes=tuple(quotes), speakers=speakers, groups=groups
        )
        data = assemble(
            grouped,
            vectors,
            self._embedder,
            calibration=self._calibration,
            journal_seq=base.searcher.manifest.journal_seq,
        )
        data = msgspec.structs.replace(data, folder=self.folder)
        hashes = {h: i for h, i in base.hashes.items() if i not in remove}
        hashes.update((content_hash(article), article.id) for article in add)
        return Snapshot(
            seq=base.seq, view=LoadedIndex(Searcher(data, self._embedder)), hashes=hashes
        )
