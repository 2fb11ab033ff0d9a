"""Quote lookup over an index folder: who said this text, and where.

:class:`Searcher` opens an index folder with the embedding model its manifest names, and answers
lookups with :class:`~index.models.Answer` records: the best statements (scored by
:mod:`index.search.ranking`) above the calibrated no-match threshold
(:mod:`index.search.calibrate`), each with its speaker, canonical text and every outlet's
variant, and, when a speaker is claimed (by the caller, or by the query's own reporting frame,
"Putin said …"), whether the claim holds (:mod:`index.search.claims`). A Searcher is read-only
once open and its embedder is thread-safe, so it serves lookups from several threads at once.

Opening one costs little beyond loading the folder: the ranker's tables are precomputed, and
the maps only browsing and outlet filters need (quotes by article, rows by outlet) are made on
first use or by :meth:`Searcher.warm`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embed.protocol import Embedder
from index.errors import IndexFormatError
from index.models import Answer, Article, ClaimCheck, Corpus, Group, Match, Quote, Speaker
from index.search.claims import attribution_confidence, check_claim
from index.search.query import Query, prepare_query
from index.search.ranking import Candidate, Ranker
from index.search.render import format_answer
from index.store.folder import IndexData, load_index
from index.store.manifest import Manifest

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Searcher", "format_answer"]

_NO_ROWS = np.zeros(0, dtype=np.int64)


class Searcher:
    """Lookups over one loaded index folder."""

    def __init__(self, index: IndexData, embedder: Embedder) -> None:
        model = index.manifest.model
        given = embedder.info
        if given.name != model.name or given.dimension != model.dimension:
            raise IndexFormatError(
                f"index at {index.folder} was built with {model.name} ({model.dimension} "
                f"dimensions); the embedder given is {given.name} ({given.dimension} "
                "dimensions). Queries must use the model that built the index."
            )
        self.data = index
        self.manifest: Manifest = index.manifest
        self.corpus: Corpus = index.corpus
        self._embedder = embedder
        self._ranker = Ranker(
            index.units, index.vectors, index.faiss_index, index.terms, tables=index.tables
        )
        self._groups: Mapping[str, Group] = {group.id: group for group in index.corpus.groups}
        self._speakers = {speaker.id: speaker for speaker in index.corpus.speakers}
        self._articles: Mapping[str, Article] = {a.id: a for a in index.corpus.articles}

    @classmethod
    def open(
        cls, folder: Path, *, model_dir: Path | None = None, embedder: Embedder | None = None
    ) -> Searcher:
        """Load the index folder, then the encoder its manifest names (unless one is given;
        ``model_dir`` is the torch model's folder, for an index built with torch)."""
        from index.embed.choice import for_index

        index = load_index(folder)
        return cls(index, embedder or for_index(index.manifest.model.encoder, folder, model_dir))

    def warm(self) -> None:
        """Build the maps made on first use (quotes by article, statement by quote, the unit
        rows of each outlet) now, ahead of the requests that need them."""
        _ = self._quotes_of, self._group_of, self._rows_of_outlet, self._quote_by_id

    @cached_property
    def _quotes_of(self) -> dict[str, list[Quote]]:
        quotes_of: dict[str, list[Quote]] = defaultdict(list)
        for quote in self.corpus.quotes:
            quotes_of[quote.article_id].append(quote)
        return quotes_of

    @cached_property
    def _quote_by_id(self) -> dict[str, Quote]:
        return {quote.id: quote for quote in self.corpus.quotes}

    @cached_property
    def _group_of(self) -> dict[str, Group]:
        return {
            variant.quote_id: group for group in self.corpus.groups for variant in group.variants
        }

    @cached_property
    def _rows_of_outlet(self) -> dict[str, NDArray[np.int64]]:
        """The unit rows of each outlet (casefolded), for lookups filtered by outlet."""
        outlet_of = {
            quote.id: self._articles[quote.article_id].outlet.casefold()
            for quote in self.corpus.quotes
        }
        rows: dict[str, list[int]] = defaultdict(list)
        for row, unit in enumerate(self._ranker.units):
            rows[outlet_of[unit.quote_id]].append(row)
        return {outlet: np.asarray(found, dtype=np.int64) for outlet, found in rows.items()}

    @property
    def embedder(self) -> Embedder:
        """The model that encodes queries (the one the manifest names)."""
        return self._embedder

    @property
    def ranker(self) -> Ranker:
        """The statement ranker over this index's units and vectors (read-only)."""
        return self._ranker

    # ---------------------------------------------------------------- lookups

    def lookup(
        self,
        text: str,
        *,
        k: int = 5,
        min_score: float | None = None,
        claimed_speaker: str | None = None,
        outlets: Sequence[str] | None = None,
        include_weak: bool = False,
    ) -> Answer:
        """The top ``k`` statements for ``text`` that pass the threshold (with
        ``include_weak``, the top ``k`` candidates, the weak ones marked so); when none
        passes, the answer names the nearest candidate."""
        query = prepare_query(text)
        vectors = self._encode(query.texts)
        return self._answer(query, vectors, k, min_score, claimed_speaker, outlets, include_weak)

    def lookup_many(
        self,
        texts: Sequence[str],
        *,
        k: int = 5,
        min_score: float | None = None,
        outlets: Sequence[str] | None = None,
        include_weak: bool = False,
    ) -> list[Answer]:
        """:meth:`lookup` for several texts.

        Each query is encoded on its own, as :meth:`lookup` encodes it: a quantised encoder
        scales activations per call, so a vector encoded among other texts would depend on
        them, and a text would score differently alone and in a batch.
        """
        return [
            self._answer(
                query, self._encode(query.texts), k, min_score, None, outlets, include_weak
            )
            for query in (prepare_query(text) for text in texts)
        ]

    def _encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self._embedder.encode(texts)

    def _answer(
        self,
        query: Query,
        vectors: NDArray[np.float32],
        k: int,
        min_score: float | None,
        claimed_speaker: str | None,
        outlets: Sequence[str] | None,
        include_weak: bool = False,
    ) -> Answer:
        calibration = self.manifest.calibration
        threshold = calibration.threshold if min_score is None else min_score
        # A caller's minimum score is a plain cut on the score; the calibrated rule also
        # accepts a statement the model alone holds to be a rewording of the query.
        dense_alone = calibration.dense_alone if min_score is None else math.inf
        wanted = frozenset(o.casefold() for o in outlets) if outlets is not None else None
        allowed = None
        if wanted is not None:
            allowed = np.zeros(len(self._ranker.units), dtype=bool)
            for outlet in wanted:
                allowed[self._rows_of_outlet.get(outlet, _NO_ROWS)] = True
        candidates = self._ranker.rank(query, vectors, limit=k, allowed=allowed)
        judged = [
            self._match(
                candidate,
                wanted,
                strong=candidate.score >= threshold or candidate.dense >= dense_alone,
            )
            for candidate in candidates
        ]
        matches = tuple(match for match in judged if match.strong or include_weak)
        strong = [match for match in judged if match.strong]
        nearest = judged[0] if judged and not strong else None
        claimed = (claimed_speaker or "").strip() or query.claimed
        claim: ClaimCheck | None = None
        if claimed:
            best = strong[0] if strong else None
            speaker = best.speaker if best is not None else None
            confidence = None
            if best is not None and speaker is not None:
                quotes = (self.quote(variant.quote_id) for variant in best.variants)
                confidence = attribution_confidence(speaker.id, quotes)
            claim = check_claim(claimed, speaker, confidence)
        return Answer(
            query=query.text,
            matches=matches,
            claim=claim,
            threshold=round(threshold, 4),
            nearest=nearest,
        )

    def _match(
        self, candidate: Candidate, outlets: frozenset[str] | None, *, strong: bool = True
    ) -> Match:
        group = self._groups[candidate.group_id]
        unit = self._ranker.units[candidate.unit]
        variants = tuple(
            variant
            for variant in group.variants
            if outlets is None or variant.outlet.casefold() in outlets
        )
        return Match(
            group_id=group.id,
            score=round(candidate.score, 4),
            matched_quote_id=unit.quote_id,
            matched_text=unit.text,
            speaker=self._speakers.get(group.speaker) if group.speaker else None,
            canonical_text=group.canonical_text,
            variants=variants,
            strong=strong,
        )

    # ---------------------------------------------------------------- records

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    def speaker(self, speaker_id: str) -> Speaker | None:
        return self._speakers.get(speaker_id)

    def article(self, article_id: str) -> Article | None:
        return self._articles.get(article_id)

    def quote(self, quote_id: str) -> Quote | None:
        return self._quote_by_id.get(quote_id)

    def quotes_of(self, article_id: str) -> list[Quote]:
        return list(self._quotes_of.get(article_id, ()))

    def group_of(self, quote_id: str) -> Group | None:
        return self._group_of.get(quote_id)
