"""Lexical evidence: normalised words, containment, terms, coverage, swaps and negation."""

from __future__ import annotations

import pytest

from index.text import align, normalise, terms


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Each other’s  CORE interests", ("each", "other", "s", "core", "interests")),
        ("China´s “firm support”", ("china", "s", "firm", "support")),
        ("co-operation, $190 billion (40%)", ("co", "operation", "190", "billion", "40")),
        ("ﬁnal", ("final",)),
    ],
)
def test_words(text: str, words: tuple[str, ...]) -> None:
    assert normalise.words(text) == words


@pytest.mark.parametrize(
    ("haystack", "needle", "found"),
    [
        ("the strike will continue", "strike will", True),
        ("the strike will continue", "the strike will continue", True),
        ("the strikes will continue", "strike will", False),
        ("the strike will continue", "will strike", False),
        ("a b", "", False),
        ("a", "a b", False),
    ],
)
def test_contains(haystack: str, needle: str, found: bool) -> None:
    assert align.contains(normalise.words(haystack), normalise.words(needle)) is found


@pytest.mark.parametrize(
    ("query", "document", "shared"),
    [
        ("characterised", "characterized", True),  # British and American spellings
        ("increasing exports", "exports increased", True),  # stems
        ("cooperation", "co-operation", True),  # a compound the corpus writes with a hyphen
        ("co-operation", "cooperation", True),  # ... or as one word
        ("Russia-China ties", "Russia and China", True),  # parts where the corpus has no compound
        ("weapons", "cooperation", False),
    ],
)
def test_query_terms_meet_document_terms(query: str, document: str, shared: bool) -> None:
    offered = terms.document_terms(document)
    asked = terms.query_terms(query, frozenset(offered))
    assert bool(set(asked) & set(offered)) is shared


def test_stop_words_are_not_terms() -> None:
    assert terms.content_terms(normalise.words("the and of it said")) == ()


def test_idf_weighs_rare_and_unseen_terms_most() -> None:
    stats = terms.TermStats.of([("china", "trade"), ("china", "oil"), ("china",)])
    assert stats.idf("china") < stats.idf("oil") < stats.idf("weapons")
    assert stats.idf("china") > 0


@pytest.mark.parametrize(
    ("query", "support", "expected"),
    [
        (("oil", "trade"), {"oil", "trade", "gas"}, 1.0),
        (("oil", "trade"), set(), 0.0),
        ((), {"oil"}, 0.0),
    ],
)
def test_coverage_bounds(query: tuple[str, ...], support: set[str], expected: float) -> None:
    stats = terms.TermStats.of([("oil",), ("trade",)])
    assert terms.coverage(terms.term_weights(query, stats), support) == expected


def test_coverage_weighs_rare_terms_more() -> None:
    stats = terms.TermStats.of([("china", "oil")] + [("china",)] * 9)
    weights = terms.term_weights(("china", "oil", "oil"), stats)
    rare = terms.coverage(weights, {"oil"})
    common = terms.coverage(weights, {"china"})
    assert rare > 0.5 > common


@pytest.mark.parametrize(
    ("query", "unit", "swapped"),
    [
        ("relations between Russia and India", "relations between Russia and China", True),
        ("trade will reach $300 billion", "trade will reach $200 billion", True),
        ("Mr Li Qiang said it", "Mr Li Xiang said it", True),
        ("the SCO and Brics", "the Shanghai Co-operation Organisation and Brics", False),
        ("relations between Russia and China", "relations between Russia and China", False),
        ("relations are very good", "relations are very strong", False),  # not names
    ],
)
def test_swapped_names(query: str, unit: str, swapped: bool) -> None:
    assert align.swapped_names(normalise.cased_words(query), normalise.cased_words(unit)) is swapped


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("No prerequisites are in place", True),
        ("we don't agree", True),
        ("sanctions failed to hurt", True),
        ("China will never invest", True),
        ("we agree on everything", False),
        ("the talks went on", False),
    ],
)
def test_negated(text: str, negated: bool) -> None:
    assert terms.negated(normalise.words(text)) is negated


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("$300 billion by 2025", {"300", "2025"}),
        ("more than 40%", {"40"}),
        ("for five consecutive months", {"five"}),
        ("one of the outcomes, no one else", set()),
        ("trade doubled", set()),
    ],
)
def test_numbers(text: str, figures: set[str]) -> None:
    assert terms.numbers(normalise.words(text)) == figures
