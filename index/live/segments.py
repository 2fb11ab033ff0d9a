"""Lookups over a base index folder and a small delta: what a live index serves between merges.

The base is the index folder as loaded (memory-mapped vectors, its FAISS index and ranking
tables), never changed once open. A write changes a few statements; they go to the *delta*,
whole: a statement that gained or lost a quote, a new one, each with all of its units
(quotes of the base included) and their vectors in an exact flat FAISS index, ranking tables
of their own, and the base statement they replace marked gone (a tombstone). So every
current statement lives in exactly one segment, scored there by the same
:class:`~index.search.ranking.Ranker` code with the same term statistics (those of the whole
current corpus); :class:`SegmentedRanker` asks both segments and merges their candidates by
score, and a lookup answers as one index over the same quotes would.

The delta grows with the writes, not with the corpus; a merge (the live index's checkpoint)
folds it into a new base folder.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import msgspec
import numpy as np

from index.embed.protocol import Embedder
from index.models import Article, Corpus, Group, Quote, Speaker
from index.search.query import Query
from index.search.ranking import Candidate, Ranker
from index.search.searcher import Searcher
from index.store.ann import new_faiss_index
from index.store.folder import IndexData
from index.store.manifest import Counts
from index.store.tables import RankTables
from index.store.units import Unit
from index.text.terms import TermStats

if TYPE_CHECKING:
    from numpy.typing import NDArray

V = TypeVar("V")
_NO_ROWS = np.zeros(0, dtype=np.int64)


class Overlay(Mapping[str, V]):
    """A base mapping with entries added (or replaced) and removed, without copying it."""

    def __init__(
        self, base: Mapping[str, V], added: Mapping[str, V], removed: frozenset[str]
    ) -> None:
        self._base, self._added, self._removed = base, added, removed

    def __getitem__(self, key: str) -> V:
        if key in self._added:
            return self._added[key]
        if key in self._removed:
            raise KeyError(key)
        return self._base[key]

    def __iter__(self) -> Iterator[str]:
        yield from (
            key for key in self._base if key not in self._removed and key not in self._added
        )
        yield from self._added

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Either(Container[str]):
    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self._first, self._second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self._first or item in self._second


class Delta:
    """The statements new or changed since the base, searchable on their own."""

    def __init__(
        self,
        groups: Sequence[Group],
        units: Sequence[Unit],
        vectors: NDArray[np.float32],
        terms: TermStats,
        tables: RankTables,
    ) -> None:
        self.groups = {group.id: group for group in groups}
        self.units = tuple(units)
        self.vectors = vectors
        faiss_index = new_faiss_index(vectors, "Flat")
        self.ranker = Ranker(self.units, vectors, faiss_index, terms, tables=tables)

    @property
    def rows(self) -> int:
        return len(self.units)


class SegmentedRanker(Ranker):
    """The base ranker and the delta's as one: candidates of both, merged by score.

    Unit rows are the base's, then the delta's (offset by the base's unit count), so
    :attr:`units` and an ``allowed`` mask cover both in that order.
    """

    def __init__(self, base: Ranker, delta: Ranker, gone: frozenset[str]) -> None:
        # Not Ranker.__init__: the segments' rankers hold the tables and caches.
        self.base, self.delta, self.gone = base, delta, gone
        self.units = base.units + delta.units
        self.terms = base.terms
        self.vectors = base.vectors
        self.faiss_index = base.faiss_index
        self.tables = base.tables

    def rank(
        self,
        query: Query,
        query_vectors: NDArray[np.float32],
        *,
        limit: int,
        allowed: NDArray[np.bool_] | None = None,
        exclude_group: str | None = None,
        exclude: Container[str] = frozenset(),
    ) -> list[Candidate]:
        offset = len(self.base.units)
        base_allowed = allowed[:offset] if allowed is not None else None
        delta_allowed = allowed[offset:] if allowed is not None else None
        found = self.base.rank(
            query,
            query_vectors,
            limit=limit,
            allowed=base_allowed,
            exclude_group=exclude_group,
            exclude=_Either(self.gone, exclude),
        )
        if self.delta.units:
            extra = self.delta.rank(
                query,
                query_vectors,
                limit=limit,
                allowed=delta_allowed,
                exclude_group=exclude_group,
                exclude=exclude,
            )
            found.extend(
                Candidate(
                    group_id=c.group_id,
                    score=c.score,
                    dense=c.dense,
                    coverage=c.coverage,
                    unit=c.unit + offset,
                    contained=c.contained,
                )
                for c in extra
            )
        found.sort(key=lambda c: (c.score, c.dense), reverse=True)
        return found[:limit]


class SegmentedSearcher(Searcher):
    """A :class:`Searcher` over a base folder and a delta (see the module docstring).

    Records are looked up in the delta, then in the base unless the delta removed them;
    :attr:`corpus` (every article, quote and statement, as browsing and checkpoints need
    them) is put together on first use only.
    """

    def __init__(
        self,
        base: Searcher,
        delta: Delta,
        *,
        gone: frozenset[str],
        articles: Mapping[str, Article],
        removed_articles: frozenset[str],
        quotes: Mapping[str, Quote],
        removed_quotes: frozenset[str],
        speakers: Sequence[Speaker],
        counts: Counts,
        embedder: Embedder,
    ) -> None:
        # Not Searcher.__init__: the base searcher's maps are reused, not rebuilt.
        self.base, self.delta, self.gone = base, delta, gone
        self.data: IndexData = base.data
        self.manifest = msgspec.structs.replace(base.manifest, counts=counts)
        self._embedder = embedder
        base_ranker = base.ranker
        ranker = Ranker(
            base_ranker.units,
            base_ranker.vectors,
            base_ranker.faiss_index,
            delta.ranker.terms,
            tables=base_ranker.tables,
        )
        self._ranker = SegmentedRanker(ranker, delta.ranker, gone)
        self._groups = Overlay(base._groups, delta.groups, gone)
        self._speakers = {speaker.id: speaker for speaker in speakers}
        self._articles = Overlay(base._articles, articles, removed_articles)
        self._added_articles, self._removed_articles = articles, removed_articles
        self._added_quotes, self._removed_quotes = quotes, removed_quotes
        self._speaker_list = tuple(speakers)

    @cached_property
    def corpus(self) -> Corpus:  # type: ignore[override]
        base = self.base.corpus
        removed = self._removed_articles
        return Corpus(
            articles=tuple(a for a in base.articles if a.id not in removed)
            + tuple(self._added_articles.values()),
            quotes=tuple(q for q in base.quotes if q.id not in self._removed_quotes)
            + tuple(self._added_quotes.values()),
            speakers=self._speaker_list,
            groups=tuple(g for g in base.groups if g.id not in self.gone)
            + tuple(self.delta.groups.values()),
        )

    # Records by id, from the delta or the base, never from :attr:`corpus` (lookups and the
    # ingest route ask for them on every answer).

    def quote(self, quote_id: str) -> Quote | None:
        found = self._added_quotes.get(quote_id)
        if found is not None or quote_id in self._removed_quotes:
            return found
        return self.base.quote(quote_id)

    def quotes_of(self, article_id: str) -> list[Quote]:
        if article_id in self._added_articles:
            return [q for q in self._added_quotes.values() if q.article_id == article_id]
        if article_id in self._removed_articles:
            return []
        return self.base.quotes_of(article_id)

    def group_of(self, quote_id: str) -> Group | None:
        group = self._delta_group_of.get(quote_id)
        if group is not None:
            return group
        group = self.base.group_of(quote_id)
        return None if group is None or group.id in self.gone else group

    @cached_property
    def _delta_group_of(self) -> dict[str, Group]:
        return {v.quote_id: g for g in self.delta.groups.values() for v in g.variants}

    @cached_property
    def _rows_of_outlet(self) -> dict[str, NDArray[np.int64]]:
        """The base's rows of each outlet (its replaced statements are excluded anyway) and
        the delta's, after them."""
        offset = len(self.base.ranker.units)
        rows: dict[str, list[int]] = {}
        for row, unit in enumerate(self.delta.units):
            quote = self.quote(unit.quote_id)
            article = self.article(quote.article_id) if quote is not None else None
            if article is not None:
                rows.setdefault(article.outlet.casefold(), []).append(offset + row)
        base = self.base._rows_of_outlet
        return {
            outlet: np.concatenate(
                [base.get(outlet, _NO_ROWS), np.asarray(rows.get(outlet, ()), dtype=np.int64)]
            )
            for outlet in base.keys() | rows.keys()
        }

    @property
    def rows(self) -> int:
        """The delta's unit rows."""
        return self.delta.rows
