"""Building an index folder from articles: analyse → embed → group → units → calibrate → store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from index import lexical
from index.articles import checksum
from index.calibrate import calibrate, null_scores
from index.embed import Embedder
from index.models import Article, Corpus, Quote
from index.ranking import Ranker
from index.store import (
    FORMAT_VERSION,
    Counts,
    Manifest,
    ModelInfo,
    builder_version,
    choose_factory,
    new_faiss_index,
    now_iso,
    write_index,
)
from index.units import Unit, quote_units

if TYPE_CHECKING:
    from numpy.typing import NDArray

BATCH = 64


def embed_texts(
    embedder: Embedder, texts: Sequence[str], *, progress: bool = False, desc: str = "embed"
) -> NDArray[np.float32]:
    """Embed texts in batches (one progress step per batch); one float32 row per text."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    starts = range(0, len(texts), BATCH)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=desc, unit="batch", leave=False)
    parts = [embedder.encode(texts[start : start + BATCH], batch_size=BATCH) for start in starts]
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def build_index(
    articles: Sequence[Article], out: Path, embedder: Embedder, *, progress: bool = False
) -> Manifest:
    """Analyse the articles, group their quotes and write an index folder at ``out``."""
    from tqdm import tqdm

    from index.group import group_variants
    from index.pipeline import analyse

    with tqdm(total=3, desc="build", unit="stage", disable=not progress) as stages:
        stages.set_postfix_str(f"analysing {len(articles)} articles")
        corpus = analyse(articles)
        stages.update()
        stages.set_postfix_str(f"embedding {len(corpus.quotes)} quotes")
        quote_vectors = embed_texts(
            embedder, [quote.text for quote in corpus.quotes], progress=progress, desc="embed"
        )
        stages.update()
        stages.set_postfix_str("grouping, calibrating, writing")
        groups = group_variants(articles, corpus.quotes, quote_vectors)
        corpus = msgspec.structs.replace(corpus, groups=groups)
        manifest = index_corpus(
            corpus, out, embedder, quote_vectors=quote_vectors, progress=progress
        )
        stages.update()
    return manifest


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
    group_of = {variant.quote_id: group.id for group in corpus.groups for variant in group.variants}
    units = quote_units(corpus.quotes, group_of)
    quote_row = {quote.id: row for row, quote in enumerate(corpus.quotes)}
    if quote_vectors is None:
        quote_vectors = embed_texts(
            embedder, [q.text for q in corpus.quotes], progress=progress, desc="embed quotes"
        )
    sentence_rows = [row for row, unit in enumerate(units) if unit.kind == "sentence"]
    sentence_vectors = embed_texts(
        embedder,
        [units[row].text for row in sentence_rows],
        progress=progress,
        desc="embed sentences",
    )
    vectors = np.zeros((len(units), embedder.dimension), dtype=np.float32)
    for row, unit in enumerate(units):
        if unit.kind == "quote":
            vectors[row] = quote_vectors[quote_row[unit.quote_id]]
    if sentence_rows:
        vectors[sentence_rows] = sentence_vectors

    factory, params, faiss_index, terms = searchable(corpus.quotes, units, vectors)
    ranker = Ranker(units, vectors, faiss_index, terms)
    calibration = calibrate(null_scores(ranker, progress=progress))
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        builder_version=builder_version(),
        model=ModelInfo(name=embedder.name, dimension=embedder.dimension, encoder=embedder.encoder),
        faiss_factory=factory,
        faiss_params=params,
        counts=Counts(
            articles=len(corpus.articles),
            quotes=len(corpus.quotes),
            speakers=len(corpus.speakers),
            groups=len(corpus.groups),
            vectors=len(units),
        ),
        input_checksum=checksum(corpus.articles),
        created=now_iso(),
        calibration=calibration,
    )
    write_index(
        out,
        manifest=manifest,
        corpus=corpus,
        units=units,
        terms=terms,
        faiss_index=faiss_index,
        vectors=vectors,
        tables=ranker.tables,
        encoder_files=embedder.files,
    )
    return manifest


def searchable(
    quotes: Sequence[Quote], units: Sequence[Unit], vectors: NDArray[np.float32]
) -> tuple[str, dict[str, int], Any, lexical.TermStats]:
    """What lookups search: the FAISS index chosen for the units' count (its factory and
    search parameters) and the document frequencies of the quotes' terms."""
    factory, params = choose_factory(len(units), int(vectors.shape[1]))
    faiss_index = new_faiss_index(vectors, factory, params)
    terms = lexical.TermStats.of(lexical.document_terms(quote.text) for quote in quotes)
    return factory, params, faiss_index, terms
