"""Building an index: analyse → embed → group → units → search structures → calibrate → store.

:func:`assemble` is the one build: it turns an analysed and grouped corpus into the
:class:`~index.store.folder.IndexData` that lookups search and that an index folder stores
(units, vectors, the FAISS index, term statistics, ranking tables and the manifest). Both
``whosaid build`` (:func:`build_index`, :func:`index_corpus`) and the live index
(:mod:`index.live.live`) go through it; they differ only in where vectors come from
(:class:`TextVectors` embeds each text once and reuses those it was given) and in whether the
no-match threshold is recalibrated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from index.articles import checksum
from index.embed.protocol import Embedder
from index.models import Article, Corpus
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
    articles: Sequence[Article], out: Path, embedder: Embedder, *, progress: bool = False
) -> Manifest:
    """Analyse the articles, group their quotes and write an index folder at ``out``."""
    from tqdm import tqdm

    from index.analyse.pipeline import analyse
    from index.group.group import group_variants

    with tqdm(total=3, desc="build", unit="stage", disable=not progress) as stages:
        stages.set_postfix_str(f"analysing {len(articles)} articles")
        corpus = analyse(articles, progress=progress)
        stages.update()
        stages.set_postfix_str(f"embedding {len(corpus.quotes)} quotes")
        vectors = TextVectors(embedder, progress=progress)
        quote_vectors = vectors.rows([quote.text for quote in corpus.quotes], desc="embed")
        stages.update()
        stages.set_postfix_str("grouping, calibrating, writing")
        groups = group_variants(articles, corpus.quotes, quote_vectors)
        corpus = msgspec.structs.replace(corpus, groups=groups)
        index = assemble(corpus, vectors, embedder, progress=progress)
        write_index(out, index, encoder_files=embedder.info.files)
        stages.update()
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
