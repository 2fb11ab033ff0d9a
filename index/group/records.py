"""A statement's record: its canonical text (the fullest wording) and every quote as a variant
with its outlet, offsets, fragment flag and :func:`~index.group.diff.diff_words` edits against
the canonical text, under a stable id. :mod:`index.group.group` decides the members."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

from index.group.diff import diff_words
from index.group.words import Words
from index.models import Edit, Group, Quote, Variant


def fullness(quote: Quote, words: Words) -> tuple[int, int, str]:
    """A total order, fullest first: more words, then more characters, then the quote id (so
    that the order of the input does not decide)."""
    return (-words.words, -len(quote.text), quote.id)


def majority_speaker(speakers: Sequence[str | None], preferred: str | None) -> str | None:
    """The most frequent known speaker; a tie goes to ``preferred``, then to the first id."""
    counts = Counter(speaker for speaker in speakers if speaker is not None)
    if not counts:
        return None
    best = max(counts.values())
    tied = [speaker for speaker in counts if counts[speaker] == best]
    return preferred if preferred in tied else min(tied)


def group_id(canonical_quote_id: str) -> str:
    """A stable statement id: ``st-`` and a short hash of the canonical quote's id."""
    return "st-" + hashlib.blake2b(canonical_quote_id.encode(), digest_size=6).hexdigest()


def _reaches_short(canonical: str, edits: Sequence[Edit]) -> bool:
    """Whether a variant stops short of an end of the canonical text (a fragment of it)."""
    return any(
        edit.op == "omission"
        and (
            not canonical[: edit.canonical_start].strip()
            or not canonical[edit.canonical_end :].strip()
        )
        for edit in edits
    )


def make_group(
    members: Sequence[int],
    quotes: Sequence[Quote],
    words: Sequence[Words],
    outlets: Mapping[str, str],
) -> Group:
    canonical = min(members, key=lambda i: fullness(quotes[i], words[i]))
    canonical_quote = quotes[canonical]
    variants = []
    for index in members:
        quote = quotes[index]
        edits = () if index == canonical else diff_words(canonical_quote.text, quote.text)
        variants.append(
            Variant(
                quote_id=quote.id,
                article_id=quote.article_id,
                outlet=outlets[quote.article_id],
                start=quote.start,
                end=quote.end,
                text=quote.text,
                fragment=_reaches_short(canonical_quote.text, edits),
                edits=edits,
            )
        )
    return Group(
        id=group_id(canonical_quote.id),
        speaker=majority_speaker([quotes[i].speaker for i in members], canonical_quote.speaker),
        canonical_quote_id=canonical_quote.id,
        canonical_text=canonical_quote.text,
        variants=tuple(variants),
    )
