"""Strong and weak matches: only candidates that pass the threshold count as a match.

A new user asking an exact quote once got four unrelated statements just over the threshold,
all under ``matched: true``; a no-match said nothing of what came closest.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from index.build import index_corpus
from index.search.searcher import Searcher
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import TRADE_A, sample_corpus

FRAGMENT = "Workers deserve better pay"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    out = tmp_path_factory.mktemp("strong") / "index"
    index_corpus(sample_corpus(), out, HashEmbedder())
    return Searcher.open(out, embedder=HashEmbedder())


def test_every_match_is_strong_by_default(searcher: Searcher) -> None:
    answer = searcher.lookup(TRADE_A, k=5)
    assert answer.matched
    assert answer.threshold == searcher.manifest.calibration.threshold
    assert answer.matches
    assert all(match.strong for match in answer.matches)
    assert all(match.score >= answer.threshold for match in answer.matches)
    assert answer.nearest is None


def test_weak_candidates_only_when_asked_and_marked(searcher: Searcher) -> None:
    answer = searcher.lookup(FRAGMENT, k=5, include_weak=True)
    strong = [match for match in answer.matches if match.strong]
    weak = [match for match in answer.matches if not match.strong]
    assert strong == list(searcher.lookup(FRAGMENT, k=5).matches)
    assert strong
    assert weak
    assert all(match.score < answer.threshold for match in weak)
    assert len(answer.matches) <= 5


def test_a_no_match_names_the_nearest_candidate(searcher: Searcher) -> None:
    answer = searcher.lookup("Penguins migrate across frozen harbour oceans")
    assert not answer.matched
    assert answer.matches == ()
    assert answer.nearest is not None
    assert not answer.nearest.strong
    assert answer.nearest.score < answer.threshold


def test_only_weak_candidates_is_not_a_match(searcher: Searcher) -> None:
    answer = searcher.lookup("Penguins migrate across frozen harbour oceans", include_weak=True)
    assert answer.matches
    assert not answer.matched
    assert all(not match.strong for match in answer.matches)


def test_a_caller_minimum_is_the_threshold_reported(searcher: Searcher) -> None:
    answer = searcher.lookup(TRADE_A, min_score=0.99, include_weak=True)
    assert answer.threshold == 0.99
    assert all(match.strong == (match.score >= 0.99) for match in answer.matches)


@pytest.mark.parametrize(
    ("text", "verdict", "actual"),
    [
        pytest.param("Elena Varga said " + TRADE_A, "supported", None, id="supported"),
        pytest.param("Tom Brandt said " + TRADE_A, "said_by_other", "Elena Varga", id="other"),
        pytest.param(
            "Tom Brandt said penguins migrate across frozen oceans", "not_found", None, id="absent"
        ),
    ],
)
def test_claim_verdicts_tell_a_refutation_from_an_absence(
    searcher: Searcher, text: str, verdict: str, actual: str | None
) -> None:
    claim = searcher.lookup(text).claim
    assert claim is not None
    assert (claim.verdict, claim.actual, claim.holds) == (verdict, actual, verdict == "supported")


def test_a_verdict_carries_the_attributions_confidence(tmp_path: Path) -> None:
    corpus = sample_corpus()
    # Each attributed quote its own confidence, so the one a verdict reports can be told apart.
    quotes = tuple(
        msgspec.structs.replace(quote, speaker_confidence=round(0.55 + 0.05 * n, 2))
        if quote.speaker is not None
        else quote
        for n, quote in enumerate(corpus.quotes)
    )
    index_corpus(msgspec.structs.replace(corpus, quotes=quotes), tmp_path / "index", HashEmbedder())
    searcher = Searcher.open(tmp_path / "index", embedder=HashEmbedder())
    by_id = {quote.id: quote for quote in quotes}

    for claimed in ("Elena Varga", "Tom Brandt"):
        answer = searcher.lookup(f"{claimed} said {TRADE_A}")
        assert answer.claim is not None and answer.matches
        best = answer.matches[0]
        assert best.speaker is not None
        expected = max(
            by_id[v.quote_id].speaker_confidence or 0.0
            for v in best.variants
            if by_id[v.quote_id].speaker == best.speaker.id
        )
        assert answer.claim.confidence == expected
        assert answer.claim.verdict in {"supported", "said_by_other"}
    absent = searcher.lookup("Tom Brandt said penguins migrate across frozen oceans").claim
    assert absent is not None
    assert (absent.verdict, absent.confidence) == ("not_found", None)
