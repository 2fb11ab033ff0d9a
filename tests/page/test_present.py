"""The page's wording and layout from records: verdicts, first appearance, pages, paragraphs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index import models
from service.page import present
from service.page.views import CandidateView, SpeakerLink


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


def test_one_row_per_article_its_fullest_quote_first_the_rest_folded() -> None:
    def quote(quote_id: str, article: str, text: str, *, fragment: bool) -> models.Variant:
        return models.Variant(
            quote_id=quote_id, article_id=article, outlet=article, start=len(quote_id),
            end=99, text=text, fragment=fragment,
        )  # fmt: skip

    group = models.Group(
        id="st-1",
        speaker=None,
        canonical_quote_id="b1",
        canonical_text="We will open the bridge in May.",
        variants=(
            quote("a1", "a", "bridge", fragment=True),
            quote("a22", "a", "We will open the bridge in May.", fragment=False),
            quote("a333", "a", "open the bridge", fragment=True),
            quote("b1", "b", "open", fragment=True),  # the canonical quote leads its row
            quote("b22", "b", "We will open the bridge.", fragment=False),
        ),
    )
    rows = present.article_rows(group)
    assert [(main.quote_id, [f.quote_id for f in folded]) for main, folded in rows] == [
        ("a22", ["a1", "a333"]),
        ("b1", ["b22"]),
    ]
