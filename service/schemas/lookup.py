"""Lookups: what a caller asks (one text or a batch) and the statements that answer it."""

from __future__ import annotations

import msgspec

from service.schemas.limits import (
    DEFAULT_K,
    BatchTexts,
    MinScore,
    OutletFilter,
    QueryText,
    SpeakerName,
    TopK,
)
from service.schemas.statements import SpeakerRef, Variant


class LookupRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One text to attribute."""

    text: QueryText
    k: TopK = DEFAULT_K
    min_score: MinScore | None = None
    claimed_speaker: SpeakerName | None = None
    outlets: OutletFilter = msgspec.field(default_factory=list)


class BatchLookupRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Several texts to attribute in one call; the answers come back in the same order."""

    texts: BatchTexts
    k: TopK = DEFAULT_K
    min_score: MinScore | None = None
    outlets: OutletFilter = msgspec.field(default_factory=list)


class StatementMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A statement that answers a lookup, with every outlet's wording of it."""

    statement_id: str
    score: float
    matched_quote_id: str
    matched_text: str
    speaker: SpeakerRef | None
    canonical_text: str
    variants: tuple[Variant, ...]


class ClaimCheck(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the claimed speaker is the one the corpus attributes the best match to."""

    claimed: str
    holds: bool
    actual: str | None = None


class LookupResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to one lookup. ``matched`` is false (and ``matches`` empty) when no statement
    in the index is close enough."""

    query: str
    matched: bool
    matches: tuple[StatementMatch, ...]
    claim: ClaimCheck | None = None


class BatchLookupResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One answer per text, in the order the texts were sent."""

    results: tuple[LookupResponse, ...]
