"""Statements: a canonical wording, its speaker, and every outlet's variant with its differences."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class SpeakerKind(StrEnum):
    """What a speaker is; ``unnamed`` is a source the article does not name."""

    PERSON = "person"
    ORGANISATION = "organisation"
    UNNAMED = "unnamed"


class QuoteKind(StrEnum):
    """``full``: the speaker's own sentence; ``scare``: a quoted term; ``partial``: a quoted
    phrase inside the reporter's sentence."""

    FULL = "full"
    PARTIAL = "partial"
    SCARE = "scare"


class DifferenceKind(StrEnum):
    """How a variant's wording differs from the canonical wording at one place."""

    SPELLING = "spelling"
    CASE = "case"
    PUNCTUATION = "punctuation"
    OMISSION = "omission"
    INSERTION = "insertion"
    SUBSTITUTION = "substitution"
    REORDERING = "reordering"


class SpeakerRef(msgspec.Struct, frozen=True, kw_only=True):
    """Who a statement is attributed to."""

    id: str
    name: str
    kind: SpeakerKind


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """One way an outlet's wording differs from the statement's canonical wording.

    ``canonical`` and ``variant`` are the differing words on each side; one side is empty for
    an omission or an insertion. Offsets are character offsets into the canonical text and
    into the variant's text.
    """

    kind: DifferenceKind
    canonical: str
    variant: str
    canonical_start: int
    canonical_end: int
    variant_start: int
    variant_end: int


class Fragment(msgspec.Struct, frozen=True, kw_only=True):
    """A quote of part of the statement, folded under the full variant that contains it."""

    quote_id: str
    article_id: str
    outlet: str
    text: str
    start: int
    end: int


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    """One outlet's wording of a statement, where it stands in which article."""

    quote_id: str
    article_id: str
    outlet: str
    text: str
    start: int
    end: int
    fragment: bool
    differences: tuple[Difference, ...]
    fragments: tuple[Fragment, ...]
    # Where it was printed: the article's title, address and date, and the quote's kind.
    title: str | None
    url: str | None
    published: str | None
    kind: QuoteKind | None
    # The attribution model's probability that the statement's speaker said this variant
    # (null when the variant has no speaker).
    speaker_confidence: float | None


class FirstSeen(msgspec.Struct, frozen=True, kw_only=True):
    """The earliest dated variant of a statement: where and when it first appeared."""

    quote_id: str
    article_id: str
    outlet: str
    published: str


class StatementSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A statement in a list: who made it, its canonical wording, and who printed it."""

    id: str
    speaker: SpeakerRef | None
    canonical_text: str
    outlets: tuple[str, ...]
    variant_count: int


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """One statement with a page of its variant rows (fragments folded under the full
    variant they are part of) and their differences."""

    id: str
    speaker: SpeakerRef | None
    canonical_quote_id: str
    canonical_text: str
    outlets: tuple[str, ...]
    variants: tuple[Variant, ...]
    variant_count: int
    next_variants_cursor: str | None
    first_seen: FirstSeen | None


class StatementPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of statements. ``next_cursor`` is null on the last page."""

    items: tuple[StatementSummary, ...]
    next_cursor: str | None
