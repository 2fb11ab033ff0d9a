"""Grouping quotes of one statement across outlets (invented sentences, fake and real vectors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from index.embed.protocol import Embedder
from index.embed.sentence import SentenceTransformerEmbedder
from index.group.diff import diff_words
from index.group.group import _Grouper, group_variants
from index.group.records import group_id
from index.models import Article, Group, Quote
from tests.fakes import HashEmbedder


@dataclass(frozen=True)
class Said:
    """One quote of an invented article: its text, speaker, and whether it runs on."""

    article: str
    text: str
    speaker: str | None = None
    continues: bool = False


def build(rows: Sequence[Said]) -> tuple[list[Article], list[Quote]]:
    """Articles made of the quotes in quotation marks, one paragraph each, in row order."""
    texts: dict[str, str] = {}
    quotes = []
    for number, row in enumerate(rows):
        before = texts.get(row.article, "")
        start = len(before) + 1
        texts[row.article] = before + "\u201c" + row.text + "\u201d he said.\n\n"
        quotes.append(
            Quote(
                id=f"q{number}",
                article_id=row.article,
                start=start,
                end=start + len(row.text),
                text=row.text,
                kind="full",
                paragraph=before.count("\n\n"),
                speaker=row.speaker,
                continues=row.continues,
            )
        )
    articles = [
        Article(id=article, outlet=f"outlet-{article}", text=text)
        for article, text in texts.items()
    ]
    return articles, quotes


def fake_vectors(quotes: Sequence[Quote]) -> NDArray[np.float32]:
    return HashEmbedder(dimension=512).encode([quote.text for quote in quotes])


def grouped(
    rows: Sequence[Said], vectors: NDArray[np.float32] | None = None
) -> tuple[list[Quote], tuple[Group, ...]]:
    articles, quotes = build(rows)
    if vectors is None:
        vectors = fake_vectors(quotes)
    return quotes, group_variants(articles, quotes, vectors)


def partition(quotes: Sequence[Quote], groups: Sequence[Group]) -> set[frozenset[int]]:
    """Groups as sets of row numbers."""
    row = {quote.id: number for number, quote in enumerate(quotes)}
    return {frozenset(row[variant.quote_id] for variant in group.variants) for group in groups}


def together(rows: Sequence[Said], vectors: NDArray[np.float32] | None = None) -> bool:
    """Whether all rows land in one group."""
    _, groups = grouped(rows, vectors)
    return len(groups) == 1 and len(groups[0].variants) == len(rows)


MAYOR = "mayor-1"
RIVAL = "councillor-2"
SCHOOLS = "We will keep every school in the city open through the winter, whatever the cost."

# (rows, whether they form one group)
JOIN_CASES = [
    pytest.param(
        [
            Said("a", "We’ll keep the libraries open all year", MAYOR),
            Said("b", "we'll keep the libraries open all year.", MAYOR),
        ],
        True,
        id="identical-after-normalisation",
    ),
    pytest.param(
        [
            Said("a", "The harbour co-operation agreement is a good one for the region", MAYOR),
            Said("b", "The harbor cooperation agreement is a good one for the region", MAYOR),
        ],
        True,
        id="british-american-and-hyphenation",
    ),
    pytest.param(
        [Said("a", "school in the city open", MAYOR), Said("b", SCHOOLS, MAYOR)],
        True,
        id="long-fragment-joins-across-outlets",
    ),
    pytest.param(
        [Said("a", "open", MAYOR), Said("b", SCHOOLS, MAYOR)],
        True,
        id="one-word-fragment-same-speaker-other-outlet",
    ),
    pytest.param(
        [Said("a", "open", RIVAL), Said("b", SCHOOLS, MAYOR)],
        False,
        id="one-word-fragment-other-speaker",
    ),
    pytest.param(
        [Said("a", "every school", None), Said("a", SCHOOLS, MAYOR)],
        True,
        id="unattributed-fragment-same-article",
    ),
    pytest.param(
        [Said("a", "every school", None), Said("b", SCHOOLS, MAYOR)],
        False,
        id="unattributed-fragment-other-article",
    ),
    pytest.param(
        [Said("a", SCHOOLS, MAYOR), Said("b", SCHOOLS, RIVAL)],
        False,
        id="same-words-different-speakers",
    ),
    pytest.param(
        [Said("a", SCHOOLS, MAYOR), Said("b", SCHOOLS, None)],
        True,
        id="unknown-speaker-does-not-block",
    ),
    pytest.param(
        [
            Said("a", "The new stadium will cost the city far less than the old one did.", MAYOR),
            Said("b", "The new stadium will open its doors to the fans next summer.", MAYOR),
        ],
        False,
        id="same-speaker-same-topic-different-statements",
    ),
]


@pytest.mark.parametrize(("rows", "joined"), JOIN_CASES)
def test_what_joins(rows: list[Said], joined: bool) -> None:
    assert together(rows) is joined


def test_every_quote_lands_in_exactly_one_group() -> None:
    rows = [row for case in JOIN_CASES for row in case.values[0]]  # type: ignore[attr-defined]
    rows = [Said(f"{n}-{row.article}", row.text, row.speaker) for n, row in enumerate(rows)]
    quotes, groups = grouped(rows)
    ids = [variant.quote_id for group in groups for variant in group.variants]
    assert sorted(ids) == sorted(quote.id for quote in quotes)
    assert len({group.id for group in groups}) == len(groups)


def test_sentences_quoted_apart_and_together_are_one_statement() -> None:
    first = "The port will reopen to container ships on Monday morning"
    second = "Dock workers will be paid for every day of the closure"
    quotes, groups = grouped(
        [
            Said("a", f"{first}. {second}.", MAYOR),
            Said("b", first, MAYOR),
            Said("b", second, MAYOR),
        ]
    )
    assert partition(quotes, groups) == {frozenset({0, 1, 2})}


def test_a_shared_phrase_does_not_chain_two_statements() -> None:
    rows = [
        Said("a", "The new stadium will cost the city far less than the old one did", MAYOR),
        Said("b", "The new stadium will open its doors to the fans next summer", MAYOR),
        Said("b", "new stadium", MAYOR),
    ]
    quotes, groups = grouped(rows)
    # The headline phrase joins the statement of its own article, and only that one.
    assert partition(quotes, groups) == {frozenset({0}), frozenset({1, 2})}


def test_each_paragraph_of_a_long_quotation_groups_on_its_own() -> None:
    # One utterance over two paragraphs may hold two statements that other outlets quote apart.
    rows = [
        Said("a", "We have asked the ministry for an inquiry into the flooding", MAYOR, True),
        Said("a", "Families who lost their homes deserve to know what went wrong", MAYOR),
        Said("b", "Families who lost their homes deserve to know what went wrong", MAYOR),
    ]
    quotes, groups = grouped(rows)
    assert partition(quotes, groups) == {frozenset({0}), frozenset({1, 2})}


def test_group_records() -> None:
    rows = [
        Said("a", "every school", MAYOR),
        Said("b", SCHOOLS, MAYOR),
        Said("c", SCHOOLS.replace("whatever", "no matter"), None),
    ]
    quotes, groups = grouped(rows)
    (group,) = groups
    assert group.canonical_quote_id == "q2"  # the fullest wording: most words
    assert group.canonical_text == quotes[2].text
    assert group.id == group_id("q2")
    assert group.id.startswith("st-")
    assert group.speaker == MAYOR  # the majority of the known speakers
    by_id = {variant.quote_id: variant for variant in group.variants}
    assert [variant.quote_id for variant in group.variants] == ["q0", "q1", "q2"]
    assert by_id["q2"].edits == ()
    assert not by_id["q2"].fragment
    assert by_id["q0"].fragment
    assert not by_id["q1"].fragment
    assert by_id["q1"].edits == diff_words(quotes[2].text, quotes[1].text)
    assert [edit.op for edit in by_id["q1"].edits] == ["substitution"]
    for variant, quote in zip(group.variants, quotes, strict=True):
        assert (variant.article_id, variant.start, variant.end) == (
            quote.article_id,
            quote.start,
            quote.end,
        )
        assert variant.outlet == f"outlet-{quote.article_id}"


def test_group_without_known_speaker() -> None:
    _, groups = grouped([Said("a", SCHOOLS, None)])
    assert [group.speaker for group in groups] == [None]


def test_ids_do_not_depend_on_the_order_of_articles() -> None:
    rows = [
        Said("a", SCHOOLS, MAYOR),
        Said("b", "open", MAYOR),
        Said("c", "Taxes rise", RIVAL),
        Said("d", SCHOOLS, MAYOR),  # ties with the first quote for the fullest wording
    ]
    articles, quotes = build(rows)
    vectors = fake_vectors(quotes)
    forward = group_variants(articles, quotes, vectors)
    backward = group_variants(articles[::-1], quotes[::-1], vectors[::-1])
    assert {g.id: g.canonical_quote_id for g in forward} == {
        g.id: g.canonical_quote_id for g in backward
    }


def test_vectors_must_match_quotes() -> None:
    articles, quotes = build([Said("a", SCHOOLS, MAYOR)])
    with pytest.raises(ValueError, match="vectors"):
        group_variants(articles, quotes, np.zeros((2, 8), dtype=np.float32))


def test_quotes_of_unknown_articles_are_refused() -> None:
    _, quotes = build([Said("a", SCHOOLS, MAYOR)])
    with pytest.raises(ValueError, match="unknown articles"):
        group_variants([], quotes, fake_vectors(quotes))


# ---------------------------------------------------------------- with the real model


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return SentenceTransformerEmbedder()


TRANSLATIONS = [
    Said(
        "wire",
        "Our relations are marked by trust, by a common wish to resist outside pressure "
        "and by the growing volume of trade between our peoples",
        "minister-3",
    ),
    Said(
        "paper",
        "Our relations are characterised by trust, a shared desire to withstand external "
        "pressure and the rising volume of commerce between our two peoples.",
        "minister-3",
    ),
    Said("paper", "shared desire", "minister-3"),
    Said(
        "paper",
        "Trade between our two peoples will double within five years, and our trust will grow.",
        "minister-3",
    ),
    Said(
        "wire",
        "We are ready to build new pipelines and power lines together with our partners",
        "minister-3",
    ),
    Said(
        "agency",
        "We stand ready to build, together with our partners, new pipelines and power lines",
        None,
    ),
]


@pytest.mark.model
def test_translations_join_and_neighbouring_statements_stay_apart(embedder: Embedder) -> None:
    articles, quotes = build(TRANSLATIONS)
    vectors = embedder.encode([quote.text for quote in quotes])
    groups = group_variants(articles, quotes, vectors)
    assert partition(quotes, groups) == {
        frozenset({0, 1, 2}),  # two translations and a fragment of one of them
        frozenset({3}),  # same speaker, same words (trade, trust), another statement
        frozenset({4, 5}),  # reordered, one attributed and one not
    }


def test_quotes_too_far_apart_in_meaning_are_never_compared_word_by_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Many quotes share their words (a story's names), but their vectors are orthogonal: no
    # rule can link them, so no pair's words are compared and each stays its own statement.
    tails = ("ferry timetables change", "lighthouse repairs begin", "fishing quotas shrink",
             "cargo fees rise sharply", "tourist numbers fall", "dredging work resumes",
             "pier lighting fails", "customs checks slow", "crane operators strike",
             "storm damage spreads", "berth prices climb", "pilot boats retire")  # fmt: skip
    rows = [
        Said(f"a{n}", f"The harbour council says {tail} this winter")
        for n, tail in enumerate(tails)
    ]
    articles, quotes = build(rows)
    vectors = np.eye(len(quotes), 16, dtype=np.float32)
    calls = []
    linked = _Grouper.linked

    def counted(self: _Grouper, *args: object) -> float | None:
        calls.append(args)
        return linked(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_Grouper, "linked", counted)
    groups = group_variants(articles, quotes, vectors)
    assert calls == []
    assert len(groups) == len(quotes)
    # With close vectors the same quotes are compared (they share too few words to link).
    group_variants(articles, quotes, np.ones((len(quotes), 16), dtype=np.float32) / 4)
    assert len(calls) >= len(quotes) - 1
