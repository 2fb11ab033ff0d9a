"""The live index's writes since its base folder: what a write costs, and what a merge folds.

:class:`Writes` is the writer's state (one writer at a time, under the live index's lock). A
write analyses only its articles, embeds only texts never seen, and regroups only the
statements the new or deleted quotes reach (:class:`~index.group.incremental.IncrementalGrouping`,
whose candidates come from the base's FAISS index and the delta's). The statements it touched
are then put in the delta with all their units (:mod:`index.live.segments`); the term
statistics are the base's plus the counts of the quotes added and removed since. Nothing here
grows with the corpus except the maps made once per base on the first write (quote rows,
speaker counts, the grouping's registry of the base's quotes).

After a merge (:meth:`Writes.rebase`), what the new base already holds is dropped, and the
delta keeps only the changes made while the merge ran.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from index.analyse.speakers import merge_speakers
from index.build import TextVectors, embed_texts
from index.embed.protocol import Embedder
from index.group.incremental import NEAR_COSINE, NEIGHBOURS, Change, IncrementalGrouping
from index.live.journal import content_hash
from index.live.plan import ContentHashes
from index.live.segments import Delta, Overlay, SegmentedSearcher
from index.models import Article, Quote, Speaker
from index.search.searcher import Searcher
from index.store.ann import search
from index.store.manifest import Counts
from index.store.tables import RankTables
from index.store.units import quote_units
from index.text.terms import TermStats, document_terms

if TYPE_CHECKING:
    from numpy.typing import NDArray


class _Removed(msgspec.Struct, frozen=True):
    seq: int
    quotes: tuple[str, ...]  # the ids of its quotes (of every version removed since the base)
    digests: tuple[str, ...]


class Writes:
    """Changes since ``base`` (an index folder's searcher), as a delta to serve beside it."""

    def __init__(self, base: Searcher, embedder: Embedder) -> None:
        self.base = base
        self._embedder = embedder
        self._grouping: IncrementalGrouping | None = None
        self.touched: dict[str, int] = {}  # statement id -> journal seq of its last change
        self.added: dict[str, tuple[Article, tuple[Quote, ...], int]] = {}
        self.removed: dict[str, _Removed] = {}
        self.speakers: tuple[Speaker, ...] = base.corpus.speakers
        self._terms: Counter[str] = Counter()  # document frequencies added minus removed
        self._documents = 0
        self._vectors: dict[str, NDArray[np.float32]] = {}  # delta unit text -> vector
        self._text_terms: dict[str, tuple[str, ...]] = {}
        self.delta = self._delta()

    # ------------------------------------------------------------------------ per base

    @cached_property
    def _base_rows(self) -> dict[str, int]:
        """The first unit row of each base quote (a quote's units are consecutive)."""
        rows: dict[str, int] = {}
        for row, unit in enumerate(self.base.ranker.units):
            rows.setdefault(unit.quote_id, row)
        return rows

    @cached_property
    def _base_group_rows(self) -> dict[str, int]:
        """The unit rows of each base statement."""
        tables, units = self.base.ranker.tables, self.base.ranker.units
        starts = tables.group_start.tolist()
        return {
            units[int(tables.group_rows[starts[g]])].group_id: starts[g + 1] - starts[g]
            for g in range(tables.n_groups)
        }

    @cached_property
    def _speaker_uses(self) -> Counter[str]:
        uses: Counter[str] = Counter()
        # First used by the first write's own counting, before which the base is all there is.
        for quote in self.base.corpus.quotes:
            uses.update(_speakers_of(quote))
        return uses

    @cached_property
    def _base_hashes(self) -> ContentHashes:
        return ContentHashes(self.base.corpus.articles)

    def grouping(self) -> IncrementalGrouping:
        if self._grouping is None:
            frequency = Counter(self.base.data.terms.frequencies)
            self._grouping = IncrementalGrouping.over(
                self.base.corpus, vector_of=self._quote_vector, near=self._near, frequency=frequency
            )
        return self._grouping

    def _base_unit_rows(self, quote_id: str) -> dict[str, int]:
        units = self.base.ranker.units
        row = self._base_rows.get(quote_id)
        found: dict[str, int] = {}
        while row is not None and row < len(units) and units[row].quote_id == quote_id:
            found.setdefault(units[row].text, row)
            row += 1
        return found

    def _quote_vector(self, quote_id: str) -> NDArray[np.float32]:
        quote = self.base.quote(quote_id)
        if quote is not None and quote.text in self._vectors:
            return self._vectors[quote.text]
        row = self._base_rows[quote_id]
        return np.array(self.base.ranker.vectors[row], dtype=np.float32)

    def _near(self, vectors: NDArray[np.float32]) -> list[list[str]]:
        """The quotes of the nearest units of base and delta (one FAISS search each)."""
        found: list[list[str]] = [[] for _ in vectors]
        for ranker in (self.base.ranker, self.delta.ranker):
            if not ranker.units:
                continue
            scores, rows = search(ranker.faiss_index, vectors, min(NEIGHBOURS, len(ranker.units)))
            for near, row_scores, row_ids in zip(found, scores, rows, strict=True):
                near.extend(
                    ranker.units[row].quote_id
                    for score, row in zip(row_scores.tolist(), row_ids.tolist(), strict=True)
                    if row >= 0 and score >= NEAR_COSINE
                )
        return found

    # ------------------------------------------------------------------------ changes

    def remove(self, article_ids: Collection[str], seq: int) -> None:
        """Take these articles (held ones) and their quotes out."""
        for article_id in article_ids:
            held = self.added.pop(article_id, None)
            if held is not None:
                article: Article | None = held[0]
                quotes: Sequence[Quote] = held[1]
            else:
                article = self.base.article(article_id)
                quotes = self.base.quotes_of(article_id)
            # Recorded for an article added since the base too: a merge may have folded it.
            before = self.removed.get(article_id, _Removed(seq, (), ()))
            self.removed[article_id] = _Removed(
                seq,
                before.quotes + tuple(q.id for q in quotes),
                before.digests + ((content_hash(article),) if article is not None else ()),
            )
            self._count(quotes, -1)
        self._touch(self.grouping().delete(article_ids), seq)

    def add(self, articles: Sequence[Article], seq: int) -> None:
        """Analyse, embed and group new articles."""
        from index.analyse.language import load_language
        from index.analyse.pipeline import analyse

        analysed = analyse(articles, load_language())
        speakers, renamed = merge_speakers(self.speakers, analysed.speakers)
        quotes = [_renamed(quote, renamed) for quote in analysed.quotes]
        self.speakers = tuple(speakers)
        units = quote_units(quotes, {quote.id: "" for quote in quotes})
        missing = list(dict.fromkeys(u.text for u in units if u.text not in self._vectors))
        self._vectors.update(zip(missing, embed_texts(self._embedder, missing), strict=True))
        for article in articles:
            own = tuple(quote for quote in quotes if quote.article_id == article.id)
            self.added[article.id] = (article, own, seq)
        self._count(quotes, +1)
        vectors = (
            np.stack([self._vectors[q.text] for q in quotes])
            if quotes
            else np.zeros((0, self._embedder.info.dimension), dtype=np.float32)
        )
        self._touch(self.grouping().add(articles, quotes, vectors), seq)

    def _count(self, quotes: Iterable[Quote], sign: int, *, speakers: bool = True) -> None:
        for quote in quotes:
            self._terms.update({term: sign for term in set(document_terms(quote.text))})
            self._documents += sign
            if speakers:
                self._speaker_uses.update({speaker: sign for speaker in _speakers_of(quote)})

    def _touch(self, change: Change, seq: int) -> None:
        for group_id in change.removed:
            self.touched[group_id] = seq
        for group in change.added:
            self.touched[group.id] = seq
        self.delta = self._delta()

    # ------------------------------------------------------------------------ serving

    def terms(self) -> TermStats:
        base = self.base.data.terms
        frequencies = dict(base.frequencies)
        for term, count in self._terms.items():
            if count:
                frequencies[term] = frequencies.get(term, 0) + count
                if frequencies[term] <= 0:
                    del frequencies[term]
        return TermStats(documents=base.documents + self._documents, frequencies=frequencies)

    def _delta(self) -> Delta:
        grouping = self._grouping
        groups = [g for gid in self.touched if grouping and (g := grouping.group(gid))]
        added = self.added_quotes()
        quotes: list[Quote] = []
        for group in groups:
            for variant in group.variants:
                quote = added.get(variant.quote_id) or self.base.quote(variant.quote_id)
                assert quote is not None, variant.quote_id
                quotes.append(quote)
        group_of = {v.quote_id: g.id for g in groups for v in g.variants}
        units = quote_units(quotes, group_of)
        missing = [u for u in units if u.text not in self._vectors]
        for unit in missing:
            row = self._base_unit_rows(unit.quote_id).get(unit.text)
            if row is not None:
                self._vectors[unit.text] = np.array(self.base.ranker.vectors[row])
        dimension = self._embedder.info.dimension
        vectors = TextVectors(self._embedder, np.zeros((0, dimension), dtype=np.float32))
        vectors.keep(self._vectors)
        rows = vectors.rows([u.text for u in units])
        tables = RankTables.build(units, self._text_terms)
        return Delta(groups, units, rows.astype(np.float32), self.terms(), tables)

    def added_quotes(self) -> dict[str, Quote]:
        return {q.id: q for _, quotes, _ in self.added.values() for q in quotes}

    def searcher(self) -> SegmentedSearcher:
        """The current state: the base, less what changed, and the delta."""
        base_groups = self.base._groups
        gone = frozenset(gid for gid in self.touched if gid in base_groups)
        uses = self._speaker_uses if self.removed else None
        speakers = [s for s in self.speakers if uses is None or uses[s.id] > 0]
        articles = self.base._articles
        gone_base = [r for aid, r in self.removed.items() if aid in articles]
        counts = Counts(
            articles=self.base.manifest.counts.articles + len(self.added) - len(gone_base),
            quotes=self.base.manifest.counts.quotes
            + sum(len(quotes) for _, quotes, _ in self.added.values())
            - sum(1 for r in gone_base for qid in r.quotes if self.base.quote(qid) is not None),
            speakers=len(speakers),
            groups=self.base.manifest.counts.groups - len(gone) + len(self.delta.groups),
            vectors=self.base.manifest.counts.vectors
            - sum(self._base_group_rows.get(gid, 0) for gid in gone)
            + self.delta.rows,
        )
        return SegmentedSearcher(
            self.base,
            self.delta,
            gone=gone,
            articles={aid: article for aid, (article, _, _) in self.added.items()},
            removed_articles=frozenset(self.removed),
            quotes=self.added_quotes(),
            removed_quotes=frozenset(q for r in self.removed.values() for q in r.quotes),
            speakers=speakers,
            counts=counts,
            embedder=self._embedder,
        )

    def hashes(self) -> Mapping[str, str]:
        """Content hash -> article id, of every article held."""
        added = {content_hash(article): aid for aid, (article, _, _) in self.added.items()}
        removed = frozenset(d for r in self.removed.values() for d in r.digests)
        return Overlay(self._base_hashes, added, removed)

    @property
    def rows(self) -> int:
        """The delta's unit rows (what a merge would fold)."""
        return self.delta.rows

    # ------------------------------------------------------------------------ merges

    def rebase(self, base: Searcher, merged: int) -> None:
        """``base`` now holds every change up to journal row ``merged``: keep the later ones."""
        self.base = base
        for name in ("_base_rows", "_base_hashes", "_base_group_rows"):
            self.__dict__.pop(name, None)
        self.touched = {gid: seq for gid, seq in self.touched.items() if seq > merged}
        self.added = {aid: held for aid, held in self.added.items() if held[2] > merged}
        self.removed = {aid: r for aid, r in self.removed.items() if r.seq > merged}
        self._terms, self._documents = Counter(), 0
        for _, quotes, _ in self.added.values():
            self._count(quotes, +1, speakers=False)
        for removed in self.removed.values():
            gone = [q for qid in removed.quotes if (q := base.quote(qid)) is not None]
            self._count(gone, -1, speakers=False)
        self.delta = self._delta()
        self._vectors = {unit.text: self._vectors[unit.text] for unit in self.delta.units}


def _speakers_of(quote: Quote) -> list[str]:
    return [s for s in {quote.speaker, quote.reported_speaker} if s is not None]


def _renamed(quote: Quote, renamed: Mapping[str, str]) -> Quote:
    speaker = renamed.get(quote.speaker) if quote.speaker else None
    reported = renamed.get(quote.reported_speaker) if quote.reported_speaker else None
    return msgspec.structs.replace(quote, speaker=speaker, reported_speaker=reported)
