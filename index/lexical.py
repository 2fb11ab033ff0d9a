"""Lexical evidence for lookups: normalised words, containment and IDF-weighted coverage.

Dense similarity alone is weak for a short fragment of a long quote and blind to a changed
number. These pure functions give the evidence that does not depend on the model:

- :func:`words` turns a text into normalised word tokens (NFKC, curly quotes and the acute
  accent folded, case-folded, split at anything that is not a letter or digit);
- :func:`contains` says whether one word sequence occurs in another at word boundaries;
- :func:`content_terms` keeps the stems of the words that carry meaning (no stop words);
- :class:`TermStats` holds document frequencies, and :meth:`TermStats.idf` weighs a term by
  how rare it is in the corpus, so that unseen words weigh the most.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import msgspec

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "\u0060": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_WORD = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_NUMBER = re.compile(r"\d")
# A query must align this share of its words with a unit before a swap in it counts.
SWAP_MIN_ALIGNED = 0.6

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


def normalise(text: str) -> str:
    """NFKC, curly quotes and apostrophes folded to straight ones, case-folded, spaces collapsed."""
    return " ".join(_fold(text).casefold().split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def words(text: str) -> tuple[str, ...]:
    """The normalised word tokens of a text (letters and digits; everything else separates)."""
    return tuple(_WORD.findall(normalise(text)))


def cased_words(text: str) -> tuple[str, ...]:
    """The word tokens of :func:`words` with their case kept (to tell names from words)."""
    return tuple(_WORD.findall(_fold(text)))


def is_name(token: str) -> bool:
    """A capitalised token that is not a function word, or a number: what a swap changes."""
    return bool(_NUMBER.search(token)) or (
        token[:1].isupper() and token.casefold() not in STOP_WORDS
    )


def aligned_words(query: Sequence[str], unit: Sequence[str]) -> int:
    """How many words of the two sequences align, in order (case aside)."""
    if not query or not unit:
        return 0
    matcher = difflib.SequenceMatcher(
        a=[token.casefold() for token in query],
        b=[token.casefold() for token in unit],
        autojunk=False,
    )
    return sum(block.size for block in matcher.get_matching_blocks())


def _acronym(short: Sequence[str], long: Sequence[str]) -> bool:
    """ "SCO" for "Shanghai Co-operation Organisation": initials of the capitalised words."""
    if len(short) != 1 or not short[0].isupper() or len(short[0]) < 2:
        return False
    initials = "".join(token[0] for token in long if token[:1].isupper())
    return initials.casefold() == short[0].casefold()


def swapped_names(query: Sequence[str], unit: Sequence[str]) -> bool:
    """Whether ``query`` copies ``unit`` but puts other names or numbers in its place.

    Both are :func:`cased_words`, and the query should be a close copy of the unit (most of
    the shorter one's words aligned, see :func:`aligned_words`). A replaced run that is all
    names on both sides ("Russia and India" for "Russia and China", "$300" for "$200") is a
    swap; an acronym for the words it abbreviates ("SCO" for "Shanghai Co-operation
    Organisation") is not.
    """
    matcher = difflib.SequenceMatcher(
        a=[token.casefold() for token in query],
        b=[token.casefold() for token in unit],
        autojunk=False,
    )
    for op, q0, q1, u0, u1 in matcher.get_opcodes():
        if op != "replace":
            continue
        ours, theirs = query[q0:q1], unit[u0:u1]
        if not all(map(is_name, ours)) or not all(map(is_name, theirs)):
            continue
        if _acronym(ours, theirs) or _acronym(theirs, ours):
            continue
        return True
    return False


def contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether ``needle`` occurs as a contiguous run of ``haystack`` (word boundaries hold)."""
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first = needle[0]
    return any(
        haystack[i] == first and tuple(haystack[i : i + n]) == tuple(needle)
        for i in range(len(haystack) - n + 1)
    )


@cache
def _stemmer() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a normalised word; numbers are kept as they are."""
    if _NUMBER.search(word):
        return word
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


@cache
def term(word: str) -> str:
    """How a normalised content word is compared: its American spelling's stem."""
    # index.diff imports this module for STOP_WORDS, hence the import here.
    from index.diff import spelling_key

    return stem(spelling_key(word))


def content_terms(tokens: Iterable[str]) -> tuple[str, ...]:
    """Terms of the content words, in order, duplicates kept (stop words dropped)."""
    return tuple(term(token) for token in tokens if token not in STOP_WORDS)


def _compounds(text: str) -> Iterator[tuple[str, ...]]:
    """The words of a text, a hyphenated compound ("co-operation") as a run of its parts."""
    for match in _COMPOUND.finditer(normalise(text)):
        yield tuple(_WORD.findall(match.group()))


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
    return frozenset(token for token in tokens if _NUMBER.search(token) or token in NUMBER_WORDS)


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
        """BM25's inverse document frequency: always positive, largest for unseen terms."""
        df = self.frequencies.get(term, 0)
        return math.log(1.0 + (self.documents - df + 0.5) / (df + 0.5))


def term_weights(query: Iterable[str], stats: TermStats) -> dict[str, float]:
    """Each distinct query term with its IDF weight (computed once per query)."""
    return {term: stats.idf(term) for term in set(query)}


def coverage(weights: Mapping[str, float], support: Container[str]) -> float:
    """The weighted share of the query's terms (see :func:`term_weights`) that ``support`` has."""
    total = sum(weights.values())
    if total <= 0.0:
        return 0.0
    return sum(weight for term, weight in weights.items() if term in support) / total
