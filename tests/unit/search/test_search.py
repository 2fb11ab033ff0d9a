"""Lookups over a small index built with the hash embedder (no model)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.build import index_corpus
from index.errors import IndexFormatError
from index.models import Answer
from index.search.render import format_answer
from index.search.searcher import Searcher
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import STRIKE, TRADE_A, TRADE_B, sample_corpus


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "index"
    index_corpus(sample_corpus(), out, HashEmbedder())
    return out


@pytest.fixture(scope="module")
def searcher(folder: Path) -> Searcher:
    return Searcher.open(folder, embedder=HashEmbedder())


def top_speaker(answer: Answer) -> str | None:
    if not answer.matches:
        return None
    speaker = answer.matches[0].speaker
    return speaker.name if speaker else "unattributed"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(TRADE_A, "Elena Varga", id="exact"),
        pytest.param(TRADE_B.upper(), "Elena Varga", id="exact-other-outlet-any-case"),
        pytest.param("Workers deserve better pay", "Tom Brandt", id="fragment-of-a-sentence"),
        pytest.param("the strike will continue", "Tom Brandt", id="fragment-lower-case"),
        pytest.param("“We will not raise port fees.”", "Elena Varga", id="quoted-with-marks"),
        pytest.param("Putin said harbour trade grew by 12% last year", "Elena Varga", id="framed"),
        pytest.param("Harbour trade grew by 40% last year", None, id="other-number"),
        pytest.param("Harbour trade grew by 12% in ten years", None, id="other-count-in-words"),
        pytest.param("The strike of two unions will continue", "Tom Brandt", id="count-no-figures"),
        pytest.param("We will raise port fees", None, id="other-polarity"),
        pytest.param("Penguins migrate across frozen oceans", None, id="unrelated"),
    ],
)
def test_lookup_top_speaker(searcher: Searcher, text: str, speaker: str | None) -> None:
    assert top_speaker(searcher.lookup(text)) == speaker


def test_match_carries_statement_and_variants(searcher: Searcher) -> None:
    match = searcher.lookup("harbour trade will keep growing").matches[0]
    assert match.group_id == "g-trade"
    assert match.canonical_text == TRADE_A
    assert match.speaker is not None and match.speaker.aliases == ("Varga", "Minister Varga")
    assert {variant.outlet for variant in match.variants} == {"Daily Post", "Wire Service"}
    assert match.matched_text == TRADE_B
    assert 0.0 < match.score <= 1.0


def test_sentence_unit_is_the_matched_span(searcher: Searcher) -> None:
    match = searcher.lookup("Workers deserve better pay for their work").matches[0]
    assert match.matched_text == "Workers deserve better pay for their work."
    assert match.canonical_text == STRIKE


def test_k_and_min_score(searcher: Searcher) -> None:
    # With no threshold every statement is a match, except the contradicted one: the fees
    # statement negates, the query does not.
    answer = searcher.lookup("strike", k=3, min_score=0.0)
    assert [m.group_id for m in answer.matches] == ["g-strike", "g-trade"]
    assert answer.matches[0].score > answer.matches[1].score
    assert len(searcher.lookup("strike", k=1, min_score=0.0).matches) == 1
    assert searcher.lookup("strike", k=0, min_score=0.0).matches == ()
    assert searcher.lookup(STRIKE, min_score=1.01).matches == ()


def test_outlet_filter_limits_matches_and_variants(searcher: Searcher) -> None:
    answer = searcher.lookup(STRIKE, outlets=["evening times"])
    assert [v.outlet for v in answer.matches[0].variants] == ["Evening Times"]
    assert searcher.lookup(TRADE_A, outlets=["Evening Times"]).matches == ()
    assert searcher.lookup(TRADE_A, outlets=[]).matches == ()


@pytest.mark.parametrize(
    ("text", "claimed", "holds", "actual"),
    [
        pytest.param(TRADE_A, "Elena Varga", True, None, id="holds-full-name"),
        pytest.param(TRADE_A, "Minister Varga", True, None, id="holds-alias"),
        pytest.param(TRADE_A, "Mr Varga", True, None, id="holds-surname"),
        pytest.param(TRADE_A, "Tom Brandt", False, "Elena Varga", id="misattributed"),
        pytest.param("Penguins migrate across oceans", "Tom Brandt", False, None, id="no-match"),
    ],
)
def test_claimed_speaker(
    searcher: Searcher, text: str, claimed: str, holds: bool, actual: str | None
) -> None:
    claim = searcher.lookup(text, claimed_speaker=claimed).claim
    assert claim is not None
    assert (claim.claimed, claim.holds, claim.actual) == (claimed, holds, actual)


def test_reporting_frame_is_a_claim_but_not_the_answer(searcher: Searcher) -> None:
    answer = searcher.lookup("Tom Brandt said harbour trade grew by 12% last year")
    assert top_speaker(answer) == "Elena Varga"
    assert answer.claim is not None
    assert (answer.claim.claimed, answer.claim.holds) == ("Tom Brandt", False)


def test_explicit_claim_wins_over_the_frame(searcher: Searcher) -> None:
    answer = searcher.lookup("Tom Brandt said the strike will continue", claimed_speaker="Varga")
    assert answer.claim is not None and answer.claim.claimed == "Varga"
    assert not answer.claim.holds


def test_no_claim_without_a_speaker(searcher: Searcher) -> None:
    assert searcher.lookup(TRADE_A).claim is None


def test_lookup_many_equals_lookup(searcher: Searcher) -> None:
    texts = [TRADE_A, "Varga said the strike will continue", "penguins"]
    assert searcher.lookup_many(texts, k=2) == [searcher.lookup(t, k=2) for t in texts]


def test_concurrent_lookups_agree(searcher: Searcher) -> None:
    texts = [TRADE_A, STRIKE, "port fees", "penguins", "Workers deserve better pay"] * 8
    expected = [searcher.lookup(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(searcher.lookup, texts)) == expected


def test_read_helpers(searcher: Searcher) -> None:
    group = searcher.group("g-strike")
    assert group is not None and group.speaker == "brandt"
    assert searcher.group("nope") is None
    speaker = searcher.speaker("varga")
    assert speaker is not None and speaker.name == "Elena Varga"
    assert searcher.speaker("nope") is None
    article = searcher.article("a2")
    assert article is not None and article.outlet == "Wire Service"
    assert searcher.article("nope") is None
    assert [q.id for q in searcher.quotes_of("a1")] == ["q1", "q2"]
    assert searcher.quotes_of("nope") == []
    found = searcher.group_of("q5")
    assert found is not None and found.id == "g-strike"
    assert searcher.group_of("nope") is None
    assert searcher.manifest.counts.quotes == len(searcher.corpus.quotes) == 5


class OtherEmbedder(HashEmbedder):
    name = "test/another-model"


@pytest.mark.parametrize(
    "embedder",
    [
        pytest.param(OtherEmbedder(), id="other-name"),
        pytest.param(HashEmbedder(32), id="other-dim"),
    ],
)
def test_open_refuses_another_model(folder: Path, embedder: HashEmbedder) -> None:
    with pytest.raises(IndexFormatError, match="must use the model that built the index"):
        Searcher.open(folder, embedder=embedder)


def test_open_refuses_a_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError):
        Searcher.open(tmp_path / "missing", embedder=HashEmbedder())


def test_format_answer_shows_speaker_text_and_differences(searcher: Searcher) -> None:
    text = format_answer(searcher.lookup(TRADE_A, k=1, claimed_speaker="Tom Brandt"))
    assert "1. Elena Varga (score" in text
    assert TRADE_A in text
    assert "Wire Service (a2): 'growing' where canonical has 'rising'" in text
    assert "Daily Post (a1): as canonical" in text
    assert "It does not hold: it was Elena Varga." in text


def test_format_answer_says_no_match(searcher: Searcher) -> None:
    text = format_answer(searcher.lookup("penguins migrate", claimed_speaker="Tom Brandt"))
    assert "No match: no statement in the corpus reaches the threshold" in text
    assert "Not found" in text
