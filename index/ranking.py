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
query's rarest words), so neither kind of evidence can hide a statement from the other.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from index import lexical
from index.frame import split_frame
from index.units import Unit

if TYPE_CHECKING:
    from numpy.typing import NDArray

# How many nearest units FAISS returns per query vector, and how many statements the terms
# add: enough that the true statement is among them, few enough to score them all exactly.
DENSE_CANDIDATES = 64
LEXICAL_CANDIDATES = 32
# A query of fewer words than this is not tested for containment (one word is everywhere).
MIN_CONTAINED_WORDS = 2


class Query(msgspec.Struct, frozen=True, kw_only=True):
    """A query text, its statement without the reporting frame, and the statement's words."""

    text: str
    body: str
    claimed: str | None
    words: tuple[str, ...]
    cased: tuple[str, ...]
    numbers: frozenset[str]
    negated: bool

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts to embed: the query as asked, and its body when the frame was removed."""
        return (self.text,) if self.body == self.text else (self.text, self.body)


def prepare_query(text: str) -> Query:
    frame = split_frame(text)
    return statement_query(frame.body, text=text.strip(), claimed=frame.speaker)


def statement_query(body: str, *, text: str | None = None, claimed: str | None = None) -> Query:
    """A query for ``body`` as it stands (a quote asked as a query has no frame to remove)."""
    tokens = lexical.words(body)
    return Query(
        text=body if text is None else text,
        body=body,
        claimed=claimed,
        words=tokens,
        cased=lexical.cased_words(body),
        numbers=lexical.numbers(tokens),
        negated=lexical.negated(tokens),
    )


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
    cased: tuple[str, ...]
    negated: bool


class Ranker:
    """Scores the statements of an index against queries. Read-only, so thread-safe."""

    def __init__(
        self,
        units: Sequence[Unit],
        vectors: NDArray[np.float32],
        faiss_index: Any,
        terms: lexical.TermStats,
    ) -> None:
        self.units = tuple(units)
        self.vectors = vectors
        self.faiss_index = faiss_index
        self.terms = terms
        self._facts = []
        rows: dict[str, list[int]] = defaultdict(list)
        group_terms: dict[str, set[str]] = defaultdict(set)
        group_numbers: dict[str, set[str]] = defaultdict(set)
        for row, unit in enumerate(self.units):
            tokens = lexical.words(unit.text)
            self._facts.append(
                _UnitFacts(
                    words=tokens,
                    cased=lexical.cased_words(unit.text),
                    negated=lexical.negated(tokens),
                )
            )
            rows[unit.group_id].append(row)
            group_terms[unit.group_id].update(lexical.document_terms(unit.text))
            group_numbers[unit.group_id].update(lexical.numbers(tokens))
        self._rows = {group: tuple(found) for group, found in rows.items()}
        self._terms = {group: frozenset(found) for group, found in group_terms.items()}
        self._numbers = {group: frozenset(found) for group, found in group_numbers.items()}
        postings: dict[str, list[str]] = defaultdict(list)
        for group, found in self._terms.items():
            for term in found:
                postings[term].append(group)
        self._postings = dict(postings)

    def rank(
        self,
        query: Query,
        query_vectors: NDArray[np.float32],
        *,
        limit: int,
        allowed: frozenset[int] | None = None,
        exclude_group: str | None = None,
    ) -> list[Candidate]:
        """The ``limit`` best statements for the query, best first.

        ``query_vectors`` are the embeddings of :attr:`Query.texts`. ``allowed`` restricts the
        search to these unit rows (an outlet filter); ``exclude_group`` leaves one statement
        out (the calibration asks a statement's own quote against all the others).
        """
        if not self.units or limit <= 0:
            return []
        terms = lexical.query_terms(query.body, self.terms.frequencies)
        weights = lexical.term_weights(terms, self.terms)
        groups = self._dense_candidates(query_vectors, allowed) | self._lexical_candidates(weights)
        if exclude_group is not None:
            groups.discard(exclude_group)
        scored = []
        for group in groups:
            candidate = self._score(group, query, weights, query_vectors, allowed)
            if candidate is not None:
                scored.append(candidate)
        scored.sort(key=lambda c: (c.score, c.dense), reverse=True)
        # Contradictions cost an alignment each, so only the best are checked, until enough pass.
        ranked: list[Candidate] = []
        for candidate in scored:
            if candidate.contained or not self._contradicts(query, candidate, allowed):
                ranked.append(candidate)
                if len(ranked) == limit:
                    break
        return ranked

    def _dense_candidates(
        self, query_vectors: NDArray[np.float32], allowed: frozenset[int] | None
    ) -> set[str]:
        if allowed is not None:
            rows = np.fromiter(allowed, dtype=np.int64)
            if rows.size == 0:
                return set()
            best = (self.vectors[rows] @ query_vectors.T).max(axis=1)
            top = rows[np.argsort(-best)[:DENSE_CANDIDATES]]
            return {self.units[int(row)].group_id for row in top}
        k = min(DENSE_CANDIDATES, len(self.units))
        _, found = self.faiss_index.search(np.ascontiguousarray(query_vectors), k)
        return {self.units[int(row)].group_id for row in found.ravel() if row >= 0}

    def _lexical_candidates(self, weights: Mapping[str, float]) -> set[str]:
        shared: dict[str, float] = defaultdict(float)
        for term, weight in weights.items():
            for group in self._postings.get(term, ()):
                shared[group] += weight
        return set(heapq.nlargest(LEXICAL_CANDIDATES, shared, key=shared.__getitem__))

    def _score(
        self,
        group: str,
        query: Query,
        weights: Mapping[str, float],
        query_vectors: NDArray[np.float32],
        allowed: frozenset[int] | None,
    ) -> Candidate | None:
        rows = self._rows.get(group, ())
        if allowed is not None:
            rows = tuple(row for row in rows if row in allowed)
        if not rows:
            return None
        similarity = (self.vectors[list(rows)] @ query_vectors.T).max(axis=1)
        contained = [
            index
            for index, row in enumerate(rows)
            if len(query.words) >= MIN_CONTAINED_WORDS
            and lexical.contains(self._facts[row].words, query.words)
        ]
        pool = contained or range(len(rows))
        best = max(pool, key=lambda index: float(similarity[index]))
        dense = float(max(0.0, float(similarity.max())))
        coverage = lexical.coverage(weights, self._terms[group])
        return Candidate(
            group_id=group,
            score=math.sqrt(dense * coverage),
            dense=dense,
            coverage=coverage,
            unit=rows[best],
            contained=bool(contained),
        )

    def _contradicts(
        self, query: Query, candidate: Candidate, allowed: frozenset[int] | None
    ) -> bool:
        """A figure the statement lacks, the other polarity, or a swapped name."""
        group = candidate.group_id
        rows = [row for row in self._rows[group] if allowed is None or row in allowed]
        # A figure the statement lacks: always, for digits; for a count in words ("the two
        # countries"), only when the statement gives other figures ("ten" against "five").
        missing = query.numbers - self._numbers[group]
        if any(not figure.isalpha() for figure in missing):
            return True
        if missing and self._numbers[group]:
            return True
        if self._facts[candidate.unit].negated != query.negated:
            return True
        # A swap is judged against the wording the query copies most closely, when it is a
        # close copy: most of the shorter of the two aligned.
        aligned, nearest = max(
            (lexical.aligned_words(query.cased, self._facts[row].cased), -row) for row in rows
        )
        unit = self._facts[-nearest].cased
        shorter = min(len(query.cased), len(unit))
        return (
            shorter > 0
            and aligned >= lexical.SWAP_MIN_ALIGNED * shorter
            and lexical.swapped_names(query.cased, unit)
        )
