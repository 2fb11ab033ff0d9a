"""Statements across outlets: :func:`group_variants` puts every quote in one group.

Quotes join one group when they are the same underlying statement: equal after
normalisation, one a fragment of the other, or a rewording or another translation of it.
Three kinds of evidence are used together, and none of them alone:

- speaker agreement: two quotes given to different known speakers never join;
- lexical overlap: words are compared as stems of their spelling keys (NFKC, quotes folded,
  case-folded, hyphens dropped, British forms mapped to American ones, see
  :func:`index.text.spelling.spelling_key`), so ``co-operation`` meets ``cooperation``;
- embedding similarity: the cosine of the quotes' sentence vectors.

The grouping runs in three steps.

1. Fragments. A quote whose words occur in a fuller quote is attached to that quote (its
   *parent*). A short fragment (a headline's word or two: :data:`SHORT_WORDS` words or
   fewer, or fewer than :data:`SHORT_CONTENT` content words) must occur in the parent as a
   run of whole words, and the parent must be a quote of the same speaker, or, when the
   fragment has no speaker, a quote of the same article. A longer fragment needs most of its
   content words in the parent (:data:`FRAGMENT_CONTAINMENT`) and most of its words aligned in
   order (:data:`FRAGMENT_ORDER`). Each fragment takes one parent, the best one (same
   speaker, same article, closest, fullest), so two statements of one speaker never chain
   through a phrase they share; and never one whose tree already holds another speaker. Two
   sentences quoted apart in one outlet and together in another both attach to the longer
   quote.
2. Units. A quotation that runs on into the next paragraph (``Quote.continues``) is one
   statement with that paragraph's quote: their trees form one unit.
3. Statements. Units are clustered with complete linkage: two clusters merge only when every
   pair across them is linked, so there is no chaining. Two quotes are linked when their
   speakers agree (or one is unknown), they do not state different figures, and they pass
   one of :data:`LINK_RULES`: the closer their sentence vectors, the smaller the share of the
   shorter quote's content words (weighted by rarity) that must recur in the other. Close
   topic alone (a high cosine with few shared words) never links two quotes.

Each group's record (:mod:`index.group.records`) has its fullest wording as canonical text;
every quote becomes a :class:`~index.models.Variant` with its outlet, offsets, fragment flag
and :func:`~index.group.diff.diff_words` edits against the canonical text.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from index.group.cluster import complete_linkage
from index.group.records import fullness, majority_speaker, make_group
from index.group.words import Words, containment, in_order, words_of
from index.models import Article, Group, Quote
from index.text.align import contains
from index.text.terms import idf

if TYPE_CHECKING:
    from numpy.typing import NDArray

# A quote of this many words or fewer is a short fragment: it needs an exact word run.
SHORT_WORDS = 3
# ... and so is one with fewer content words than this (too little to compare loosely).
SHORT_CONTENT = 3
# A longer fragment: at least four in five of its content words occur in the parent ...
FRAGMENT_CONTAINMENT = 0.8
# ... and at least three in five of its words align with the parent's in order.
FRAGMENT_ORDER = 0.6
# Two statements link when enough of the shorter one's content words recur in the other
# (weighted by rarity, so the names that every quote of a story repeats count for little) and
# their sentence vectors agree: the closer the meanings, the fewer shared words a link needs.
# Each row is (least cosine, least weighted share of words). Close topic alone never links:
# below a cosine of 0.85 a link needs half the words, and it always needs almost a third.
LINK_RULES = ((0.5, 0.6), (0.8, 0.5), (0.85, 0.3))
# Below this cosine no rule can link two quotes (the lowest rule's cosine, less a slack for a
# product computed in a batch rounding apart from the same product computed alone).
LINK_FLOOR = min(least for least, _ in LINK_RULES) - 1e-4
# Rarity weights are smoothed as if the corpus had this many more quotes sharing none of the
# words, so a small corpus (two articles, a unit test) weighs its words almost alike.
UNSEEN_QUOTES = 10


def _short(words: Words) -> bool:
    return words.words <= SHORT_WORDS or len(words.content) < SHORT_CONTENT


def _compatible(left: str | None, right: str | None) -> bool:
    return left is None or right is None or left == right


class _Grouper:
    """The state of one grouping run: quotes, their words, vectors and the fragment tree."""

    def __init__(
        self,
        quotes: Sequence[Quote],
        vectors: NDArray[np.float32],
        words: Sequence[Words],
        rarity: tuple[Counter[str], int] | None = None,
    ) -> None:
        self.quotes, self.vectors, self.words = quotes, vectors, words
        # Fullest first (see _fullness).
        self.rank = sorted(range(len(quotes)), key=lambda i: fullness(quotes[i], words[i]))
        self.position = {index: place for place, index in enumerate(self.rank)}
        # Rarity is over these quotes, or over a whole corpus that they are part of (its
        # content-word counts and its number of quotes: the incremental grouping's case).
        self.frequency, self.documents = rarity or (
            Counter(word for quote_words in words for word in quote_words.content),
            len(words),
        )

    @functools.cached_property
    def postings(self) -> dict[str, list[int]]:
        """The quotes (indexes) that use each term: made on first use, as only the fragment
        tree's candidate search needs them (a single quote's link checks do not)."""
        postings: dict[str, list[int]] = defaultdict(list)
        for index, quote_words in enumerate(self.words):
            for term in quote_words.vocabulary:
                postings[term].append(index)
        return postings

    def rarity(self, word: str) -> float:
        """BM25's inverse document frequency over the quotes, smoothed (UNSEEN_QUOTES)."""
        return idf(self.documents + UNSEEN_QUOTES, self.frequency[word])

    def candidates(self, index: int) -> set[int]:
        """Fuller quotes sharing at least one content word with quote ``index``."""
        found: set[int] = set()
        for word, parts in self.words[index].content.items():
            found.update(self.postings.get(word, ()))
            for part in parts:
                found.update(self.postings.get(part, ()))
        return {other for other in found if self.position[other] < self.position[index]}

    def fragment_score(self, index: int, other: int) -> tuple[float, ...] | None:
        """How well ``other`` serves as the parent of fragment ``index`` (None: it does not)."""
        quote, parent = self.quotes[index], self.quotes[other]
        part, whole = self.words[index], self.words[other]
        same_article = quote.article_id == parent.article_id
        same_speaker = quote.speaker is not None and quote.speaker == parent.speaker
        if _short(part):
            if not part.content or not contains(whole.stems, part.stems):
                return None
            if not (same_speaker or (same_article and _compatible(quote.speaker, parent.speaker))):
                return None
            distance = abs(parent.start - quote.start) if same_article else 0
            return (same_speaker, same_article, -distance, whole.words, -self.position[other])
        if not _compatible(quote.speaker, parent.speaker):
            return None
        share = containment(part, whole)
        if share < FRAGMENT_CONTAINMENT:
            return None
        order = in_order(part, whole)
        if order < FRAGMENT_ORDER:
            return None
        return (same_speaker, share + order, same_article, whole.words, -self.position[other])

    def parents(self, pairs: list[tuple[int, int]] | None = None) -> dict[int, int]:
        """The parent of every fragment, fullest quotes first, so that a fragment sees the
        speakers its candidate parent's tree already holds and never brings a second one.
        ``pairs`` collects every (fragment, quote) pair that passes the fragment test."""
        parent: dict[int, int] = {}
        root: dict[int, int] = {}
        speakers: dict[int, set[str]] = defaultdict(set)
        for index in self.rank:
            speaker = self.quotes[index].speaker
            passing = [
                (score, other)
                for other in self.candidates(index)
                if (score := self.fragment_score(index, other)) is not None
            ]
            if pairs is not None:
                pairs.extend((index, other) for _, other in passing)
            scored = [
                (score, other)
                for score, other in passing
                if speaker is None or speakers[root[other]] <= {speaker}
            ]
            if scored:
                parent[index] = max(scored)[1]
                root[index] = root[parent[index]]
            else:
                root[index] = index
            if speaker is not None:
                speakers[root[index]].add(speaker)
        return parent

    def within_reach(self, index: int, others: Sequence[int]) -> list[int]:
        """Those of ``others`` whose vectors are close enough to quote ``index``'s for a link
        rule (:data:`LINK_FLOOR`): one product spares the others' word comparisons."""
        if not others:
            return []
        cosines = (self.vectors[list(others)] @ self.vectors[index]).tolist()
        return [
            other for other, cosine in zip(others, cosines, strict=True) if cosine >= LINK_FLOOR
        ]

    def linked(
        self, left: int, right: int, left_speaker: str | None, right_speaker: str | None
    ) -> float | None:
        """The strength of the link between two statements (None: not linked)."""
        if not _compatible(left_speaker, right_speaker):
            return None
        a, b = self.words[left], self.words[right]
        if _short(a) or _short(b):
            return None
        small, large = (a, b) if len(a.content) <= len(b.content) else (b, a)
        share = containment(small, large, self.rarity)
        cosine = float(self.vectors[left] @ self.vectors[right])
        if a.numbers and b.numbers and not a.numbers & b.numbers:
            return None  # different figures: different statements
        if any(cosine >= least and share >= words for least, words in LINK_RULES):
            return (share + cosine) / 2
        return None


def _root(index: int, parent: Mapping[int, int]) -> int:
    while index in parent:
        index = parent[index]
    return index


def group_variants(
    articles: Sequence[Article], quotes: Sequence[Quote], vectors: NDArray[np.float32]
) -> tuple[Group, ...]:
    """Group quotes of the same statement across outlets; every quote lands in one group.

    ``vectors[i]`` is the L2-normalised embedding of ``quotes[i].text``. Groups come in the
    order of their first quote; variants in the order of the quotes.
    """
    if len(vectors) != len(quotes):
        raise ValueError(f"{len(quotes)} quotes but {len(vectors)} vectors")
    outlets = {article.id: article.outlet for article in articles}
    missing = {quote.article_id for quote in quotes} - outlets.keys()
    if missing:
        raise ValueError(f"quotes of unknown articles: {sorted(missing)}")
    quotes = reported(quotes)
    words = [words_of(quote.text) for quote in quotes]
    clusters = Clustering.of(_Grouper(quotes, vectors, words)).clusters
    return tuple(make_group(members, quotes, words, outlets) for members in clusters)


def reported(quotes: Sequence[Quote]) -> list[Quote]:
    """The quotes as grouping sees them: one that reports someone's statement ("X stated
    that …") belongs with X's statement, so its speaker is X."""
    return [
        msgspec.structs.replace(quote, speaker=quote.reported_speaker)
        if quote.reported_speaker
        else quote
        for quote in quotes
    ]


class Clustering(msgspec.Struct, frozen=True, kw_only=True):
    """One grouping run's result: the statements (quote rows, in order of their first row)
    and the evidence that made them (fragment parents, links between units, and every pair
    that passed the fragment test), which says what a change to some quotes can reach."""

    clusters: list[list[int]]
    parent: dict[int, int]
    links: dict[tuple[int, int], float]
    fragments: list[tuple[int, int]]

    @classmethod
    def of(cls, grouper: _Grouper) -> Clustering:
        quotes = grouper.quotes
        fragments: list[tuple[int, int]] = []
        parent = grouper.parents(fragments)
        unit_of = _units(quotes, parent)
        units: dict[int, list[int]] = defaultdict(list)
        for index in range(len(quotes)):
            units[unit_of[index]].append(index)
        # A statement's speaker is what its quotes say: the majority over its fragments too.
        speakers = {
            unit: majority_speaker([quotes[i].speaker for i in members], quotes[unit].speaker)
            for unit, members in units.items()
        }
        score: dict[tuple[int, int], float] = {}
        statements = set(range(len(quotes))) - parent.keys()
        for index in sorted(statements):
            for other in grouper.within_reach(
                index, sorted(grouper.candidates(index) & statements)
            ):
                left, right = sorted((unit_of[index], unit_of[other]))
                if left == right:
                    continue
                strength = grouper.linked(index, other, speakers[left], speakers[right])
                if strength is not None and strength > score.get((left, right), 0.0):
                    score[(left, right)] = strength
        clusters = [
            sorted(index for unit in cluster for index in units[unit])
            for cluster in complete_linkage(sorted(units), score)
        ]
        clusters.sort(key=lambda members: members[0])
        return cls(clusters=clusters, parent=parent, links=score, fragments=fragments)


def _units(quotes: Sequence[Quote], parent: Mapping[int, int]) -> dict[int, int]:
    """The unit of every quote: the root of its fragment tree.

    A quotation that runs over several paragraphs is one utterance but may hold several
    statements, which other outlets report apart, so its paragraphs are not joined here: each
    groups on its own evidence.
    """
    return {index: _root(index, parent) for index in range(len(quotes))}
