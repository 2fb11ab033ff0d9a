"""The browse pages' view models: speaker lists, statement lists, pages of a long list, and
an article's text with its quotations marked."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from index import Catalog, SpeakerCounts, models, outlets_of
from service.page.present import shown_date, speaker_link
from service.page.timeline import parse_published
from service.page.views import (
    ArticleView,
    Pager,
    QuoteMark,
    SpeakerRow,
    StatementRow,
    TextRun,
)


def speaker_row(row: SpeakerCounts) -> SpeakerRow:
    link = speaker_link(row.speaker)
    assert link is not None
    return SpeakerRow(
        speaker=link, aliases=row.speaker.aliases, statements=row.statements, quotes=row.quotes
    )


def matches_name(row: SpeakerCounts, wanted: str) -> bool:
    """Whether a speaker's name or an alias contains ``wanted`` (case-insensitive)."""
    folded = wanted.casefold()
    return any(folded in name.casefold() for name in (row.speaker.name, *row.speaker.aliases))


def statement_row(group: models.Group) -> StatementRow:
    return StatementRow(
        id=group.id,
        canonical_text=group.canonical_text,
        outlets=outlets_of(group),
        variant_count=len(group.variants),
    )


def pager(total: int, page: int, size: int, **query: str) -> Pager:
    """Page ``page`` (from 1) of ``total`` items, ``size`` a page; links keep ``query``."""
    pages = max(1, -(-total // size))

    def link(number: int) -> str:
        return "?" + urlencode({**{k: v for k, v in query.items() if v}, "page": number})

    return Pager(
        page=page,
        pages=pages,
        total=total,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page < pages else None,
    )


def article_view(article: models.Article, catalog: Catalog) -> ArticleView:
    """The article's paragraphs, each quote a marked run that names its speaker."""
    quotes = catalog.quotes_of(article.id)
    runs: list[TextRun] = []
    position = 0
    for quote in quotes:
        if quote.start < position:
            continue  # overlapping spans: keep the first
        if quote.start > position:
            runs.append(TextRun(text=article.text[position : quote.start]))
        mark = QuoteMark(
            quote_id=quote.id,
            speaker=speaker_link(catalog.speaker_or_none(quote.speaker)),
            statement_id=catalog.statement_of(quote.id),
            kind=quote.kind,
        )
        runs.append(TextRun(text=article.text[quote.start : quote.end], quote=mark))
        position = quote.end
    if position < len(article.text):
        runs.append(TextRun(text=article.text[position:]))
    return ArticleView(
        id=article.id,
        outlet=article.outlet,
        title=article.title,
        url=article.url,
        published=shown_date(parse_published(article.published)),
        paragraphs=paragraphs(runs),
        quote_count=len(quotes),
    )


def paragraphs(runs: Sequence[TextRun]) -> tuple[tuple[TextRun, ...], ...]:
    """Runs split at line breaks into paragraphs (blank lines dropped); a quote that spans a
    break is marked in each paragraph it touches."""
    result: list[list[TextRun]] = [[]]
    for run in runs:
        pieces = run.text.split("\n")
        for n, piece in enumerate(pieces):
            if n > 0:
                result.append([])
            if piece:
                result[-1].append(TextRun(text=piece, quote=run.quote))
    return tuple(tuple(p) for p in result if any(r.text.strip() for r in p))
