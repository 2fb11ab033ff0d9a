"""Terms and their weights: the lexical evidence lookups and grouping share.

Dense similarity alone is weak for a short fragment of a long quote and blind to a changed
number. These pure functions give the evidence that does not depend on the model:

- :func:`content_terms` keeps the stems of the words that carry meaning (no stop words);
- :class:`TermStats` holds document frequencies, and :meth:`TermStats.idf` weighs a term by
  how rare it is in the corpus, so that unseen words weigh the most.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import msgspec

from index.text.normalise import NUMBER, WORD, normalise
from index.text.spelling import spelling_key

_COMPOUND = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")

# Distinct words whose stems and terms are kept; bounded so hostile queries cannot grow it.
CACHE_WORDS = 1 << 16

# Function words that carry no content. Negations are deliberately absent: they are content.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself of off on once only or other our ours ourselves out
    over own s same she should so some such t than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves ll re ve d m
    said says say stated told added
    """.split()
)

# Negation words, and verbs that negate what follows them ("failed to", "stopped").
NEGATIONS = frozenset(
    """
    no not never none nobody nothing neither nor without cannot
    stop stops stopped stopping cease ceases ceased ceasing fail fails failed failing
    refuse refuses refused refusing
    """.split()
)


# Counts written as words ("five months"); "one" is left out: it is a pronoun as often.
NUMBER_WORDS = frozenset(
    """
    two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand dozen half double twice triple
    """.split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=CACHE_WORDS)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a normalised word; numbers are kept as they are."""
    if NUMBER.search(word):
        return word
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


@lru_cache(maxsize=CACHE_WORDS)
def term(word: str) -> str:
    """How a normalised content word is compared: its American spelling's stem."""
    return stem(spelling_key(word))


def content_terms(tokens: Iterable[str]) -> tuple[str, ...]:
    """Terms of the content words, in order, duplicates kept (stop words dropped)."""
    return tuple(term(token) for token in tokens if token not in STOP_WORDS)


def _compounds(text: str) -> Iterator[tuple[str, ...]]:
    """The words of a text, a hyphenated compound ("co-operation") as a run of its parts."""
    for match in _COMPOUND.finditer(normalise(text)):
        yield tuple(WORD.findall(match.group()))


def document_terms(text: str) -> tuple[str, ...]:
    """The terms a quote offers: its content words and each compound joined as one word."""
    found: list[str] = []
    for parts in _compounds(text):
        found.extend(content_terms(parts))
        if len(parts) > 1:
            found.append(term("".join(parts)))
    return tuple(found)


def query_terms(text: str, known: Container[str]) -> tuple[str, ...]:
    """The terms a query asks for; a compound counts as one word where the corpus has it so."""
    found: list[str] = []
    for parts in _compounds(text):
        joined = term("".join(parts)) if len(parts) > 1 else None
        if joined is not None and joined in known:
            found.append(joined)
        else:
            found.extend(content_terms(parts))
    return tuple(found)


def numbers(tokens: Iterable[str]) -> frozenset[str]:
    """The figures among the tokens: amounts, years, percentages, and counts in words."""
    return frozenset(token for token in tokens if NUMBER.search(token) or token in NUMBER_WORDS)


def negated(tokens: Sequence[str]) -> bool:
    """Whether a negation occurs among the tokens (a word, or "n't": "don", "t")."""
    return any(
        token in NEGATIONS or (token == "t" and index > 0 and tokens[index - 1].endswith("n"))
        for index, token in enumerate(tokens)
    )


class TermStats(msgspec.Struct, frozen=True, kw_only=True):
    """Document frequencies of content terms over the indexed quotes."""

    documents: int
    frequencies: dict[str, int]

    @classmethod
    def of(cls, documents: Iterable[Iterable[str]]) -> TermStats:
        counts: Counter[str] = Counter()
        total = 0
        for terms in documents:
            counts.update(set(terms))
            total += 1
        return cls(documents=total, frequencies=dict(counts))

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency (:func:`idf`) of a term over these documents."""
        return idf(self.documents, self.frequencies.get(term, 0))


def idf(documents: float, frequency: float) -> float:
    """BM25's inverse document frequency of a term found in ``frequency`` of ``documents``:
    always positive, largest for unseen terms. The one IDF that lookups and grouping share."""
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


def term_weights(query: Iterable[str], stats: TermStats) -> dict[str, float]:
    """Each distinct query term with its IDF weight (computed once per query)."""
    return {term: stats.idf(term) for term in set(query)}


def coverage(weights: Mapping[str, float], support: Container[str]) -> float:
    """The weighted share of the query's terms (see :func:`term_weights`) that ``support`` has."""
    total = sum(weights.values())
    if total <= 0.0:
        return 0.0
    return sum(weight for term, weight in weights.items() if term in support) / total
