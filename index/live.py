"""The live index: articles added and deleted while lookups go on.

A :class:`LiveIndex` holds one immutable :class:`Snapshot` (a :class:`~index.search.Searcher`
and what it was built from). Lookups take the current snapshot and never wait for a write nor
see half of one. Writes are serialised by one lock; each builds a new snapshot beside the
current one (copy on write), records the change in the journal (:mod:`index.journal`) and
then swaps the snapshot reference. A write is acknowledged after both, so an acknowledged
article is durable and searchable.

Building a snapshot for added articles:

1. analyse only the new articles (:func:`index.pipeline.analyse`) and merge their speakers
   into the index's by canonical name (:func:`index.speakers.merge_speakers`);
2. embed only texts the index has no vector for (vectors are kept per text, so quotes and
   sentences already indexed are never embedded again);
3. regroup every quote (:func:`index.group.group_variants`) with the kept vectors, so a new
   variant joins its statement and a deleted one leaves it;
4. rebuild the search units, the FAISS index and the term statistics.

Steps 3 and 4 grow with the whole corpus, not with the write: measured with the hash embedder
on 2 cores, a write takes about 0.6 s over 1,000 quotes and 8 s over 5,000 quotes of much
repeated statements (the fragment search of the grouping dominates). Writes queue behind each
other meanwhile, lookups do not. Beyond some thousands of quotes this needs incremental
grouping (regrouping only the statements the new quotes can touch). The no-match threshold is
recalibrated at each checkpoint, not at each write.

Checkpoints write the current snapshot as an index folder (:func:`index.store.write_index`,
atomic) with the last journal ``seq`` it holds in its manifest. On start, the folder is loaded
and the journal rows after that ``seq`` are replayed: a crash at any moment leaves a loadable
folder and loses nothing that was acknowledged.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import msgspec
import numpy as np

from index.articles import checksum
from index.build import embed_texts, searchable
from index.calibrate import calibrate, null_scores
from index.embed import Embedder, Encoder
from index.errors import WhosaidError
from index.group import group_variants
from index.journal import Journal, content_hash
from index.models import Article, Corpus, Quote
from index.rank_tables import RankTables
from index.search import Searcher
from index.speakers import merge_speakers
from index.store import (
    Counts,
    IndexFolder,
    load_index,
    now_iso,
    remove_stale_staging,
    write_index,
)
from index.units import quote_units

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from spacy.language import Language

V = TypeVar("V")
IngestStatus = Literal["created", "unchanged"]
log = logging.getLogger("whosaid.index")


class ArticleConflictError(WhosaidError):
    """An article id the index already holds, sent with another outlet or text."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(
            f"article {article_id!r} is already indexed with another outlet or text; "
            "delete it first to replace it"
        )


class ArticleRejectedError(WhosaidError):
    """An article the text stages would take far too long on (:func:`index.pipeline.refusal`)."""

    def __init__(self, article_id: str, reason: str) -> None:
        self.article_id = article_id
        super().__init__(f"article {article_id!r} is not taken: {reason}")


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one article sent for ingest.

    ``article_id`` is the article that holds its content: the id sent, or, for content
    already indexed under another id, that id.
    """

    requested_id: str
    article_id: str
    status: IngestStatus


class BoundedEmbedder:
    """An embedder that runs at most ``slots`` encodes at once, whichever snapshot or writer
    asks.

    On 2 cores, two concurrent query encodes gave about 50% more lookups a second than an
    unbounded thread pool (more contend for the cores and the cache). Writers encode in
    batches, so lookups get their turn between them.
    """

    def __init__(self, embedder: Embedder, *, slots: int = 2) -> None:
        self._embedder = embedder
        self._slots = threading.BoundedSemaphore(max(1, slots))

    @property
    def name(self) -> str:
        return self._embedder.name

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    @property
    def encoder(self) -> Encoder:
        return self._embedder.encoder

    @property
    def files(self) -> tuple[Path, ...]:
        return self._embedder.files

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        with self._slots:
            return self._embedder.encode(texts, batch_size=batch_size)


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot(Generic[V]):
    """One consistent state of the index: never changed once published."""

    seq: int  # the last journal row it holds
    searcher: Searcher  # its ranker holds the units, vectors, FAISS index and terms
    hashes: Mapping[str, str]  # content hash -> article id
    view: V  # what the caller derives from the searcher (the service's browse views)


class _ContentHashes(Mapping[str, str]):
    """Content hash -> article id, worked out on first use (the first write), not when the
    index opens: hashing every article of a large corpus takes a while, and a server that only
    reads never needs it."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = articles
        self._lock = threading.Lock()
        self._hashes: dict[str, str] | None = None

    def _mapping(self) -> dict[str, str]:
        with self._lock:
            if self._hashes is None:
                self._hashes = {content_hash(a): a.id for a in self._articles}
            return self._hashes

    def __getitem__(self, digest: str) -> str:
        return self._mapping()[digest]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


def _language() -> Language:
    from index.language import load_language

    return load_language()


class LiveIndex(Generic[V]):
    """Lookups on the current snapshot; serialised writes that journal, rebuild and swap."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        folder: Path,
        journal: Path,
        make_view: Callable[[Searcher], V],
    ) -> None:
        self.folder = Path(folder)
        self.journal_path = Path(journal)
        self._journal: Journal | None = None
        self._make_view = make_view
        self._embedder = searcher.embedder
        self._calibration = searcher.manifest.calibration
        self._write_lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()
        seq = searcher.manifest.journal_seq
        self._snapshot: Snapshot[V] = Snapshot(
            seq=seq,
            searcher=searcher,
            hashes=_ContentHashes(searcher.corpus.articles),
            view=make_view(searcher),
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
        make_view: Callable[[Searcher], V],
    ) -> LiveIndex[V]:
        """Load the index folder, replay the journal rows it lacks, and checkpoint if any."""
        for stale in remove_stale_staging(folder):
            log.info("removed %s, left by an interrupted checkpoint", stale)
        started = time.perf_counter()
        loaded = load_index(folder)
        opened = time.perf_counter()
        searcher = Searcher(loaded, embedder)
        live = cls(searcher, folder=folder, journal=journal, make_view=make_view)
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
    def snapshot(self) -> Snapshot[V]:
        """The current snapshot; hold on to it for a consistent view across several reads."""
        return self._snapshot

    @property
    def current(self) -> V:
        return self._snapshot.view

    @property
    def seq(self) -> int:
        return self._snapshot.seq

    # ------------------------------------------------------------------------ writing

    def ingest(self, articles: Sequence[Article]) -> tuple[tuple[Outcome, ...], V]:
        """Add articles; return what became of each and the view that holds them all.

        An id already held with the same outlet and text, or a text already held under
        another id, is ``unchanged``; an id held with other content raises
        :class:`ArticleConflictError`, an article far too costly to analyse raises
        :class:`ArticleRejectedError`, and then nothing of the batch is added.
        """
        from index.pipeline import refusal

        with self._write_lock:
            base = self._snapshot
            outcomes, fresh = _plan(base, articles)
            if not fresh:
                return outcomes, base.view
            for article in fresh:
                reason = refusal(article)
                if reason is not None:
                    raise ArticleRejectedError(article.id, reason)
            built = self._build(base, frozenset(), fresh)
            seq = self._journal_of().record(puts=fresh, floor=base.seq)
            self._snapshot = dataclasses.replace(built, seq=seq)
            return outcomes, built.view

    def delete(self, article_id: str) -> V | None:
        """Remove an article and its quotes, regrouping the statements they were in; return
        the view without it, or None when the index does not hold that id."""
        with self._write_lock:
            base = self._snapshot
            if base.searcher.article(article_id) is None:
                return None
            built = self._build(base, frozenset({article_id}), ())
            seq = self._journal_of().record(deletes=[article_id], floor=base.seq)
            self._snapshot = dataclasses.replace(built, seq=seq)
            return built.view

    def replay(self) -> int:
        """Apply the journal rows after the current snapshot's ``seq``; return how many."""
        if not self.journal_path.exists():
            return 0
        with self._write_lock:
            base = self._snapshot
            entries = list(self._journal_of().since(base.seq))
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
            built = self._build(base, frozenset(remove), add)
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
        False when the folder already holds it. Writes go on meanwhile."""
        with self._checkpoint_lock:
            snapshot = self._snapshot
            if snapshot.seq == self._checkpointed:
                return False
            searcher = snapshot.searcher
            calibration = calibrate(null_scores(searcher.ranker))
            manifest = msgspec.structs.replace(
                searcher.manifest,
                calibration=calibration,
                journal_seq=snapshot.seq,
                created=now_iso(),
            )
            write_index(
                self.folder,
                manifest=manifest,
                corpus=searcher.corpus,
                units=searcher.ranker.units,
                terms=searcher.ranker.terms,
                faiss_index=searcher.ranker.faiss_index,
                vectors=searcher.ranker.vectors,
                tables=searcher.ranker.tables,
                encoder_files=self._embedder.files,
            )
            self._calibration = calibration
            self._checkpointed = snapshot.seq
            self._checkpointed_at = time.monotonic()
            log.info("checkpoint: %s holds journal rows up to %d", self.folder, snapshot.seq)
            return True

    def close(self) -> None:
        """Checkpoint what the folder lacks, then close the journal."""
        try:
            self.checkpoint()
        finally:
            with self._write_lock:
                if self._journal is not None:
                    self._journal.close()
                    self._journal = None

    # ------------------------------------------------------------------------ building

    def _journal_of(self) -> Journal:
        if self._journal is None:
            self._journal = Journal(self.journal_path)
        return self._journal

    def _build(
        self, base: Snapshot[V], remove: Collection[str], add: Sequence[Article]
    ) -> Snapshot[V]:
        """A new snapshot: ``base`` without the articles ``remove`` names, with ``add``."""
        corpus = base.searcher.corpus
        articles = [a for a in corpus.articles if a.id not in remove]
        quotes = [q for q in corpus.quotes if q.article_id not in remove]
        speakers = corpus.speakers
        if add:
            from index.pipeline import analyse

            analysed = analyse(add, _language())
            speakers, renamed = merge_speakers(speakers, analysed.speakers)
            quotes.extend(_renamed(quote, renamed) for quote in analysed.quotes)
            articles.extend(add)
        used = {q.speaker for q in quotes} | {q.reported_speaker for q in quotes}
        speakers = tuple(s for s in speakers if s.id in used)

        ranker = base.searcher.ranker
        known = {unit.text: row for row, unit in enumerate(ranker.units)}
        vector_of = _Vectors(self._embedder, ranker.vectors, known)
        quote_vectors = vector_of.rows([q.text for q in quotes])
        groups = group_variants(articles, quotes, quote_vectors)
        group_of = {v.quote_id: group.id for group in groups for v in group.variants}
        units = quote_units(quotes, group_of)
        vectors = vector_of.rows([unit.text for unit in units])
        factory, params, faiss_index, terms = searchable(quotes, units, vectors)

        new_corpus = Corpus(
            articles=tuple(articles), quotes=tuple(quotes), speakers=speakers, groups=groups
        )
        manifest = msgspec.structs.replace(
            base.searcher.manifest,
            faiss_factory=factory,
            faiss_params=params,
            counts=Counts(
                articles=len(articles),
                quotes=len(quotes),
                speakers=len(speakers),
                groups=len(groups),
                vectors=len(units),
            ),
            input_checksum=checksum(articles),
            created=now_iso(),
            calibration=self._calibration,
        )
        folder = IndexFolder(
            folder=self.folder,
            manifest=manifest,
            corpus=new_corpus,
            units=units,
            terms=terms,
            faiss_index=faiss_index,
            vectors=vectors,
            tables=RankTables.build(units),
        )
        searcher = Searcher(folder, self._embedder)
        hashes = {h: i for h, i in base.hashes.items() if i not in remove}
        hashes.update((content_hash(article), article.id) for article in add)
        return Snapshot(
            seq=base.seq,
            searcher=searcher,
            hashes=hashes,
            view=self._make_view(searcher),
        )


class _Vectors:
    """Vectors by text: the base snapshot's rows, and new texts embedded once, in batches."""

    def __init__(
        self, embedder: Embedder, base: NDArray[np.float32], known: Mapping[str, int]
    ) -> None:
        self._embedder = embedder
        self._base = base
        self._known = known
        self._new: dict[str, NDArray[np.float32]] = {}

    def rows(self, texts: Sequence[str]) -> NDArray[np.float32]:
        missing = list(
            dict.fromkeys(t for t in texts if t not in self._known and t not in self._new)
        )
        if missing:
            embedded = embed_texts(self._embedder, missing)
            self._new.update(zip(missing, embedded, strict=True))
        out = np.zeros((len(texts), self._embedder.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            known = self._known.get(text)
            out[row] = self._base[known] if known is not None else self._new[text]
        return out


def _renamed(quote: Quote, renamed: Mapping[str, str]) -> Quote:
    speaker = renamed.get(quote.speaker) if quote.speaker else None
    reported = renamed.get(quote.reported_speaker) if quote.reported_speaker else None
    return msgspec.structs.replace(quote, speaker=speaker, reported_speaker=reported)


def _plan(
    base: Snapshot[Any], articles: Sequence[Article]
) -> tuple[tuple[Outcome, ...], list[Article]]:
    """What to do with each article of a batch: the outcomes, and the articles to add."""
    outcomes: list[Outcome] = []
    fresh: list[Article] = []
    batch_ids: dict[str, str] = {}  # id -> content hash, for this batch
    batch_hashes: dict[str, str] = {}  # content hash -> id, for this batch
    for article in articles:
        digest = content_hash(article)
        held = base.searcher.article(article.id)
        held_digest = content_hash(held) if held is not None else batch_ids.get(article.id)
        if held_digest is not None:
            if held_digest != digest:
                raise ArticleConflictError(article.id)
            outcomes.append(
                Outcome(requested_id=article.id, article_id=article.id, status="unchanged")
            )
            continue
        owner = base.hashes.get(digest) or batch_hashes.get(digest)
        if owner is not None:
            outcomes.append(Outcome(requested_id=article.id, article_id=owner, status="unchanged"))
            continue
        fresh.append(article)
        batch_ids[article.id] = digest
        batch_hashes[digest] = article.id
        outcomes.append(Outcome(requested_id=article.id, article_id=article.id, status="created"))
    return tuple(outcomes), fresh
