"""Inline differences: a variant's edits laid over the canonical text, one row per edit form."""

from __future__ import annotations

import pytest

from index import models
from service.page.diff import Segment, difference_counts, inline_segments

CANONICAL = "We will build the new bridge by spring."


def edit(
    op: models.EditOp, canonical: str, variant: str, start: int, v_start: int = 0
) -> models.Edit:
    return models.Edit(
        op=op,
        canonical=canonical,
        variant=variant,
        canonical_start=start,
        canonical_end=start + len(canonical),
        variant_start=v_start,
        variant_end=v_start + len(variant),
    )


CASES = [
    pytest.param([], [Segment(kind="same", canonical=CANONICAL)], id="identical"),
    pytest.param(
        [edit("omission", "new ", "", 18)],
        [
            Segment(kind="same", canonical="We will build the "),
            Segment(kind="omitted", canonical="new "),
            Segment(kind="same", canonical="bridge by spring."),
        ],
        id="omission",
    ),
    pytest.param(
        [edit("insertion", "", "finally ", 8)],
        [
            Segment(kind="same", canonical="We will "),
            Segment(kind="inserted", variant="finally "),
            Segment(kind="same", canonical="build the new bridge by spring."),
        ],
        id="insertion",
    ),
    pytest.param(
        [edit("substitution", "spring", "summer", 32)],
        [
            Segment(kind="same", canonical="We will build the new bridge by "),
            Segment(kind="substituted", canonical="spring", variant="summer"),
            Segment(kind="same", canonical="."),
        ],
        id="substitution",
    ),
    pytest.param(
        [edit("spelling", "build", "bild", 8)],
        [
            Segment(kind="same", canonical="We will "),
            Segment(kind="minor", canonical="build", variant="bild"),
            Segment(kind="same", canonical=" the new bridge by spring."),
        ],
        id="spelling",
    ),
    pytest.param(
        [edit("punctuation", "spring.", "spring", 32)],
        [
            Segment(kind="same", canonical="We will build the new bridge by "),
            Segment(kind="minor", canonical="spring.", variant="spring"),
        ],
        id="punctuation",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_edits_become_segments_in_reading_order(
    edits: list[models.Edit], expected: list[Segment]
) -> None:
    assert list(inline_segments(CANONICAL, edits)) == expected


def test_the_canonical_side_of_the_segments_is_the_canonical_text() -> None:
    edits = [
        edit("substitution", "spring", "summer", 32),
        edit("omission", "new ", "", 18),
        edit("insertion", "", "finally ", 8),
    ]  # out of order on purpose
    segments = inline_segments(CANONICAL, edits)
    assert "".join(s.canonical for s in segments) == CANONICAL
    assert [s.kind for s in segments] == [
        "same", "inserted", "same", "omitted", "same", "substituted", "same",
    ]  # fmt: skip


def test_a_fragment_s_unquoted_ends_are_edges_and_not_counted() -> None:
    edits = [edit("omission", "We will ", "", 0), edit("omission", " by spring.", "", 28)]
    segments = inline_segments(CANONICAL, edits, fragment=True)
    assert [(s.kind, s.edge) for s in segments] == [
        ("omitted", True), ("same", False), ("omitted", True),
    ]  # fmt: skip
    assert difference_counts(segments) == {}
    whole = inline_segments(CANONICAL, edits)  # not a fragment: real omissions
    assert difference_counts(whole) == {"omitted": 2}


def test_overlapping_edits_keep_the_first() -> None:
    edits = [edit("substitution", "the new", "a", 14), edit("omission", "new", "", 18)]
    segments = inline_segments(CANONICAL, edits)
    assert "".join(s.canonical for s in segments) == CANONICAL
    assert sum(s.kind != "same" for s in segments) == 1


def test_counts_name_each_kind() -> None:
    segments = inline_segments(
        CANONICAL,
        [edit("spelling", "build", "bild", 8), edit("substitution", "spring", "summer", 32)],
    )
    assert difference_counts(segments) == {"spelling or punctuation": 1, "replaced": 1}
