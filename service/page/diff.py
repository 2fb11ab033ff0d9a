"""A variant's wording against the canonical text, as inline segments the page marks up.

:func:`inline_segments` walks the canonical text and a variant's typed edits
(``index.models.Edit``) and returns the text in order: unchanged words, omitted words (struck
through on the page), inserted words (marked), substitutions (both sides, side by side), and
spelling or punctuation differences (the variant's form, in a quieter style). Pure: text in,
segments out; the template decides the markup and escapes every piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec

from index import models

SegmentKind = Literal["same", "omitted", "inserted", "substituted", "minor"]
# What the page says (as text, beside the styling) for each kind of difference.
KIND_LABELS: dict[SegmentKind, str] = {
    "same": "",
    "omitted": "omitted",
    "inserted": "inserted",
    "substituted": "replaced",
    "minor": "spelling or punctuation",
}
_KIND_OF_OP: dict[str, SegmentKind] = {
    "omission": "omitted",
    "insertion": "inserted",
    "substitution": "substituted",
    "spelling": "minor",
    "case": "minor",
    "punctuation": "minor",
    "reordering": "substituted",
}


class Segment(msgspec.Struct, frozen=True, kw_only=True):
    """A run of the rendered wording. ``canonical`` is the canonical side (empty for an
    insertion), ``variant`` the variant's side (empty for an omission and for unchanged text,
    which ``canonical`` holds)."""

    kind: SegmentKind
    canonical: str = ""
    variant: str = ""
    # An omission at either end of a fragment: the part of the statement it does not quote.
    edge: bool = False

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def inline_segments(
    canonical: str, edits: Sequence[models.Edit], *, fragment: bool = False
) -> tuple[Segment, ...]:
    """The canonical text with ``edits`` applied inline, in reading order.

    Edits are placed by their canonical offsets; an insertion sits at its offset, before the
    unchanged text that follows it. Overlapping edits (which the differ does not make) keep
    the first and drop the rest rather than repeat text. For a ``fragment``, an omission at
    either end is marked ``edge`` (the page folds it: the fragment quotes the rest).
    """
    ordered = sorted(edits, key=lambda e: (e.canonical_start, e.canonical_end, e.variant_start))
    segments: list[Segment] = []
    position = 0
    for edit in ordered:
        start = max(0, min(edit.canonical_start, len(canonical)))
        end = max(start, min(edit.canonical_end, len(canonical)))
        if start < position:
            continue
        if start > position:
            segments.append(Segment(kind="same", canonical=canonical[position:start]))
        kind = _KIND_OF_OP[edit.op]
        if kind == "omitted":
            segments.append(Segment(kind=kind, canonical=canonical[start:end] or edit.canonical))
        elif kind == "inserted":
            segments.append(Segment(kind=kind, variant=edit.variant))
        else:
            segments.append(
                Segment(kind=kind, canonical=canonical[start:end] or edit.canonical,
                        variant=edit.variant)
            )  # fmt: skip
        position = end
    if position < len(canonical):
        segments.append(Segment(kind="same", canonical=canonical[position:]))
    merged = _merge(segments)
    if fragment:
        for n in (0, len(merged) - 1):
            if merged and merged[n].kind == "omitted":
                merged[n] = Segment(kind="omitted", canonical=merged[n].canonical, edge=True)
    return tuple(merged)


def _merge(segments: list[Segment]) -> list[Segment]:
    """Adjacent unchanged runs as one."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and segment.kind == "same" and merged[-1].kind == "same":
            merged[-1] = Segment(kind="same", canonical=merged[-1].canonical + segment.canonical)
        else:
            merged.append(segment)
    return merged


def difference_counts(segments: Sequence[Segment]) -> dict[str, int]:
    """How many differences of each kind (by label), for a row's summary; none if identical.
    A fragment's unquoted ends are not counted: the row says it is a fragment."""
    counts: dict[str, int] = {}
    for segment in segments:
        if segment.kind != "same" and not segment.edge:
            counts[segment.label] = counts.get(segment.label, 0) + 1
    return counts
