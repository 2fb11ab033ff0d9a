"""Filters that say when they match nothing: an unknown outlet or speaker is a 400 naming it.

An outlet filter that names no outlet of the index would otherwise answer "no match", which
reads as "nobody said this"; a mistyped speaker would give an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar.exceptions import ValidationException

from index import LoadedIndex


def _invalid(key: str, message: str) -> ValidationException:
    return ValidationException(detail=message, extra=[{"key": key, "message": message}])


def check_outlets(index: LoadedIndex, outlets: Sequence[str], key: str) -> None:
    """Refuse outlet names the index holds no article of (compared case-insensitively)."""
    if not outlets:
        return
    known = {row.name.casefold() for row in index.catalog.outlets}
    unknown = [name for name in outlets if name.casefold() not in known]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise _invalid(key, f"unknown outlet {names}: the index holds no article from it")


def resolve_speaker(index: LoadedIndex, speaker: str | None, key: str = "speaker") -> str | None:
    """The speaker id ``speaker`` names: an id, or a name or alias (case-insensitive)."""
    if speaker is None:
        return None
    rows = index.catalog.speakers
    if any(row.speaker.id == speaker for row in rows):
        return speaker
    wanted = speaker.casefold()
    for row in rows:
        if wanted in (name.casefold() for name in (row.speaker.name, *row.speaker.aliases)):
            return row.speaker.id
    raise _invalid(key, f"unknown speaker {speaker!r}: no speaker has that id, name or alias")
