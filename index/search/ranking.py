"""Ranking statements for a query: dense similarity and lexical coverage as one score.

A statement (a group of quotes) is scored against a query by two pieces of evidence, each
between 0 and 1:

- **dense**: the best cosine similarity between the query (as asked, and with its reporting
  frame removed) and any unit of the statement: a quote, or one sentence of a long quote;
- **coverage**: the IDF-weighted share of the query's content terms that the statement's
  words contain. An exact quote or a fragment of one covers everything, whatever the model
  thinks of a short span; a made-up statement brings words the corpus never used.

The score is their geometric mean: a match needs both kinds of support, so a statement on
the same topic (high dense, little coverage) and a bag of shared words (coverage without
meaning) both stay low, while an exact quote or fragment (coverage 1) passes even where
the model's similarity for a short span is weak.

A statement is **contradicted**, and not ranked at all, when the query is no literal part of
it and

- the query has a figure the statement does not have ("$300 billion" against "$200 billion",
  "ten months" against "five months");
- the query and the statement's best unit differ in polarity (one negates, the other not);
- the query copies a unit but swaps a name in it ("Russia and India" for "Russia and China").

Candidates come from FAISS (the nearest units) and from the terms (statements sharing the
query's rarest words), so neither kind of evidence can hide a statement from the other. The
statements sharing a term come from precomputed postings (:mod:`index.store.tables`) and are
summed with numpy; Python only ever handles the hundred or so candidates of a query, whose
units are tokenised when a query first reaches them. A lookup over millions of units costs
milliseconds, and opening such an index costs no tokenising at all.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Container, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from index.search.query import Query
from index.store.ann import search
from index.store.tables import RankTables
from index.store.units import Unit
from index.text import align, normalise
from index.text import terms as lexical

if TYPE_CHECKING:
    from numpy.typing import NDArray

# How many nearest units FAISS returns per query vector, and how many statements the terms
# add: enough that the true statement is among them, few enough to score them all exactly.
DENSE_CANDIDATES = 64
LEXICAL_CANDIDATES = 32
# A query of fewer words than this is not tested for containment (one word is everywhere).
MIN_CONTAINED_WORDS = 2
# How many units' words, polarity and figures a ranker keeps (a lookup needs a few hundred).
FACTS_CACHE = 1 << 14
# How many allowed rows' vectors a filtered lookup compares with the query at a time.
SCAN_ROWS = 1 << 16
# How many groups set the floor under the lexical candidates' cut (see _lexical_candidates).
FLOOR_SAMPLE = 4096


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """One statement's score for a query, and the unit that matched best."""

    group_id: str
    score: float
    dense: float
    coverage: float
    unit: int
    contained: bool


class _UnitFacts(msgspec.Struct, frozen=True, kw_only=True):
    words: tuple[str, ...]
    negated: bool
    numbers: frozenset[str]


def _unit_facts(text: str) -> _UnitFacts:
    tokens = normalise.words(text)
    return _UnitFacts(
        words=tokens, negated=lexical.negated(tokens), numbers=lexical.numbers(tokens)
    )


class Ranker:
    """Scores the statements of an index against queries. Read-only, so thread-safe.

    The corpus-wide facts (each statement's rows, the statements that use each term) are a
    :class:`~index.rank_tables.RankTables`: the one saved in the index folder, or built here
    from the units when none is given (a small live index, the tests). What a statement's
    units say (their words, polarity and figures) is only needed for the hundred or so
    candidates of a query, so it is worked out for those units' texts when asked and cached
    (:data:`FACTS_CACHE` texts): opening a large index tokenises nothing.
    """

    def __init__(
        self,
        units: Sequence[Unit],
        vectors: NDArray[np.float32],
        faiss_index: Any,
        terms: lexical.TermStats,
        *,
        tables: RankTables | None = None,
    ) -> None:
        self.units = tuple(units)
        self.vectors = vectors
        self.faiss_index = faiss_index
        self.terms = terms
        self.tables = RankTables.build(self.units) if tables is None else tables
        if self.tables.n_units != len(self.units):
            raise ValueError(
                f"the ranking tables cover {self.tables.n_units} units; there are {len(self.units)}"
            )
        # A plain view: indexing a numpy.memmap costs a subclass instance per call.
        self._vectors = np.asarray(vectors)
        # Keyed by text (a quote said in many outlets is worked out once), and holding no
        # reference to the ranker, so a replaced ranker is freed at once.
        cache = functools.lru_cache(maxsize=FACTS_CACHE)
        self._facts_of: Callable[[str], _UnitFacts] = cache(_unit_facts)
        self._cased_of: Callable[[str], tuple[str, ...]] = cache(normalise.cased_words)

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
        """The ``limit`` best statements for the query, best first.

        ``query_vectors`` are the embeddings of :attr:`Query.texts`. ``allowed`` (one flag per
        unit row) restricts the search to the rows it marks (an outlet filter); the nearest of
        them are found by exact search. ``exclude_group`` leaves one statement
        out (the calibration asks a statement's own quote against all the others), and
        ``exclude`` leaves out the statements it names (a live index's replaced ones).
        Statements with the same score and similarity keep the order of their first unit.
        """
        if not self.units or limit <= 0:
            return []
        terms = lexical.query_terms(query.body, self.terms.frequencies)
        weights = lexical.term_weights(terms, self.terms)
        # A unit can only contain the query's words if its statement has all their terms.
        needed = (
            frozenset(lexical.content_terms(query.words))
            if len(query.words) >= MIN_CONTAINED_WORDS
            else None
        )
        postings = {term: self.tables.groups_with(term) for term in weights.keys() | (needed or ())}
        groups = np.union1d(
            self._dense_candidates(query_vectors, allowed),
            self._lexical_candidates(weights, postings),
        ).tolist()
        kept = [(group, self._group_id(group)) for group in groups]
        if exclude_group is not None or exclude:
            kept = [(g, n) for g, n in kept if n != exclude_group and n not in exclude]
        supports = _supports([group for group, _ in kept], postings)
        rows = [self._rows(group, allowed) for group, _ in kept]
        # One gather from the (possibly memory-mapped) vectors for all candidates' rows.
        block = self._vectors[[row for found in rows for row in found]]
        scored: list[tuple[Candidate, int]] = []
        start = 0
        for (group, name), found, support in zip(kept, rows, supports, strict=True):
            if not found:
                continue
            similarity = (block[start : start + len(found)] @ query_vectors.T).max(axis=1)
            start += len(found)
            may_contain = needed is not None and needed <= support
            candidate = self._score(name, found, similarity, query, weights, support, may_contain)
            scored.append((candidate, group))
        scored.sort(key=lambda pair: (pair[0].score, pair[0].dense), reverse=True)
        # Contradictions cost an alignment each, so only the best are checked, until enough pass.
        ranked: list[Candidate] = []
        for candidate, group in scored:
            if candidate.contained or not self._contradicts(query, candidate, group, allowed):
                ranked.append(candidate)
                if len(ranked) == limit:
                    break
        return ranked

    def _group_id(self, group: int) -> str:
        tables = self.tables
        return self.units[int(tables.group_rows[tables.group_start[group]])].group_id

    def _rows(self, group: int, allowed: NDArray[np.bool_] | None) -> list[int]:
        rows: list[int] = self.tables.rows(group).tolist()
        if allowed is None:
            return rows
        return [row for row in rows if allowed[row]]

    def _facts(self, row: int) -> _UnitFacts:
        return self._facts_of(self.units[row].text)

    def _cased(self, row: int) -> tuple[str, ...]:
        return self._cased_of(self.units[row].text)

    def _dense_candidates(
        self, query_vectors: NDArray[np.float32], allowed: NDArray[np.bool_] | None
    ) -> NDArray[np.int32]:
        """The groups of the units nearest to the query vectors (among ``allowed``)."""
        if allowed is not None:
            rows = np.flatnonzero(allowed)
            if rows.size == 0:
                return np.zeros(0, dtype=np.int32)
            # In slices, so a filter that keeps most of a large index copies little at once.
            best = np.concatenate(
                [
                    (self._vectors[rows[start : start + SCAN_ROWS]] @ query_vectors.T).max(axis=1)
                    for start in range(0, rows.size, SCAN_ROWS)
                ]
            )
            top = rows[np.argsort(-best)[:DENSE_CANDIDATES]]
            return self.tables.unit_group[top]
        k = min(DENSE_CANDIDATES, len(self.units))
        _, nearest = search(self.faiss_index, query_vectors, k)
        found = np.asarray(nearest, dtype=np.int64).ravel()
        return self.tables.unit_group[found[found >= 0]]

    def _lexical_candidates(
        self, weights: Mapping[str, float], postings: Mapping[str, NDArray[np.int32]]
    ) -> NDArray[np.int32]:
        """The :data:`LEXICAL_CANDIDATES` groups with the most weight of the query's terms.

        The weights are added up per group in the order of ``weights`` (so a group's sum is
        the same float as :func:`~index.lexical.coverage`'s numerator); at the cut, equal sums
        go to the groups that come first. Common terms reach most groups of a large index, so
        the cut is not looked for among all of them: the best of a few thousand groups that
        have the rarest terms is a floor under it, and only the groups above that floor are
        ordered.
        """
        shared = np.zeros(self.tables.n_groups, dtype=np.float64)
        for term, weight in weights.items():
            # A term's postings are distinct groups, so a plain indexed add counts each once.
            shared[postings[term]] += weight
        parts, taken = [], 0
        for term in sorted(weights, key=weights.__getitem__, reverse=True):
            parts.append(postings[term][: FLOOR_SAMPLE - taken])
            taken += parts[-1].size
            if taken >= FLOOR_SAMPLE:
                break
        sample = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)
        if sample.size >= LEXICAL_CANDIDATES:
            floor = np.partition(shared[sample], sample.size - LEXICAL_CANDIDATES)
            found = np.flatnonzero(shared >= floor[sample.size - LEXICAL_CANDIDATES])
        else:
            found = np.flatnonzero(shared)
        if found.size <= LEXICAL_CANDIDATES:
            return found.astype(np.int32)
        scores = shared[found]
        cut = found.size - LEXICAL_CANDIDATES
        least = np.partition(scores, cut)[cut]
        above = found[scores > least]
        tied = found[scores == least]
        return np.concatenate([above, tied[: LEXICAL_CANDIDATES - above.size]]).astype(np.int32)

    def _score(
        self,
        group_id: str,
        rows: Sequence[int],
        similarity: NDArray[np.float32],
        query: Query,
        weights: Mapping[str, float],
        support: Container[str],
        may_contain: bool,
    ) -> Candidate:
        contained = [
            index
            for index, row in enumerate(rows)
            if may_contain and align.contains(self._facts(row).words, query.words)
        ]
        pool = contained or range(len(rows))
        best = max(pool, key=lambda index: float(similarity[index]))
        dense = float(max(0.0, float(similarity.max())))
        coverage = lexical.coverage(weights, support)
        return Candidate(
            group_id=group_id,
            score=math.sqrt(dense * coverage),
            dense=dense,
            coverage=coverage,
            unit=rows[best],
            contained=bool(contained),
        )

    def _contradicts(
        self, query: Query, candidate: Candidate, group: int, allowed: NDArray[np.bool_] | None
    ) -> bool:
        """A figure the statement lacks, the other polarity, or a swapped name."""
        every = self._rows(group, None)
        rows = [row for row in every if allowed is None or allowed[row]]
        figures = frozenset[str]().union(*(self._facts(row).numbers for row in every))
        # A figure the statement lacks: always, for digits; for a count in words ("the two
        # countries"), only when the statement gives other figures ("ten" against "five").
        missing = query.numbers - figures
        if any(not figure.isalpha() for figure in missing):
            return True
        if missing and figures:
            return True
        if self._facts(candidate.unit).negated != query.negated:
            return True
        # A swap is judged against the wording the query copies most closely, when it is a
        # close copy: most of the shorter of the two aligned.
        aligned, nearest = max(
            (align.aligned_words(query.cased, self._cased(row)), -row) for row in rows
        )
        unit = self._cased(-nearest)
        shorter = min(len(query.cased), len(unit))
        return (
            shorter > 0
            and aligned >= align.SWAP_MIN_ALIGNED * shorter
            and align.swapped_names(query.cased, unit)
        )


def _supports(
    groups: Sequence[int], postings: Mapping[str, NDArray[np.int32]]
) -> list[frozenset[str]]:
    """For each group, the query terms (keys of ``postings``) that its units offer."""
    wanted = np.asarray(groups, dtype=np.int32)
    offered: list[list[str]] = [[] for _ in groups]
    for term, found in postings.items():
        if found.size == 0 or wanted.size == 0:
            continue
        at = np.minimum(np.searchsorted(found, wanted), found.size - 1)
        for index in np.flatnonzero(found[at] == wanted).tolist():
            offered[index].append(term)
    return [frozenset(terms) for terms in offered]
