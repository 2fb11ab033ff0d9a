"""What grouping and diffing compare of a quote: its tokens, stems and content words.

:func:`tokenize` splits a text at spaces and dashes and keys each word by its spelling
(:func:`index.text.spelling.spelling_key`), so ``co-operation`` meets ``cooperation``;
:func:`words_of` gives the stems, content words and vocabulary a quote is compared by, and
:func:`containment` and :func:`in_order` say how much of one quote another holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import msgspec
from rapidfuzz.distance import LCSseq

from index.text.normalise import fold
from index.text.spelling import spelling_key
from index.text.terms import STOP_WORDS, stem

# A token: a run of text between spaces (its punctuation attached), or a run of dashes.
_TOKEN = re.compile(r"[^\s\u2013\u2014]+|[\u2013\u2014]+")
# What a word's key keeps: letters, digits and inner apostrophes (other's).
_NOT_KEY = re.compile(r"[^\w']|_")
_HYPHENS = re.compile(r"[-\u2010\u2011]")


class Token(msgspec.Struct, frozen=True):
    """A word or a run of punctuation, with its offsets in the text it comes from."""

    text: str
    start: int
    end: int
    key: str  # how the token is compared: spelling-folded for words, folded for punctuation
    word: bool


def tokenize(text: str) -> tuple[Token, ...]:
    """Tokens split at spaces and dashes, each keyed by its word (punctuation aside)."""
    tokens = []
    for match in _TOKEN.finditer(text):
        piece = match.group()
        core = _NOT_KEY.sub("", _HYPHENS.sub("", fold(piece))).strip("'")
        word = bool(core)
        key = spelling_key(core) if word else fold(piece)
        tokens.append(Token(piece, match.start(), match.end(), key, word))
    return tuple(tokens)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Words(msgspec.Struct, frozen=True, kw_only=True):
    """What the grouping compares of one quote's text."""

    stems: tuple[str, ...]  # every word, in order
    content: dict[str, tuple[str, ...]]  # content stems -> stems of a compound's parts
    vocabulary: frozenset[str]  # content stems, compound parts, adjacent words joined
    words: int
    numbers: frozenset[str]  # the figures it states: 40 in "40%", 1.5 in "$1.5bn"


def _plain(key: str) -> str:
    """A word key without its possessive ending and apostrophes: other's -> other."""
    return key.removesuffix("'s").replace("'", "")


def words_of(text: str) -> Words:
    """Stems, content words and the vocabulary that another quote's words are looked up in."""
    tokens = [token for token in tokenize(text) if token.word]
    stems = tuple(stem(_plain(token.key)) for token in tokens)
    content: dict[str, tuple[str, ...]] = {}
    vocabulary: set[str] = set()
    for token, stemmed in zip(tokens, stems, strict=True):
        if _plain(token.key) in STOP_WORDS:
            continue
        pieces = [piece for piece in tokenize(token.text.replace("-", " ")) if piece.word]
        parts = tuple(
            stem(_plain(piece.key))
            for piece in pieces
            if _plain(piece.key) not in STOP_WORDS and len(pieces) > 1
        )
        content[stemmed] = parts
        vocabulary.add(stemmed)
        vocabulary.update(parts)
    for left, right in pairwise(tokens):
        # "large scale" meets "large-scale": the joined pair is looked up too.
        vocabulary.add(stem(_plain(left.key) + _plain(right.key)))
    return Words(
        stems=stems,
        content=content,
        vocabulary=frozenset(vocabulary),
        words=len(tokens),
        numbers=frozenset(_NUMBER.findall(text)),
    )


def containment(part: Words, whole: Words, weight: Callable[[str], float] | None = None) -> float:
    """The share of ``part``'s content words that occur in ``whole`` (a compound counts when
    its joined form or all of its parts do), each word weighted by ``weight`` (default 1)."""
    total = found = 0.0
    for word, parts in part.content.items():
        mass = 1.0 if weight is None else weight(word)
        total += mass
        if word in whole.vocabulary or (parts and all(p in whole.vocabulary for p in parts)):
            found += mass
    return found / total if total > 0.0 else 0.0


def in_order(part: Words, whole: Words) -> float:
    """The share of ``part``'s words that align with ``whole``'s in order (their longest
    common subsequence)."""
    if not part.stems:
        return 0.0
    return LCSseq.similarity(part.stems, whole.stems) / len(part.stems)
