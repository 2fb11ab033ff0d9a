"""Internal records of the pipeline.

Every stage takes and returns these frozen Structs. They are not the wire format: the
service converts them to its own schemas (``service/schemas.py``) explicitly.

The pipeline, stage by stage::

    Article ──extract_quotes──► Quote (offsets, kind)
            ──attribute_speakers──► Quote.speaker (article-local Entity)
            ──resolve_speakers──► Speaker (one per canonical name across articles)
            ──group_variants──► Group (one statement, its Variants)
            ──diff_variants──► Variant.edits
            ──embed / store──► index folder on disk
"""

from __future__ import annotations

from typing import Literal

import msgspec

QuoteKind = Literal["full", "partial", "scare"]
SpeakerKind = Literal["person", "organisation", "unnamed"]
# A claim check's answer: the claimed speaker made the statement, someone else did, or the
# corpus has no statement (with a known speaker) close enough to judge.
ClaimVerdict = Literal["supported", "said_by_other", "not_found"]
EditOp = Literal[
    "spelling", "case", "punctuation", "omission", "insertion", "substitution", "reordering"
]


class Article(msgspec.Struct, frozen=True, kw_only=True):
    """One news article: its text and the metadata of the outlet that published it."""

    id: str
    outlet: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    # Where the text came from, relative to the articles folder (None for JSON Lines input).
    file: str | None = None


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """A span of an article between quotation marks.

    ``start``/``end`` are Python string offsets into ``Article.text``; ``text`` is exactly
    ``article.text[start:end]``: the characters between the opening and the closing mark.
    """

    id: str
    article_id: str
    start: int
    end: int
    text: str
    kind: QuoteKind
    paragraph: int
    headline: bool = False
    # True when the quotation goes on in the next paragraph (no closing mark here).
    continues: bool = False
    # Filled by attribution: the mention that the cue names, as written, and the cue itself.
    mention: str | None = None
    cue: str | None = None
    # Filled by speaker resolution: the id of a Speaker.
    speaker: str | None = None
    # The attribution ranker's probability that ``speaker`` said it (None without a speaker).
    speaker_confidence: float | None = None
    # When the quoted words themselves report someone ("Xi stated that …", quoted from a
    # readout), the Speaker id of that someone: the statement is theirs, the quote the source's.
    reported_speaker: str | None = None


class Speaker(msgspec.Struct, frozen=True, kw_only=True):
    """A person or organisation that quotes are attributed to, merged across articles."""

    id: str
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...] = ()


class Edit(msgspec.Struct, frozen=True, kw_only=True):
    """One typed difference of a variant against its group's canonical text.

    ``canonical`` and ``variant`` are the differing words on each side (one side is empty
    for an omission or an insertion). Offsets are into the canonical text and the variant text.
    """

    op: EditOp
    canonical: str
    variant: str
    canonical_start: int
    canonical_end: int
    variant_start: int
    variant_end: int


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    """One outlet's wording of a statement: a quote, placed in its group."""

    quote_id: str
    article_id: str
    outlet: str
    start: int
    end: int
    text: str
    # True when the variant covers only part of the canonical wording (a fragment).
    fragment: bool = False
    edits: tuple[Edit, ...] = ()


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """One underlying statement as reported by one or more outlets."""

    id: str
    speaker: str | None
    canonical_quote_id: str
    canonical_text: str
    variants: tuple[Variant, ...]


class Corpus(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the pipeline derives from a set of articles."""

    articles: tuple[Article, ...]
    quotes: tuple[Quote, ...]
    speakers: tuple[Speaker, ...]
    groups: tuple[Group, ...] = ()


# Lookup answers (index.search.searcher). The service maps these to its wire schemas.


class ClaimCheck(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a claimed speaker matches who the corpus says made the statement."""

    claimed: str
    holds: bool
    # The speaker the corpus attributes the statement to, when the claim does not hold.
    actual: str | None = None
    verdict: ClaimVerdict = "not_found"
    # How sure the attribution is that the statement's speaker made it (None for not_found,
    # or when no quote of the statement names that speaker with a confidence).
    confidence: float | None = None


class Match(msgspec.Struct, frozen=True, kw_only=True):
    """One statement that answers a query."""

    group_id: str
    score: float
    matched_quote_id: str
    matched_text: str
    speaker: Speaker | None
    canonical_text: str
    variants: tuple[Variant, ...]
    # Whether the statement passes the no-match threshold (a weak one is only a candidate).
    strong: bool = True


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to one lookup: the strong statements (and weak ones when asked for), the
    threshold they were judged by, and, when none is strong, the nearest candidate."""

    query: str
    matches: tuple[Match, ...]
    claim: ClaimCheck | None = None
    threshold: float = 0.0
    nearest: Match | None = None

    @property
    def matched(self) -> bool:
        return any(match.strong for match in self.matches)
