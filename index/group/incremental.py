"""Grouping that follows a corpus as quotes come and go: :class:`IncrementalGrouping`.

:func:`~index.group.group.group_variants` groups a whole corpus at once; a live index adds an
article at a time to millions of quotes. The grouping is local, though: whether two quotes
end in one statement depends only on the quotes linked to them by fragment tests, links
between statements and the complete-linkage clusters those form. So the quotes fall into
*components*, and a component's statements are what ``group_variants`` makes of it alone.

A change regroups only the components it can reach:

- an added quote is compared with its *candidates* (its nearest neighbours by vector, the
  quotes of its speaker and of its article, and the quotes whose rarest words it has, which
  finds the fuller quotes it is a fragment of and the fragments it is fuller than); those it
  could be a fragment, a parent or a link of bring their components in;
- a deleted quote's components are regrouped without it, and the members of the statements
  it was in look for candidates again (a fragment left without its parent now links on its
  own, a statement whose speaker changed may link where it could not).

The components reached are grouped by the same code as a full build
(:class:`~index.group.group.Clustering`) with the word rarity of the whole corpus, so each is
what a full build makes of it. A full regroup can still differ where components not reached
keep the rarity they were grouped with (it moves slowly; links need a margin of shared words),
or where no search finds a candidate (a link between quotes that are not among each other's
neighbours). tests/unit/group/test_incremental.py compares the two.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from index.group.cluster import connected
from index.group.group import (
    SHORT_CONTENT,
    SHORT_WORDS,
    Clustering,
    _Grouper,
    _short,
    reported,
)
from index.group.records import make_group
from index.group.words import Words, words_of
from index.models import Article, Corpus, Group, Quote
from index.text.terms import STOP_WORDS

if TYPE_CHECKING:
    from numpy.typing import NDArray

# The neighbours searched per added quote (by vector), and the cosine above which every quote
# is a candidate whatever its rank (a link needs at least the smallest cosine of LINK_RULES).
NEIGHBOURS = 32
LINK_COSINE = 0.5
# ... and the cosine under which a neighbour is not worth comparing (fragments are closer).
NEAR_COSINE = 0.3

_PUNCTUATION = "\"'“”‘’.,;:!?()[]-–—"
# For each row of vectors, the ids of the quotes nearest to it (the live index searches FAISS).
Near = Callable[["NDArray[np.float32]"], list[list[str]]]


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """What one change did to the statements: the ids gone and the statements made anew
    (a statement that kept its id but changed is in both)."""

    removed: frozenset[str]
    added: tuple[Group, ...]


class IncrementalGrouping:
    """The statements of a corpus, kept up to date one change at a time."""

    def __init__(
        self,
        *,
        near: Near | None = None,
        vector_of: Callable[[str], NDArray[np.float32]] | None = None,
    ) -> None:
        self._near = near or self._exact_near
        self._vector_of = vector_of
        self._seq: dict[str, int] = {}  # quote id -> order in the corpus
        self._next = 0
        self._quotes: dict[str, Quote] = {}
        self._words: dict[str, Words] = {}
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self._outlets: dict[str, str] = {}
        self._by_article: dict[str, list[str]] = defaultdict(list)
        self._by_speaker: dict[str, set[str]] = defaultdict(set)
        self._short_by_speaker: dict[str, set[str]] = defaultdict(set)  # short ones, or maybe
        self._rare: dict[str, set[str]] = defaultdict(set)  # word -> quotes it is rarest of
        self._rare_of: dict[str, tuple[str, ...]] = {}
        self._frequency: Counter[str] = Counter()
        self._component: dict[str, int] = {}
        self._members: dict[int, set[str]] = {}
        self._components = 0
        self._group_of: dict[str, str] = {}
        self._groups: dict[str, Group] = {}

    @classmethod
    def over(
        cls,
        corpus: Corpus,
        *,
        vector_of: Callable[[str], NDArray[np.float32]],
        near: Near,
        frequency: Counter[str],
    ) -> IncrementalGrouping:
        """The grouping of an indexed corpus as its statements stand. Its quotes' words and
        vectors (``vector_of``) are worked out when a change reaches them, each statement is
        a component, and ``frequency`` (its term statistics) stands in for word counts."""
        grouping = cls(near=near, vector_of=vector_of)
        grouping._frequency = Counter(frequency)
        for quote in reported(corpus.quotes):
            grouping._seq[quote.id] = grouping._next
            grouping._next += 1
            grouping._quotes[quote.id] = quote
            grouping._by_article[quote.article_id].append(quote.id)
            if quote.speaker is not None:
                grouping._by_speaker[quote.speaker].add(quote.id)
                if _maybe_short(quote.text):
                    grouping._short_by_speaker[quote.speaker].add(quote.id)
            grouping._rare_of[quote.id] = ()
        grouping._outlets = {article.id: article.outlet for article in corpus.articles}
        for group in corpus.groups:
            grouping._groups[group.id] = group
            grouping._components += 1
            members = {variant.quote_id for variant in group.variants}
            grouping._members[grouping._components] = members
            for qid in members:
                grouping._group_of[qid] = group.id
                grouping._component[qid] = grouping._components
        return grouping

    # ------------------------------------------------------------------------ reading

    def groups(self) -> tuple[Group, ...]:
        """Every statement, in the order of its first quote (as ``group_variants`` gives)."""
        first = {
            gid: min(self._seq[v.quote_id] for v in g.variants) for gid, g in self._groups.items()
        }
        return tuple(sorted(self._groups.values(), key=lambda group: first[group.id]))

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    # ------------------------------------------------------------------------ writing

    def add(
        self, articles: Sequence[Article], quotes: Sequence[Quote], vectors: NDArray[np.float32]
    ) -> Change:
        """Add quotes (``vectors[i]`` is ``quotes[i]``'s) of the articles given or held."""
        if len(vectors) != len(quotes):
            raise ValueError(f"{len(quotes)} quotes but {len(vectors)} vectors")
        self._outlets.update((article.id, article.outlet) for article in articles)
        missing = {quote.article_id for quote in quotes} - self._outlets.keys()
        if missing:
            raise ValueError(f"quotes of unknown articles: {sorted(missing)}")
        fresh = [q for q in reported(quotes) if q.id not in self._quotes]
        row = {quote.id: index for index, quote in enumerate(quotes)}
        for quote in fresh:
            self._index(quote, vectors[row[quote.id]])
        touched = {quote.id for quote in fresh}
        for quote_id, near in self._nearest([quote.id for quote in fresh]):
            touched |= self._reach(quote_id, near)
        return self._regroup(touched)

    def delete(self, article_ids: Iterable[str]) -> Change:
        """Remove the quotes of these articles; regroup what they touched."""
        gone = {qid for aid in article_ids for qid in self._by_article.get(aid, ())}
        if not gone:
            return Change(removed=frozenset(), added=())
        statements = {self._group_of[qid] for qid in gone}
        left = {v.quote_id for gid in statements for v in self._groups[gid].variants} - gone
        for qid in gone:
            self._unindex(qid)
        touched = gone | left
        for qid, near in self._nearest(sorted(left)):
            touched |= self._reach(qid, near)
        return self._regroup(touched)

    # ------------------------------------------------------------------------ state

    def _index(self, quote: Quote, vector: NDArray[np.float32]) -> None:
        words = _words_of_text(quote.text)
        self._seq[quote.id] = self._next
        self._next += 1
        self._quotes[quote.id] = quote
        self._words[quote.id] = words
        self._vectors[quote.id] = np.asarray(vector, dtype=np.float32)
        self._by_article[quote.article_id].append(quote.id)
        if quote.speaker is not None:
            self._by_speaker[quote.speaker].add(quote.id)
            if _short(words):
                self._short_by_speaker[quote.speaker].add(quote.id)
        self._frequency.update(words.content.keys())
        # A quote that is a fragment of another has most of its content words in it
        # (FRAGMENT_CONTAINMENT), so at least one of any fifth-plus-one of them: the rarest
        # are kept, and a fuller quote finds its fragments by its words among them.
        rare = sorted(words.content, key=lambda word: (self._frequency[word], word))
        rare = rare[: math.floor(len(rare) / 5) + 1] if len(rare) > SHORT_WORDS else []
        self._rare_of[quote.id] = tuple(rare)
        for word in rare:
            self._rare[word].add(quote.id)

    def _unindex(self, qid: str) -> None:
        words = self._words_of(qid)
        quote = self._quotes.pop(qid)
        self._words.pop(qid, None)
        self._vectors.pop(qid, None)
        del self._seq[qid]
        self._by_article[quote.article_id].remove(qid)
        if not self._by_article[quote.article_id]:
            del self._by_article[quote.article_id]
        if quote.speaker is not None:
            self._by_speaker[quote.speaker].discard(qid)
            self._short_by_speaker[quote.speaker].discard(qid)
        self._frequency.subtract(words.content.keys())
        for word in self._rare_of.pop(qid):
            self._rare[word].discard(qid)

    def _words_of(self, qid: str) -> Words:
        words = self._words.get(qid)
        if words is None:
            words = self._words[qid] = _words_of_text(self._quotes[qid].text)
        return words

    def _vector(self, qid: str) -> NDArray[np.float32]:
        vector = self._vectors.get(qid)
        if vector is None:
            if self._vector_of is None:
                raise KeyError(qid)
            vector = self._vectors[qid] = self._vector_of(qid)
        return vector

    def _nearest(self, ids: Sequence[str]) -> list[tuple[str, list[str]]]:
        if not ids:
            return []
        return list(zip(ids, self._near(np.stack([self._vector(qid) for qid in ids])), strict=True))

    def _exact_near(self, vectors: NDArray[np.float32]) -> list[list[str]]:
        """Every quote at :data:`LINK_COSINE` or closer, and the :data:`NEIGHBOURS` nearest."""
        ids = list(self._vectors)
        if not ids:
            return [[] for _ in vectors]
        cosines = np.stack([self._vectors[qid] for qid in ids]) @ vectors.T
        found = []
        for cosine in cosines.T:
            close = int(np.count_nonzero(cosine >= LINK_COSINE))
            found.append([ids[row] for row in np.argsort(-cosine)[: max(close, NEIGHBOURS)]])
        return found

    def _reach(self, qid: str, near: Iterable[str]) -> set[str]:
        """The quotes that ``qid`` could be a fragment, a parent or a link of (``near``: its
        nearest neighbours)."""
        quote, words = self._quotes[qid], self._words_of(qid)
        found = set(near) | set(self._by_article[quote.article_id])
        if quote.speaker is not None:
            # A short quote is a fragment only of its speaker's (or article's) quotes; a longer
            # one is the parent of its speaker's short ones. Links come from the neighbours.
            same = self._by_speaker if _short(words) else self._short_by_speaker
            found |= same[quote.speaker]
        for term in words.vocabulary:
            found |= self._rare.get(term, set())
        found = {other for other in found if other in self._quotes and other != qid}
        if not found:
            return found
        ids = [qid, *sorted(found, key=self._seq.__getitem__)]
        grouper = self._grouper(ids)
        reach = set(grouper.within_reach(0, range(1, len(ids))))
        related = set()
        for index in range(1, len(ids)):
            fuller = grouper.position[index] < grouper.position[0]
            part, whole = (0, index) if fuller else (index, 0)
            if grouper.fragment_score(part, whole) is not None or (
                index in reach and grouper.linked(0, index, None, None) is not None
            ):
                related.add(ids[index])
        return related

    def _grouper(self, ids: Sequence[str]) -> _Grouper:
        quotes = [self._quotes[qid] for qid in ids]
        vectors = np.stack([self._vector(qid) for qid in ids])
        words = [self._words_of(qid) for qid in ids]
        return _Grouper(quotes, vectors, words, rarity=(self._frequency, len(self._quotes)))

    def _regroup(self, touched: Iterable[str]) -> Change:
        """Regroup the components of the ``touched`` quotes (held ones, and ones just deleted,
        whose statements and components go)."""
        components = {self._component[qid] for qid in touched if qid in self._component}
        region = {qid for c in components for qid in self._members.pop(c)}
        region |= set(touched)
        removed = set()
        for qid in region:
            gid = self._group_of.pop(qid, None)
            if gid is not None:
                removed.add(gid)
            self._component.pop(qid, None)
        # A statement whose quotes come out the same is the same statement (its canonical
        # quote, variants and speaker follow from them): kept, and not reported as changed.
        old = [self._groups.pop(gid) for gid in removed]
        before = {frozenset(v.quote_id for v in group.variants): group for group in old}
        kept: set[str] = set()
        region &= self._quotes.keys()
        ids = sorted(region, key=self._seq.__getitem__)
        if not ids:
            return Change(removed=frozenset(removed), added=())
        grouper = self._grouper(ids)
        result = Clustering.of(grouper)
        added = []
        for members in result.clusters:
            same = before.get(frozenset(ids[index] for index in members))
            if same is not None:
                group = same
                kept.add(group.id)
            else:
                group = make_group(members, grouper.quotes, grouper.words, self._outlets)
                added.append(group)
            self._groups[group.id] = group
            self._group_of.update((ids[index], group.id) for index in members)
        self._components_of(ids, result)
        return Change(removed=frozenset(removed - kept), added=tuple(added))

    def _components_of(self, ids: Sequence[str], result: Clustering) -> None:
        """Record the components of a regrouped region: quotes joined by a statement, a
        fragment test passed, or a link."""
        pairs: list[tuple[int, int]] = [*result.fragments, *result.links]
        pairs.extend((members[0], other) for members in result.clusters for other in members)
        for found in connected(len(ids), pairs):
            self._components += 1
            self._members[self._components] = {ids[index] for index in found}
            self._component.update((ids[index], self._components) for index in found)


# Reprints word for word are common (wire copy): their words are worked out once.
_words_of_text = functools.lru_cache(maxsize=1 << 16)(words_of)


def _maybe_short(text: str) -> bool:
    """Whether a quote may be short (see :func:`~index.group.group._short`), judged without
    working out its words: few words that are not stop words (a superset of the short ones)."""
    words = [word.strip(_PUNCTUATION).casefold() for word in text.split()]
    return len(words) <= SHORT_WORDS or sum(w not in STOP_WORDS for w in words) < 2 * SHORT_CONTENT
