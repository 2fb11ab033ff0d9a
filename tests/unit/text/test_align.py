"""Bounded alignment: however long and repetitive the texts, an alignment looks at a bounded
number of words (the cost the issue's "road build" query set off), and short texts align as
they always did."""

from __future__ import annotations

import difflib
from typing import Any

import pytest

from index.text import align


@pytest.fixture
def sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    real = difflib.SequenceMatcher

    def recording(*args: Any, **kwargs: Any) -> difflib.SequenceMatcher[str]:
        matcher = real(*args, **kwargs)
        seen.append((len(matcher.a), len(matcher.b)))
        return matcher

    monkeypatch.setattr(align.difflib, "SequenceMatcher", recording)
    return seen


def test_long_repetitive_texts_are_aligned_on_bounded_windows(
    sizes: list[tuple[int, int]],
) -> None:
    query = ("road build " * 100).split()
    unit = ("road build x " * 5000).split()
    align.aligned_words(query, unit)
    align.swapped_names(query, unit)
    assert sizes
    assert all(a <= align.MAX_ALIGNED_WORDS and b <= align.MAX_ALIGNED_WORDS for a, b in sizes)


def test_short_texts_align_in_full() -> None:
    query = "Russia and India will trade more".split()
    unit = "Russia and China will trade more".split()
    assert align.aligned_words(query, unit) == 5
    assert align.swapped_names(query, unit)
