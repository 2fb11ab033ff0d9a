"""Checking a claimed speaker against the speaker the corpus gives a statement."""

from __future__ import annotations

from collections.abc import Iterable

from index.models import ClaimCheck, Quote, Speaker
from index.text import normalise

# Words that do not identify anyone: honorifics and articles.
_GENERIC = frozenset("a an the mr mrs ms miss dr sir madam".split())


def _name_words(text: str) -> frozenset[str]:
    return frozenset(word for word in normalise.words(text) if word not in _GENERIC)


def names_speaker(claimed: str, speaker: Speaker) -> bool:
    """Whether ``claimed`` names this speaker.

    It does when its words (honorifics aside) all occur in the speaker's name or in one of
    its aliases ("Putin" names "Vladimir Putin", "the Kremlin spokesman" names an alias
    "Kremlin spokesman Ivan Orlov"), or when it carries the speaker's surname, the last
    word of a person's name ("President Ana Lopes" names "Ana Lopes").
    """
    words = _name_words(claimed)
    if not words:
        return False
    for name in (speaker.name, *speaker.aliases):
        if words <= _name_words(name):
            return True
    name_words = normalise.words(speaker.name)
    return speaker.kind == "person" and bool(name_words) and name_words[-1] in words


def check_claim(
    claimed: str, speaker: Speaker | None, confidence: float | None = None
) -> ClaimCheck:
    """The verdict on a claim, given the speaker of the strong match (None when there is no
    strong match, or its statement has no known speaker): ``supported``, ``said_by_other``
    (and who, in ``actual``) or ``not_found``. A refutation and an absence read apart.

    ``confidence`` is the attribution's confidence that ``speaker`` made the statement; a
    verdict rests on it (a refutation by a doubtful attribution is a doubtful refutation), so
    the verdict carries it, rounded to two places."""
    if speaker is None:
        return ClaimCheck(claimed=claimed, holds=False, actual=None, verdict="not_found")
    sure = None if confidence is None else round(confidence, 2)
    if names_speaker(claimed, speaker):
        return ClaimCheck(claimed=claimed, holds=True, verdict="supported", confidence=sure)
    return ClaimCheck(
        claimed=claimed,
        holds=False,
        actual=speaker.name,
        verdict="said_by_other",
        confidence=sure,
    )


def attribution_confidence(speaker_id: str, quotes: Iterable[Quote | None]) -> float | None:
    """The attribution's confidence that ``speaker_id`` made a statement with these quotes:
    the highest confidence among the quotes attributed to that speaker (one outlet that
    attributes it plainly is enough), None when none of them carries one."""
    found = [
        quote.speaker_confidence
        for quote in quotes
        if quote is not None
        and quote.speaker == speaker_id
        and quote.speaker_confidence is not None
    ]
    return max(found) if found else None
