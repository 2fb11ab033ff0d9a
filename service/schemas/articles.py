"""Articles: adding them (ingest), reading one back with its quotes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from service.schemas.limits import (
    ARTICLE_ID_PATTERN,
    ARTICLE_TEXT_PATTERN,
    MAX_ARTICLE_TEXT,
    MAX_INGEST_ARTICLES,
    MAX_NAME_LENGTH,
    MAX_PUBLISHED_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
    ONE_LINE_NOT_BLANK_PATTERN,
    ONE_LINE_PATTERN,
)
from service.schemas.statements import QuoteKind, SpeakerRef

ArticleId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=ARTICLE_ID_PATTERN,
        description="The article's id, unique in the index: letters, digits and `_ . ~ : -`, "
        "starting with a letter, a digit or `_`.",
    ),
]


ArticleOutlet = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=ONE_LINE_NOT_BLANK_PATTERN,
        description="The publication the article comes from.",
    ),
]


ArticleText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_ARTICLE_TEXT,
        pattern=ARTICLE_TEXT_PATTERN,
        description=f"The article's text, paragraphs separated by line breaks: 1 to "
        f"{MAX_ARTICLE_TEXT} characters, not blank, no control characters but tab, line feed "
        "and carriage return. Quote offsets in answers are character offsets into it.",
    ),
]


ArticleTitle = Annotated[
    str, Meta(max_length=MAX_TITLE_LENGTH, pattern=ONE_LINE_PATTERN, description="Headline.")
]


ArticleUrl = Annotated[
    str,
    Meta(
        max_length=MAX_URL_LENGTH, pattern=ONE_LINE_PATTERN, description="Where it was published."
    ),
]


ArticleDate = Annotated[
    str,
    Meta(
        max_length=MAX_PUBLISHED_LENGTH,
        pattern=ONE_LINE_PATTERN,
        description="When it was published, as the source gives it (ISO 8601 preferred).",
    ),
]


class ArticleInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One article to add: the fields of a JSON Lines article record."""

    id: ArticleId
    outlet: ArticleOutlet
    text: ArticleText
    title: ArticleTitle | None = None
    url: ArticleUrl | None = None
    published: ArticleDate | None = None


class IngestRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Articles to add, one or more. The batch is all or nothing: if one article conflicts
    with the index, none is added."""

    articles: Annotated[
        list[ArticleInput],
        Meta(
            min_length=1,
            max_length=MAX_INGEST_ARTICLES,
            description=f"1 to {MAX_INGEST_ARTICLES} articles.",
        ),
    ]


class IngestStatus(StrEnum):
    """``created``: the article was added now. ``unchanged``: the index already held it, under
    this id with the same outlet and text, or under another id (``duplicate_of``)."""

    CREATED = "created"
    UNCHANGED = "unchanged"


class ArticleQuote(msgspec.Struct, frozen=True, kw_only=True):
    """A quotation in an article. ``start``/``end`` are character offsets into the article's
    ``text``; ``text`` is exactly that slice."""

    id: str
    start: int
    end: int
    text: str
    kind: QuoteKind
    paragraph: int
    headline: bool
    continues: bool
    speaker: SpeakerRef | None
    mention: str | None
    cue: str | None
    statement_id: str | None
    # The attribution model's probability for ``speaker`` (null when there is none).
    speaker_confidence: float | None


class Article(msgspec.Struct, frozen=True, kw_only=True):
    """One article as indexed: its text and every quotation in it, in reading order."""

    id: str
    outlet: str
    title: str | None
    url: str | None
    published: str | None
    text: str
    quotes: tuple[ArticleQuote, ...]


class ArticleSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An article in a list: where and when it appeared, and how many quotations it holds."""

    id: str
    outlet: str
    title: str | None
    url: str | None
    published: str | None
    quote_count: int


class ArticlePage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of articles. ``next_cursor`` is null on the last page."""

    items: tuple[ArticleSummary, ...]
    next_cursor: str | None


class IngestedArticle(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one article sent: its status and the quotations found in it.

    ``duplicate_of`` names the article that already held the same outlet and text under
    another id; ``quotes`` are then that article's.
    """

    id: str
    status: IngestStatus
    duplicate_of: str | None
    quotes: tuple[ArticleQuote, ...]


class IngestResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One result per article sent, in the order sent."""

    results: tuple[IngestedArticle, ...]
