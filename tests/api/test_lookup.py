"""Lookups over the hash-embedded seeds index: shape, filters, claims, batches."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service import schemas

QUERY = "firm support on issues concerning each other's core interests"


def get_lookup(client: TestClient[Litestar], **params: Any) -> schemas.LookupResponse:
    response = client.get("/v1/lookup", params=params)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=schemas.LookupResponse, strict=True)


def post_lookup(client: TestClient[Litestar], **body: Any) -> schemas.LookupResponse:
    response = client.post("/v1/lookup", json=body)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=schemas.LookupResponse, strict=True)


def test_get_and_post_answer_alike(client: TestClient[Litestar]) -> None:
    by_get = get_lookup(client, text=QUERY, k=3, claimed_speaker="Someone Else")
    by_post = post_lookup(client, text=QUERY, k=3, claimed_speaker="Someone Else")
    assert by_get == by_post


def test_answer_carries_speaker_variants_and_differences(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    answer = post_lookup(client, text=QUERY, k=3, max_variants=200)
    assert answer.matched and answer.matches
    assert len(answer.matches) <= 3
    scores = [m.score for m in answer.matches]
    assert scores == sorted(scores, reverse=True)
    articles = {a.id: a for a in searcher.corpus.articles}
    best = answer.matches[0]
    assert best.speaker is not None
    group = next(g for g in searcher.corpus.groups if g.id == best.statement_id)
    assert best.canonical_text == group.canonical_text
    folded = [f.quote_id for v in best.variants for f in v.fragments]
    assert len(best.variants) + len(folded) == len(group.variants) == best.variant_count
    for variant in best.variants:
        assert articles[variant.article_id].text[variant.start : variant.end] == variant.text
        assert variant.outlet == articles[variant.article_id].outlet
    assert any(v.differences for v in best.variants)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_k_bounds_the_matches(client: TestClient[Litestar], k: int) -> None:
    assert len(get_lookup(client, text=QUERY, k=k).matches) <= k


def test_min_score_drops_weaker_matches(client: TestClient[Litestar]) -> None:
    answer = post_lookup(client, text=QUERY, k=5, min_score=0.99)
    assert all(m.score >= 0.99 for m in answer.matches)
    assert answer.matched == bool(answer.matches)


def test_outlet_filter_keeps_only_that_outlets_wording(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    outlet = searcher.corpus.articles[1].outlet
    for answer in (
        get_lookup(client, text=QUERY, outlet=outlet.upper()),
        post_lookup(client, text=QUERY, outlets=[outlet]),
    ):
        assert answer.matches
        assert {v.outlet for m in answer.matches for v in m.variants} == {outlet}


def test_claimed_speaker_is_checked(client: TestClient[Litestar]) -> None:
    answer = post_lookup(client, text=QUERY, claimed_speaker="Somebody Unrelated")
    assert answer.claim is not None
    assert answer.claim.claimed == "Somebody Unrelated"
    assert answer.claim.holds is False
    assert post_lookup(client, text=QUERY).claim is None


def test_batch_answers_in_order_like_single_lookups(client: TestClient[Litestar]) -> None:
    texts = [QUERY, "raise the level of economic, trade and investment cooperation", QUERY]
    response = client.post("/v1/lookup/batch", json={"texts": texts, "k": 2})
    assert response.status_code == 200
    batch = msgspec.json.decode(response.content, type=schemas.BatchLookupResponse, strict=True)
    assert len(batch.results) == len(texts)
    for text, result in zip(texts, batch.results, strict=True):
        single = post_lookup(client, text=text, k=2)
        assert [m.statement_id for m in result.matches] == [m.statement_id for m in single.matches]
    assert batch.results[0] == batch.results[2]


def test_every_answer_reports_its_threshold_and_strength(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    answer = get_lookup(client, text=QUERY, k=5)
    assert answer.threshold == searcher.manifest.calibration.threshold
    assert answer.matched
    assert all(match.strong for match in answer.matches)
    weak = post_lookup(client, text=QUERY, k=5, include_weak=True)
    assert [m for m in weak.matches if m.strong] == list(answer.matches)
    assert all(m.score < weak.threshold for m in weak.matches if not m.strong)


def test_a_no_match_names_the_nearest_candidate(client: TestClient[Litestar]) -> None:
    answer = get_lookup(client, text="Penguins migrate across the frozen southern oceans")
    assert not answer.matched
    assert answer.matches == ()
    assert answer.nearest is not None
    assert not answer.nearest.strong
    assert answer.nearest.score < answer.threshold


def test_variant_rows_are_bounded_and_continue_by_cursor(client: TestClient[Litestar]) -> None:
    answer = get_lookup(client, text=QUERY, k=1, max_variants=1)
    match = answer.matches[0]
    assert len(match.variants) == 1
    assert match.variant_count >= 1
    if match.next_variants_cursor is not None:
        response = client.get(
            f"/v1/statements/{match.statement_id}",
            params={"max_variants": 1, "variants_cursor": match.next_variants_cursor},
        )
        assert response.status_code == 200, response.text
        rest = msgspec.json.decode(response.content, type=schemas.Statement)
        assert rest.variants and rest.variants[0].quote_id != match.variants[0].quote_id


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/v1/lookup", {"text": QUERY, "max_variants": 201}, id="too-many"),
        pytest.param("/v1/lookup", {"text": QUERY, "max_variants": 0}, id="none"),
    ],
)
def test_bad_variant_bounds_are_400(
    client: TestClient[Litestar], path: str, params: dict[str, Any]
) -> None:
    assert client.get(path, params=params).status_code == 400


def test_a_bad_variants_cursor_is_400(client: TestClient[Litestar], searcher: Searcher) -> None:
    statement = searcher.corpus.groups[0].id
    response = client.get(f"/v1/statements/{statement}", params={"variants_cursor": "bm9wZQ"})
    assert response.status_code == 400


def test_variants_carry_provenance_and_first_seen(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    match = get_lookup(client, text=QUERY, k=1, max_variants=200).matches[0]
    articles = {a.id: a for a in searcher.corpus.articles}
    for variant in match.variants:
        article = articles[variant.article_id]
        assert (variant.title, variant.url, variant.published) == (
            article.title,
            article.url,
            article.published,
        )
        assert variant.kind is not None
    dated = [v for v in match.variants if v.published]
    if dated:
        assert match.first_seen is not None
        assert match.first_seen.published == min(v.published or "" for v in dated)
    else:
        assert match.first_seen is None
