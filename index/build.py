"""Building an index: analyse → embed → group → units → search structures → calibrate → store.

:func:`assemble` is the one build: it turns an analysed and grouped corpus into the
:class:`~index.store.folder.IndexData` that lookups search and that an index folder stores
(units, vectors, the FAISS index, term statistics, ranking tables and the manifest). Both
``whosaid build`` (:func:`build_index`, :func:`index_corpus`) and the live index
(:mod:`index.live.live`) go through it; they differ only in where vectors come from
(:class:`TextVectors` embeds each text once and reuses those it was given) and in whether the
no-match threshold is recalibrated.

``whosaid build`` has two engines, one build. Both analyse each article with
:func:`~index.analyse.pipeline.analyse_article`, join the attributions with
:func:`~index.analyse.pipeline.resolve_corpus`, embed the batches :func:`embedding_batches`
plans with :func:`embed_batch`, and hand the corpus to :func:`write_build` (group, assemble,
write). The single-process engine (:func:`build_index`) runs those calls in a loop; the Ray
engine (:mod:`index.distribute`) runs the per-article and per-batch ones on a cluster's actors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from index.articles import checksum
from index.embed.protocol import Embedder
from index.models import Article, Corpus, Quote
from index.search.calibrate import calibrate, null_scores
from index.search.ranking import Ranker
from index.store.ann import choose_factory, new_faiss_index
from index.store.folder import IndexData, write_index
from index.store.manifest import (
    FORMAT_VERSION,
    Calibration,
    Counts,
    Manifest,
    ModelInfo,
    builder_version,
    now_iso,
)
from index.store.tables import RankTables
from index.store.units import quote_units
from index.text.terms import TermStats, document_terms

if TYPE_CHECKING:
    from numpy.typing import NDArray

BATCH = 64
log = logging.getLogger("whosaid.build")


def embed_texts(
    embedder: Embedder, texts: Sequence[str], *, progress: bool = False, desc: str = "embed"
) -> NDArray[np.float32]:
    """Embed texts in batches (one progress step per batch); one float32 row per text."""
    if not texts:
        return np.zeros((0, embedder.info.dimension), dtype=np.float32)
    starts = range(0, len(texts), BATCH)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=desc, unit="batch", leave=False)
    parts = [embedder.encode(texts[start : start + BATCH], batch_size=BATCH) for start in starts]
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def embed_batch(embedder: Embedder, texts: Sequence[str]) -> NDArray[np.float32]:
    """One batch (at most :data:`BATCH` texts) embedded; one float32 row per text."""
    return np.ascontiguousarray(embedder.encode(list(texts), batch_size=BATCH), dtype=np.float32)


def embedding_batches(quotes: Sequence[Quote]) -> list[list[str]]:
    """Every text a build embeds, in the batches it embeds them: the distinct quote texts, then
    the distinct sentences of long quotes (their search units) that are no quote's text, each
    :data:`BATCH` at a time. Every engine embeds exactly these batches, so an int8 encoder,
    whose scales depend on the batch, makes the same vectors in each."""
    texts = list(dict.fromkeys(quote.text for quote in quotes))
    seen = set(texts)
    every_group = {quote.id: "" for quote in quotes}
    sentences = [u.text for u in quote_units(quotes, every_group) if u.text not in seen]
    batches: list[list[str]] = []
    for part in (texts, list(dict.fromkeys(sentences))):
        batches.extend(part[start : start + BATCH] for start in range(0, len(part), BATCH))
    return batches


Embed = Callable[[Sequence[Sequence[str]]], Sequence["NDArray[np.float32]"]]


# The stages of a build, in order, as StageClock counts them.
STAGES = ("analyse", "embed", "group", "index", "write")


class StageClock:
    """Seconds per build stage, logged with their throughput when the build ends; with
    ``progress``, a bar counts the stages and names the one running."""

    def __init__(self, *, progress: bool = False) -> None:
        self.seconds: dict[str, float] = {}
        self._bar: Any = None
        if progress:
            from tqdm import tqdm

            self._bar = tqdm(total=len(STAGES), desc="build", unit="stage", leave=False)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.set_postfix_str(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            if self._bar is not None:
                self._bar.update()
                if name == STAGES[-1]:
                    self._bar.close()

    def report(self, quotes: int) -> str:
        """One line: each stage's seconds and share, and the build's quotes per second."""
        total = sum(self.seconds.values()) or 1e-9
        parts = ", ".join(
            f"{name} {seconds:.1f} s ({seconds / total:.0%})"
            for name, seconds in self.seconds.items()
        )
        return f"{quotes} quotes in {total:.1f} s, {quotes / total:.1f} quotes/s: {parts}"


class TextVectors:
    """Vectors by text: rows already made (``known`` text -> row of ``base``), and new texts
    embedded once, in batches, the first time they are asked for."""

    def __init__(
        self,
        embedder: Embedder,
        base: NDArray[np.float32] | None = None,
        known: Mapping[str, int] | None = None,
        *,
        progress: bool = False,
    ) -> None:
        self._embedder = embedder
        self._base = base if base is not None else np.zeros((0, embedder.info.dimension))
        self._known = known or {}
        self._new: dict[str, NDArray[np.float32]] = {}
        self._progress = progress

    @classmethod
    def of(
        cls,
        embedder: Embedder,
        batches: Sequence[Sequence[str]],
        parts: Sequence[NDArray[np.float32]],
    ) -> TextVectors:
        """The vectors of planned ``batches``, embedded as ``parts`` (one array per batch)."""
        texts = [text for batch in batches for text in batch]
        dimension = embedder.info.dimension
        base = np.vstack(parts) if parts else np.zeros((0, dimension), dtype=np.float32)
        if len(base) != len(texts):
            raise ValueError(f"{len(texts)} texts planned but {len(base)} vectors embedded")
        return cls(
            embedder,
            np.ascontiguousarray(base, dtype=np.float32),
            {t: r for r, t in enumerate(texts)},
        )

    def keep(self, vectors: Mapping[str, NDArray[np.float32]]) -> None:
        """Take these texts' vectors as made (a live index's delta holds them)."""
        self._new.update((text, row) for text, row in vectors.items() if text not in self._known)

    def rows(self, texts: Sequence[str], *, desc: str = "embed") -> NDArray[np.float32]:
        """One row per text, in order."""
        missing = list(
            dict.fromkeys(t for t in texts if t not in self._known and t not in self._new)
        )
        if missing:
            embedded = embed_texts(self._embedder, missing, progress=self._progress, desc=desc)
            self._new.update(zip(missing, embedded, strict=True))
        out = np.zeros((len(texts), self._embedder.info.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            known = self._known.get(text)
            out[row] = self._base[known] if known is not None else self._new[text]
        return out


def assemble(
    corpus: Corpus,
    vectors: TextVectors,
    embedder: Embedder,
    *,
    calibration: Calibration | None = None,
    journal_seq: int = 0,
    progress: bool = False,
) -> IndexData:
    """Everything lookups need over a grouped corpus, with its manifest.

    ``calibration`` keeps a threshold already fitted (the live index recalibrates at
    checkpoints, not at each write); without it, the threshold is fitted here.
    """
    group_of = {variant.quote_id: group.id for group in corpus.groups for variant in group.variants}
    units = quote_units(corpus.quotes, group_of)
    unit_vectors = vectors.rows([unit.text for unit in units], desc="embed sentences")
    factory, params = choose_factory(len(units), embedder.info.dimension)
    faiss_index = new_faiss_index(unit_vectors, factory, params)
    terms = TermStats.of(document_terms(quote.text) for quote in corpus.quotes)
    tables = RankTables.build(units)
    if calibration is None:
        ranker = Ranker(units, unit_vectors, faiss_index, terms, tables=tables)
        calibration = calibrate(null_scores(ranker, progress=progress))
    info = embedder.info
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        builder_version=builder_version(),
        model=ModelInfo(name=info.name, dimension=info.dimension, encoder=info.encoder),
        faiss_factory=factory,
        faiss_params=params,
        counts=Counts.of(corpus, len(units)),
        input_checksum=checksum(corpus.articles),
        created=now_iso(),
        calibration=calibration,
        journal_seq=journal_seq,
    )
    return IndexData(
        manifest=manifest,
        corpus=corpus,
        units=units,
        terms=terms,
        faiss_index=faiss_index,
        vectors=unit_vectors,
        tables=tables,
    )


def build_index(
    articles: Sequence[Article],
    out: Path,
    embedder: Embedder,
    *,
    progress: bool = False,
    clock: StageClock | None = None,
) -> Manifest:
    """Analyse the articles, group their quotes and write an index folder at ``out``."""
    from tqdm import tqdm

    from index.analyse.pipeline import analyse

    clock = clock or StageClock(progress=progress)
    with clock.stage("analyse"):
        corpus = analyse(articles, progress=progress)

    def embed(batches: Sequence[Sequence[str]]) -> list[NDArray[np.float32]]:
        bar = tqdm(batches, desc="embed", unit="batch", leave=False, disable=not progress)
        return [embed_batch(embedder, batch) for batch in bar]

    return write_build(corpus, out, embedder, embed, clock=clock, progress=progress)


def write_build(
    corpus: Corpus,
    out: Path,
    embedder: Embedder,
    embed: Embed,
    *,
    clock: StageClock,
    progress: bool = False,
) -> Manifest:
    """The build after analysis, whichever engine ran it: embed the planned batches with
    ``embed``, group the quotes, assemble the index and write it to ``out`` (atomically)."""
    from index.group.group import group_variants

    with clock.stage("embed"):
        batches = embedding_batches(corpus.quotes)
        vectors = TextVectors.of(embedder, batches, embed(batches))
        quote_vectors = vectors.rows([quote.text for quote in corpus.quotes])
    with clock.stage("group"):
        groups = group_variants(corpus.articles, corpus.quotes, quote_vectors)
        corpus = msgspec.structs.replace(corpus, groups=groups)
    with clock.stage("index"):
        index = assemble(corpus, vectors, embedder, progress=progress)
    with clock.stage("write"):
        write_index(out, index, encoder_files=embedder.info.files)
    log.info("built %s: %s", out, clock.report(len(corpus.quotes)))
    return index.manifest


def index_corpus(
    corpus: Corpus,
    out: Path,
    embedder: Embedder,
    *,
    quote_vectors: NDArray[np.float32] | None = None,
    progress: bool = False,
) -> Manifest:
    """Write the index folder of an analysed and grouped corpus.

    ``quote_vectors`` (one row per ``corpus.quotes``, when already computed) are reused for
    the quote units, so only the sentences of long quotes are embedded again.
    """
    known: dict[str, int] = {}
    if quote_vectors is not None:
        known = {quote.text: row for row, quote in enumerate(corpus.quotes)}
    vectors = TextVectors(embedder, quote_vectors, known, progress=progress)
    index = assemble(corpus, vectors, embedder, progress=progress)
    write_index(out, index, encoder_files=embedder.info.files)
    return index.manifest
