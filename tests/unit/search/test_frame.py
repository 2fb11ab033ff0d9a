"""Reporting frames of queries: who the asker names, and the statement itself."""

from __future__ import annotations

import pytest

from index.search.frame import split_frame

CASES = [
    ("Putin said relations are at a high level", "Putin", "relations are at a high level"),
    ("Kremlin says there is no basis for talks", "Kremlin", "there is no basis for talks"),
    ("Brookings expert says both are united", "Brookings expert", "both are united"),
    ("Xi has said that China will stand by Russia", "Xi", "China will stand by Russia"),
    ("Mr Li told reporters that trade is growing", "Mr Li", "trade is growing"),
    ("Mr O'Neill told the BBC: we will win this", "Mr O'Neill", "we will win this"),
    ("Relations are at a high level, Putin said.", "Putin", "Relations are at a high level"),
    (
        "Relations are at a high level, said Vladimir Putin",
        "Vladimir Putin",
        "Relations are at a high level",
    ),
    ("We will win this fight, Mr O'Neill told the BBC", "Mr O'Neill", "We will win this fight"),
    ("According to the Kremlin, no date has been set", "the Kremlin", "no date has been set"),
    (
        'Mishustin said: "Our country is the leading supplier."',
        "Mishustin",
        "Our country is the leading supplier.",
    ),
    ("He said that China will help", None, "China will help"),
    (
        "The sides should tap the potential, he told reporters",
        None,
        "The sides should tap the potential",
    ),
    # No frame: the text is the statement.
    ("Xi Jinping condemned the invasion", None, "Xi Jinping condemned the invasion"),
    ("Today, relations are at a high level", None, "Today, relations are at a high level"),
    ("Putin said yes", None, "Putin said yes"),  # the statement would be too short
]


@pytest.mark.parametrize(("text", "speaker", "body"), CASES)
def test_split_frame(text: str, speaker: str | None, body: str) -> None:
    frame = split_frame(text)
    assert (frame.speaker, frame.body) == (speaker, body)
