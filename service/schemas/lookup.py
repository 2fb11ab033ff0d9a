"""Lookups: what a caller asks (one text or a batch) and the statements that answer it."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.schemas.limits import (
    DEFAULT_K,
    DEFAULT_MAX_VARIANTS,
    INCLUDE_WEAK_DESCRIPTION,
    SCORE_DESCRIPTION,
    BatchTexts,
    MaxVariants,
    MinScore,
    OldOutletFilter,
    OutletFilter,
    QueryText,
    SpeakerName,
    TopK,
)
from service.schemas.statements import FirstSeen, SpeakerRef, Variant

IncludeWeak = Annotated[bool, Meta(description=INCLUDE_WEAK_DESCRIPTION)]
Score = Annotated[float, Meta(description=SCORE_DESCRIPTION)]
Threshold = Annotated[
    float,
    Meta(
        description="The score a statement needed to be a strong match in this answer: the "
        "index's calibrated no-match threshold, or the `min_score` asked for."
    ),
]


class LookupRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One text to attribute."""

    text: QueryText
    k: TopK = DEFAULT_K
    min_score: MinScore | None = None
    claimed_speaker: SpeakerName | None = None
    outlet: OutletFilter = msgspec.field(default_factory=list)
    outlets: OldOutletFilter = msgspec.field(default_factory=list)
    include_weak: IncludeWeak = False
    max_variants: MaxVariants = DEFAULT_MAX_VARIANTS


class BatchLookupRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Several texts to attribute in one call; the answers come back in the same order."""

    texts: BatchTexts
    k: TopK = DEFAULT_K
    min_score: MinScore | None = None
    outlet: OutletFilter = msgspec.field(default_factory=list)
    outlets: OldOutletFilter = msgspec.field(default_factory=list)
    include_weak: IncludeWeak = False
    max_variants: MaxVariants = DEFAULT_MAX_VARIANTS


class StatementMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A statement that answers a lookup, with every outlet's wording of it."""

    statement_id: str
    score: Score
    strong: Annotated[
        bool,
        Meta(
            description="Whether the statement passes the threshold: a strong match, or "
            "(false) only the nearest candidate or a weak one asked for with `include_weak`."
        ),
    ]
    matched_quote_id: str
    matched_text: str
    speaker: SpeakerRef | None
    canonical_text: str
    variants: tuple[Variant, ...]
    variant_count: Annotated[
        int, Meta(description="How many quotes the statement has in all (every variant).")
    ]
    next_variants_cursor: Annotated[
        str | None,
        Meta(
            description="When more variant rows exist than `max_variants`: pass it as "
            "`variants_cursor` to `GET /v1/statements/{statement_id}` for the next rows."
        ),
    ]
    first_seen: Annotated[
        FirstSeen | None,
        Meta(description="The earliest dated variant (null when no variant has a date)."),
    ]


class ClaimCheck(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the claimed speaker is the one the corpus attributes the best match to."""

    claimed: Annotated[str, Meta(description="The speaker the caller or the query named.")]
    verdict: Annotated[
        Literal["supported", "said_by_other", "not_found"],
        Meta(
            description="`supported`: the claimed speaker made the best strong match; "
            "`said_by_other`: someone else did (named in `actual`); `not_found`: no strong "
            "match with a known speaker, so the corpus can neither confirm nor refute it."
        ),
    ]
    holds: Annotated[bool, Meta(description="True exactly when `verdict` is `supported`.")]
    actual: Annotated[
        str | None,
        Meta(description="Who the corpus says made the statement, for `said_by_other`."),
    ]
    confidence: Annotated[
        Annotated[float, Meta(ge=0, le=1)] | None,
        Meta(
            description="The attribution's confidence (0 to 1) that the speaker the verdict "
            "rests on made the statement: the highest `speaker_confidence` among the "
            "statement's quotes attributed to that speaker. A `said_by_other` with a low "
            "confidence is a doubtful refutation. Null for `not_found`.",
        ),
    ]


class LookupResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to one lookup. ``matched`` is true when at least one statement is a strong
    match; otherwise ``matches`` holds no strong match and ``nearest`` names the closest
    candidate and its score, so a person can judge."""

    query: str
    matched: bool
    threshold: Threshold
    matches: tuple[StatementMatch, ...]
    nearest: Annotated[
        StatementMatch | None,
        Meta(description="When nothing is a strong match: the closest candidate (weak)."),
    ]
    claim: ClaimCheck | None


class BatchLookupResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One answer per text, in the order the texts were sent."""

    results: tuple[LookupResponse, ...]
