"""Claimed speakers against the corpus's speaker."""

from __future__ import annotations

import pytest

from index.models import Quote, Speaker
from index.search.claims import attribution_confidence, check_claim, names_speaker

PESKOV = Speaker(
    id="p",
    name="Dmitry Peskov",
    kind="person",
    aliases=("Peskov", "Kremlin spokesman Dmitry Peskov"),
)
AGENCY = Speaker(id="x", name="Xinhua News Agency", kind="organisation", aliases=("Xinhua",))


@pytest.mark.parametrize(
    ("claimed", "speaker", "names"),
    [
        ("Dmitry Peskov", PESKOV, True),
        ("peskov", PESKOV, True),
        ("Mr Peskov", PESKOV, True),
        ("Kremlin spokesman", PESKOV, True),
        ("the Kremlin", PESKOV, True),
        ("Spokesman Dmitry S. Peskov", PESKOV, True),  # surname of a person
        ("Putin", PESKOV, False),
        ("Dmitry Medvedev", PESKOV, False),
        ("Mr", PESKOV, False),
        ("Xinhua", AGENCY, True),
        ("the agency", AGENCY, True),
        ("Tass news agency", AGENCY, False),
    ],
)
def test_names_speaker(claimed: str, speaker: Speaker, names: bool) -> None:
    assert names_speaker(claimed, speaker) is names


def test_check_claim() -> None:
    assert check_claim("Peskov", PESKOV).holds
    assert check_claim("Peskov", PESKOV).actual is None
    wrong = check_claim("Putin", PESKOV)
    assert (wrong.holds, wrong.actual) == (False, "Dmitry Peskov")
    unknown = check_claim("Putin", None)
    assert (unknown.holds, unknown.actual) == (False, None)


def test_a_verdict_carries_the_confidence_it_rests_on() -> None:
    assert check_claim("Peskov", PESKOV, 0.876).confidence == 0.88
    assert check_claim("Putin", PESKOV, 0.4).confidence == 0.4
    assert check_claim("Putin", None, 0.9).confidence is None  # not_found rests on nothing


def test_attribution_confidence_is_the_best_quote_for_that_speaker() -> None:
    def quote(n: int, speaker: str | None, confidence: float | None) -> Quote:
        return Quote(
            id=f"q{n}", article_id="a", start=0, end=1, text="x", kind="full", paragraph=0,
            speaker=speaker, speaker_confidence=confidence,
        )  # fmt: skip

    quotes = [quote(1, "peskov", 0.6), quote(2, "peskov", 0.8), quote(3, "putin", 0.99)]
    assert attribution_confidence("peskov", [*quotes, None]) == 0.8
    assert attribution_confidence("peskov", [quote(4, "peskov", None)]) is None
    assert attribution_confidence("lavrov", quotes) is None
