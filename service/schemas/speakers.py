"""Speakers: the people and organisations the corpus quotes."""

from __future__ import annotations

import msgspec

from service.schemas.statements import SpeakerKind, StatementSummary


class SpeakerSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A speaker with how much the corpus attributes to them."""

    id: str
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...]
    statement_count: int
    quote_count: int


class SpeakerList(msgspec.Struct, frozen=True, kw_only=True):
    items: tuple[SpeakerSummary, ...]


class SpeakerDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A speaker, the other names the corpus knows them by, and their statements."""

    id: str
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...]
    quote_count: int
    statements: tuple[StatementSummary, ...]
