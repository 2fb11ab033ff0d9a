"""Search units: the spans of quote text that get a vector each.

Every quote is a unit. A quote of several sentences also gives one unit per sentence, so a
query that is one sentence of a long quote meets a vector of about its own length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from index.models import Quote

UnitKind = Literal["quote", "sentence"]

# A sentence ends at . ! or ? (and any closing marks after it) before a space and a capital,
# a digit or an opening mark.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_MIN_SENTENCE_WORDS = 3


class Unit(msgspec.Struct, frozen=True, kw_only=True):
    """One vector's text: a quote, or one sentence of it (offsets into the quote's text)."""

    quote_id: str
    group_id: str
    kind: UnitKind
    start: int
    end: int
    text: str


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, edge spaces excluded."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            trimmed.append((begin + left, begin + right))
    return trimmed


def quote_units(quotes: Iterable[Quote], group_of: Mapping[str, str]) -> tuple[Unit, ...]:
    """The units of the quotes that belong to a group, in quote order.

    A sentence unit is added only when the quote has at least two sentences of
    :data:`_MIN_SENTENCE_WORDS` words or more; shorter pieces stay inside the quote's unit.
    """
    units: list[Unit] = []
    for quote in quotes:
        group_id = group_of.get(quote.id)
        if group_id is None:
            continue
        units.append(
            Unit(
                quote_id=quote.id,
                group_id=group_id,
                kind="quote",
                start=0,
                end=len(quote.text),
                text=quote.text,
            )
        )
        sentences = [
            (start, end)
            for start, end in sentence_spans(quote.text)
            if len(quote.text[start:end].split()) >= _MIN_SENTENCE_WORDS
        ]
        if len(sentences) < 2:
            continue
        units.extend(
            Unit(
                quote_id=quote.id,
                group_id=group_id,
                kind="sentence",
                start=start,
                end=end,
                text=quote.text[start:end],
            )
            for start, end in sentences
        )
    return tuple(units)
