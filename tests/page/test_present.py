"""The page's wording and layout from records: verdicts, first appearance, pages, paragraphs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index import models
from service.page import present
from service.page.views import CandidateView, QuoteMark, SpeakerLink, TextRun


def candidate(name: str | None) -> CandidateView:
    speaker = None if name is None else SpeakerLink(id="s1", name=name, kind="person")
    return CandidateView(
        statement_id="st-1", score=0.9, strong=True, speaker=speaker, matched_text="x",
        canonical_text="x", outlets=("Gazette",), confidence=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("best", "claim", "kind", "text"),
    [
        (None, None, "not_found", "Not found in the corpus"),
        (None, models.ClaimCheck(claimed="Ana Lopes", holds=False), "not_found", None),
        (candidate("Ana Lopes"), None, "said_by", "Said by Ana Lopes"),
        (
            candidate("Ana Lopes"),
            models.ClaimCheck(claimed="Lopes", holds=True),
            "said_by",
            "Said by Ana Lopes",
        ),
        (
            candidate("Ana Lopes"),
            models.ClaimCheck(claimed="Ben Okoro", holds=False, actual="Ana Lopes"),
            "said_by_other",
            "Said by someone else: Ana Lopes",
        ),
        (
            candidate(None),
            models.ClaimCheck(claimed="Ben Okoro", holds=False),
            "said_by_other",
            "Not said by Ben Okoro: the articles name no one for it",
        ),
    ],
)
def test_verdicts_in_plain_words(
    best: CandidateView | None, claim: models.ClaimCheck | None, kind: str, text: str | None
) -> None:
    verdict = present.verdict(best, claim)
    assert verdict.kind == kind
    if text is not None:
        assert verdict.text == text


def variant(quote_id: str, outlet: str) -> models.Variant:
    return models.Variant(
        quote_id=quote_id, article_id=quote_id, outlet=outlet, start=0, end=1, text="x"
    )


def test_first_seen_is_the_earliest_dated_variant_with_its_same_day_outlets() -> None:
    variants = [variant("a", "Gazette"), variant("b", "Courier"), variant("c", "Herald"),
                variant("d", "Post")]  # fmt: skip
    whens = {
        "a": datetime(2024, 3, 2, tzinfo=UTC),
        "b": datetime(2024, 3, 1, tzinfo=UTC),
        "c": datetime(2024, 3, 1, tzinfo=UTC),
        "d": None,
    }
    articles: dict[str, models.Article | None] = {
        "b": models.Article(id="b", outlet="Courier", text="x", title="Bridge plan"),
        "a": None, "c": None, "d": None,
    }  # fmt: skip
    seen = present.first_seen(variants, articles, whens)
    assert seen is not None
    assert (seen.outlet, seen.published, seen.title) == ("Courier", "2024-03-01", "Bridge plan")
    assert seen.also_that_day == ("Herald",)
    assert present.first_seen(variants[3:], articles, whens) is None


def test_a_timed_first_appearance_names_no_ties() -> None:
    variants = [variant("a", "Gazette"), variant("b", "Courier")]
    whens = {"a": datetime(2024, 3, 1, 8, tzinfo=UTC), "b": datetime(2024, 3, 1, 9, tzinfo=UTC)}
    seen = present.first_seen(variants, {"a": None, "b": None}, whens)
    assert seen is not None
    assert (seen.outlet, seen.published, seen.also_that_day) == (
        "Gazette",
        "2024-03-01 08:00 UTC",
        (),
    )


def test_pager_links_keep_the_query_and_stop_at_the_ends() -> None:
    first = present.pager(120, 1, 50, name="lopes")
    assert (first.pages, first.previous, first.next) == (3, None, "?name=lopes&page=2")
    last = present.pager(120, 3, 50, name="")
    assert (last.previous, last.next) == ("?page=2", None)
    assert present.pager(0, 1, 50).pages == 1


def test_paragraphs_split_runs_at_line_breaks_and_keep_quote_marks() -> None:
    mark = QuoteMark(quote_id="q", speaker=None, statement_id=None, kind="full")
    runs = [
        TextRun(text="Intro.\n\nShe said "),
        TextRun(text="one\ntwo", quote=mark),
        TextRun(text="."),
    ]
    paragraphs = present.paragraphs(runs)
    assert [[r.text for r in p] for p in paragraphs] == [
        ["Intro."],
        ["She said ", "one"],
        ["two", "."],
    ]
    assert paragraphs[1][1].quote == mark and paragraphs[2][0].quote == mark
