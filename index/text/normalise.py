"""Folding and word tokens: the one table that straightens quotes and apostrophes.

Every stage compares text after the same fold: curly and low quotes, guillemets, primes, the
modifier apostrophe and the acute accent used as one become straight ``'`` and ``"``. The fold
is applied before NFKC as well as after it, since NFKC turns the acute accent into a space and
a combining accent.
"""

from __future__ import annotations

import re
import unicodedata

QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u00b4": "'",  # the acute accent used as an apostrophe
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
WORD = re.compile(r"[^\W_]+")
NUMBER = re.compile(r"\d")


def fold_quotes(text: str) -> str:
    """NFKC with quotes and apostrophes folded to straight ones (case kept)."""
    return unicodedata.normalize("NFKC", text.translate(QUOTE_FOLD)).translate(QUOTE_FOLD)


def fold(text: str) -> str:
    """:func:`fold_quotes`, case-folded."""
    return fold_quotes(text).casefold()


def normalise(text: str) -> str:
    """Folded (:func:`fold`), spaces collapsed."""
    return " ".join(fold(text).split())


def words(text: str) -> tuple[str, ...]:
    """The normalised word tokens of a text (letters and digits; everything else separates)."""
    return tuple(WORD.findall(normalise(text)))


def cased_words(text: str) -> tuple[str, ...]:
    """The word tokens of :func:`words` with their case kept (to tell names from words)."""
    return tuple(WORD.findall(fold_quotes(text)))
