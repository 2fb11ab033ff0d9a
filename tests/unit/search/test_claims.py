"""Claimed speakers against the corpus's speaker."""

from __future__ import annotations

import pytest

from index.models import Speaker
from index.search.claims import check_claim, names_speaker

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
