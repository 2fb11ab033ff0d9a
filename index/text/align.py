"""Word alignment: how two word sequences line up, whether one contains the other, and
whether a close copy swaps names or figures."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from index.text.normalise import NUMBER
from index.text.terms import STOP_WORDS

# A query must align this share of its words with a unit before a swap in it counts.
SWAP_MIN_ALIGNED = 0.6


# Words of each side an alignment looks at, at most. difflib's matcher (junk heuristic off)
# costs up to the product of the lengths for every block it finds, and a long repetitive
# text finds many: capped, one alignment costs a bounded amount whatever the texts. A query
# holds at most some 200 words (1,000 characters); a longer unit is aligned by its start.
MAX_ALIGNED_WORDS = 400


def _matcher(query: Sequence[str], unit: Sequence[str]) -> difflib.SequenceMatcher[str]:
    return difflib.SequenceMatcher(
        a=[token.casefold() for token in query[:MAX_ALIGNED_WORDS]],
        b=[token.casefold() for token in unit[:MAX_ALIGNED_WORDS]],
        autojunk=False,
    )


def is_name(token: str) -> bool:
    """A capitalised token that is not a function word, or a number: what a swap changes."""
    return bool(NUMBER.search(token)) or (
        token[:1].isupper() and token.casefold() not in STOP_WORDS
    )


def aligned_words(query: Sequence[str], unit: Sequence[str]) -> int:
    """How many words of the two sequences align, in order (case aside)."""
    if not query or not unit:
        return 0
    matcher = _matcher(query, unit)
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
    matcher = _matcher(query, unit)
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
