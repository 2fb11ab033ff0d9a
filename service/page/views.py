"""What the page's templates render: view models built from ``index`` records.

Templates never see internal records; these Structs hold exactly what a page shows, already
worded (verdicts, dates) and laid out (difference segments, timeline geometry).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from service.page.diff import Segment
from service.page.timeline import Timeline

VerdictKind = Literal["said_by", "said_by_other", "not_found"]


class SpeakerLink(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    kind: str


class FoldedVariant(msgspec.Struct, frozen=True, kw_only=True):
    """Another quote of the statement in the same article (often a fragment of it)."""

    anchor: str
    quote_id: str
    text: str


class VariantRow(msgspec.Struct, frozen=True, kw_only=True):
    """One article's wording of a statement (its fullest quote of it), with the differences
    against the canonical text, and the article's other quotes of it folded under it."""

    anchor: str
    quote_id: str
    article_id: str
    outlet: str
    title: str | None
    published: str | None  # as the page prints it; None when the article has no usable date
    text: str
    fragment: bool
    canonical: bool
    segments: tuple[Segment, ...]
    differences: tuple[tuple[str, int], ...]  # (label, count), for the row's summary
    folded: tuple[FoldedVariant, ...] = ()


class FirstSeen(msgspec.Struct, frozen=True, kw_only=True):
    outlet: str
    published: str
    title: str | None
    article_id: str
    also_that_day: tuple[str, ...]  # other outlets with the same date (no time to order them)


class StatementView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    canonical_text: str
    speaker: SpeakerLink | None
    variants: tuple[VariantRow, ...]
    variant_count: int
    row_count: int  # articles: one row each
    outlets: tuple[str, ...]
    first_seen: FirstSeen | None
    timeline: Timeline


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    kind: VerdictKind
    text: str  # the verdict in plain words


class CandidateView(msgspec.Struct, frozen=True, kw_only=True):
    """A statement that answers a query; ``strong`` when it passes the service's threshold."""

    statement_id: str
    score: float
    strong: bool
    speaker: SpeakerLink | None
    matched_text: str
    canonical_text: str
    outlets: tuple[str, ...]
    confidence: float | None  # the attribution's, when the record has one


class AnswerView(msgspec.Struct, frozen=True, kw_only=True):
    query: str
    said_by: str
    verdict: Verdict
    best: CandidateView | None
    statement: StatementView | None  # the best match's statement, in full
    others: tuple[CandidateView, ...]  # weaker candidates, strongest first
    nearest: CandidateView | None  # when nothing passes: the closest candidate, for a look


class Pager(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a long list: which page, how many, and the links' query strings."""

    page: int
    pages: int
    total: int
    previous: str | None
    next: str | None


class SpeakerRow(msgspec.Struct, frozen=True, kw_only=True):
    speaker: SpeakerLink
    aliases: tuple[str, ...]
    statements: int
    quotes: int


class StatementRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    canonical_text: str
    outlets: tuple[str, ...]
    variant_count: int


class QuoteMark(msgspec.Struct, frozen=True, kw_only=True):
    quote_id: str
    speaker: SpeakerLink | None
    statement_id: str | None
    kind: str


class TextRun(msgspec.Struct, frozen=True, kw_only=True):
    """A run of an article's paragraph: plain text, or a quotation with who said it."""

    text: str
    quote: QuoteMark | None = None


class ArticleView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    outlet: str
    title: str | None
    url: str | None
    published: str | None
    paragraphs: tuple[tuple[TextRun, ...], ...]
    quote_count: int
