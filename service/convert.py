"""Internal records (``index.models``) to wire types (``service.schemas``), explicitly.

Handlers return only what these functions build, so a field added to an internal record never
leaks into the API by accident.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from index import Catalog, OutletCounts, SpeakerCounts, models, outlets_of, simd_level
from service import schemas
from service import variants as rows

if TYPE_CHECKING:
    from index import Encoder, Manifest, Outcome


def speaker_ref(speaker: models.Speaker | None) -> schemas.SpeakerRef | None:
    if speaker is None:
        return None
    return schemas.SpeakerRef(
        id=speaker.id, name=speaker.name, kind=schemas.SpeakerKind(speaker.kind)
    )


def difference(edit: models.Edit) -> schemas.Difference:
    return schemas.Difference(
        kind=schemas.DifferenceKind(edit.op),
        canonical=edit.canonical,
        variant=edit.variant,
        canonical_start=edit.canonical_start,
        canonical_end=edit.canonical_end,
        variant_start=edit.variant_start,
        variant_end=edit.variant_end,
    )


class Records(Protocol):
    """Where a variant's provenance comes from (a :class:`~index.Searcher` is one)."""

    def article(self, article_id: str) -> models.Article | None: ...

    def quote(self, quote_id: str) -> models.Quote | None: ...


def first_seen(
    records: tuple[models.Variant, ...], source: Records | None
) -> schemas.FirstSeen | None:
    """The earliest dated variant (ISO dates compare as text), or None without dates."""
    if source is None:
        return None
    dated = [
        (article.published, record)
        for record in records
        if (article := source.article(record.article_id)) is not None and article.published
    ]
    if not dated:
        return None
    published, record = min(dated, key=lambda pair: pair[0])
    return schemas.FirstSeen(
        quote_id=record.quote_id,
        article_id=record.article_id,
        outlet=record.outlet,
        published=published,
    )


def fragment(record: models.Variant) -> schemas.Fragment:
    return schemas.Fragment(
        quote_id=record.quote_id,
        article_id=record.article_id,
        outlet=record.outlet,
        text=record.text,
        start=record.start,
        end=record.end,
    )


def variant_rows(
    records: tuple[models.Variant, ...],
    limit: int,
    offset: int = 0,
    source: Records | None = None,
) -> tuple[tuple[schemas.Variant, ...], str | None]:
    """A page of folded variant rows (see :mod:`service.variants`) and the next cursor."""
    found, cursor = rows.page(records, limit, offset)
    return tuple(variant(row, folded, source) for row, folded in found), cursor


def variant(
    record: models.Variant,
    folded: list[models.Variant] | None = None,
    source: Records | None = None,
) -> schemas.Variant:
    article = None if source is None else source.article(record.article_id)
    quote = None if source is None else source.quote(record.quote_id)
    return schemas.Variant(
        quote_id=record.quote_id,
        article_id=record.article_id,
        outlet=record.outlet,
        text=record.text,
        start=record.start,
        end=record.end,
        fragment=record.fragment,
        differences=tuple(difference(edit) for edit in record.edits),
        fragments=tuple(fragment(f) for f in folded or ()),
        title=None if article is None else article.title,
        url=None if article is None else article.url,
        published=None if article is None else article.published,
        kind=None if quote is None else schemas.QuoteKind(quote.kind),
        speaker_confidence=None if quote is None else quote.speaker_confidence,
    )


def statement_match(
    match: models.Match,
    max_variants: int = schemas.DEFAULT_MAX_VARIANTS,
    source: Records | None = None,
) -> schemas.StatementMatch:
    shown, cursor = variant_rows(match.variants, max_variants, 0, source)
    return schemas.StatementMatch(
        statement_id=match.group_id,
        score=round(float(match.score), 4),
        strong=match.strong,
        matched_quote_id=match.matched_quote_id,
        matched_text=match.matched_text,
        speaker=speaker_ref(match.speaker),
        canonical_text=match.canonical_text,
        variants=shown,
        variant_count=len(match.variants),
        next_variants_cursor=cursor,
        first_seen=first_seen(match.variants, source),
    )


def lookup_response(
    answer: models.Answer,
    max_variants: int = schemas.DEFAULT_MAX_VARIANTS,
    source: Records | None = None,
) -> schemas.LookupResponse:
    claim = None
    if answer.claim is not None:
        claim = schemas.ClaimCheck(
            claimed=answer.claim.claimed,
            verdict=answer.claim.verdict,
            holds=answer.claim.holds,
            actual=answer.claim.actual,
            confidence=answer.claim.confidence,
        )
    return schemas.LookupResponse(
        query=answer.query,
        matched=answer.matched,
        threshold=answer.threshold,
        matches=tuple(statement_match(m, max_variants, source) for m in answer.matches),
        nearest=None
        if answer.nearest is None
        else statement_match(answer.nearest, max_variants, source),
        claim=claim,
    )


def statement(
    group: models.Group,
    catalog: Catalog,
    max_variants: int = schemas.DEFAULT_MAX_VARIANTS,
    offset: int = 0,
    source: Records | None = None,
) -> schemas.Statement:
    shown, cursor = variant_rows(group.variants, max_variants, offset, source)
    return schemas.Statement(
        id=group.id,
        speaker=speaker_ref(catalog.speaker_or_none(group.speaker)),
        canonical_quote_id=group.canonical_quote_id,
        canonical_text=group.canonical_text,
        outlets=outlets_of(group),
        variants=shown,
        variant_count=len(group.variants),
        next_variants_cursor=cursor,
        first_seen=first_seen(group.variants, source),
    )


def statement_summary(group: models.Group, catalog: Catalog) -> schemas.StatementSummary:
    return schemas.StatementSummary(
        id=group.id,
        speaker=speaker_ref(catalog.speaker_or_none(group.speaker)),
        canonical_text=group.canonical_text,
        outlets=outlets_of(group),
        variant_count=len(group.variants),
    )


def speaker_summary(row: SpeakerCounts) -> schemas.SpeakerSummary:
    return schemas.SpeakerSummary(
        id=row.speaker.id,
        name=row.speaker.name,
        kind=schemas.SpeakerKind(row.speaker.kind),
        aliases=row.speaker.aliases,
        statement_count=row.statements,
        quote_count=row.quotes,
    )


def speaker_detail(row: SpeakerCounts, catalog: Catalog) -> schemas.SpeakerDetail:
    return schemas.SpeakerDetail(
        id=row.speaker.id,
        name=row.speaker.name,
        kind=schemas.SpeakerKind(row.speaker.kind),
        aliases=row.speaker.aliases,
        quote_count=row.quotes,
        statements=tuple(
            statement_summary(group, catalog) for group in catalog.statements_of(row.speaker.id)
        ),
    )


def outlet_summary(row: OutletCounts) -> schemas.OutletSummary:
    return schemas.OutletSummary(
        name=row.name,
        article_count=row.articles,
        quote_count=row.quotes,
        statement_count=row.statements,
    )


def article_quote(quote: models.Quote, catalog: Catalog) -> schemas.ArticleQuote:
    return schemas.ArticleQuote(
        id=quote.id,
        start=quote.start,
        end=quote.end,
        text=quote.text,
        kind=schemas.QuoteKind(quote.kind),
        paragraph=quote.paragraph,
        headline=quote.headline,
        continues=quote.continues,
        speaker=speaker_ref(catalog.speaker_or_none(quote.speaker)),
        speaker_confidence=quote.speaker_confidence,
        mention=quote.mention,
        cue=quote.cue,
        statement_id=catalog.statement_of(quote.id),
    )


def article_summary(record: models.Article, catalog: Catalog) -> schemas.ArticleSummary:
    return schemas.ArticleSummary(
        id=record.id,
        outlet=record.outlet,
        title=record.title,
        url=record.url,
        published=record.published,
        quote_count=len(catalog.quotes_of(record.id)),
    )


def article(record: models.Article, catalog: Catalog) -> schemas.Article:
    return schemas.Article(
        id=record.id,
        outlet=record.outlet,
        title=record.title,
        url=record.url,
        published=record.published,
        text=record.text,
        quotes=tuple(article_quote(q, catalog) for q in catalog.quotes_of(record.id)),
    )


def encoder_name(encoder: Encoder) -> str:
    """The encoder as the settings name it ("onnx-int8"), or its runtime alone."""
    return f"onnx-{encoder.precision}" if encoder.runtime == "onnx" else encoder.runtime


def readiness(manifest: Manifest, writes_problem: str | None) -> schemas.Readiness:
    counts = manifest.counts
    return schemas.Readiness(
        status="ready",
        model=schemas.ModelInfo(
            name=manifest.model.name,
            dimension=manifest.model.dimension,
            encoder=encoder_name(manifest.model.encoder),
        ),
        search=schemas.SearchInfo(
            factory=manifest.faiss_factory,
            parameters=dict(manifest.faiss_params),
            simd=simd_level(),
        ),
        counts=schemas.IndexCounts(
            articles=counts.articles,
            quotes=counts.quotes,
            speakers=counts.speakers,
            statements=counts.groups,
            vectors=counts.vectors,
        ),
        built_at=manifest.created,
        format_version=manifest.format_version,
        builder_version=manifest.builder_version,
        input_checksum=manifest.input_checksum,
        writes=schemas.WritesInfo(available=writes_problem is None, problem=writes_problem),
    )


def ingested(outcome: Outcome, catalog: Catalog) -> schemas.IngestedArticle:
    """One ingest outcome with the quotes of the article that holds its content."""
    duplicate = outcome.article_id if outcome.article_id != outcome.requested_id else None
    return schemas.IngestedArticle(
        id=outcome.requested_id,
        status=schemas.IngestStatus(outcome.status),
        duplicate_of=duplicate,
        quotes=tuple(article_quote(q, catalog) for q in catalog.quotes_of(outcome.article_id)),
    )


def article_record(article: schemas.ArticleInput) -> models.Article:
    """A sent article as the pipeline's record."""
    return models.Article(
        id=article.id,
        outlet=article.outlet,
        text=article.text,
        title=article.title,
        url=article.url,
        published=article.published,
    )
