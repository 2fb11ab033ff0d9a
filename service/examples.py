"""Examples for the OpenAPI document, built from the wire types so they cannot drift from them.

The people, outlets and words here are invented.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from service import schemas

QUERY = "keep the port open to every ship"
SPEAKER = schemas.SpeakerRef(id="sp_0007", name="Maria Okafor", kind=schemas.SpeakerKind.PERSON)
CANONICAL = "We will keep the port open to every ship that respects the rules."
STATEMENT_ID = "st_0042"
ARTICLE_ID = "harbor-ledger-2024-03-02"
OUTLET = "The Harbor Ledger"

VARIANTS = (
    schemas.Variant(
        quote_id="q_0311",
        article_id=ARTICLE_ID,
        outlet=OUTLET,
        text=CANONICAL,
        start=412,
        end=477,
        fragment=False,
        differences=(),
        fragments=(),
        title="Port stays open, minister says",
        url="https://harbor-ledger.example/2024/03/02/port",
        published="2024-03-02",
        kind=schemas.QuoteKind.FULL,
        speaker_confidence=0.94,
    ),
    schemas.Variant(
        quote_id="q_0527",
        article_id="coastal-wire-2024-03-02",
        outlet="Coastal Wire",
        text="We will keep the port open to every ship which respects the rules",
        start=95,
        end=160,
        fragment=False,
        fragments=(),
        title="Minister: port will stay open",
        url=None,
        published="2024-03-03",
        kind=schemas.QuoteKind.FULL,
        speaker_confidence=0.94,
        differences=(
            schemas.Difference(
                kind=schemas.DifferenceKind.SUBSTITUTION,
                canonical="that",
                variant="which",
                canonical_start=41,
                canonical_end=45,
                variant_start=41,
                variant_end=46,
            ),
            schemas.Difference(
                kind=schemas.DifferenceKind.PUNCTUATION,
                canonical=".",
                variant="",
                canonical_start=64,
                canonical_end=65,
                variant_start=65,
                variant_end=65,
            ),
        ),
    ),
)

FIRST_SEEN = schemas.FirstSeen(
    quote_id="q_0311", article_id=ARTICLE_ID, outlet=OUTLET, published="2024-03-02"
)
MATCH = schemas.StatementMatch(
    statement_id=STATEMENT_ID,
    score=0.8731,
    strong=True,
    matched_quote_id="q_0311",
    matched_text=CANONICAL,
    speaker=SPEAKER,
    canonical_text=CANONICAL,
    variants=VARIANTS,
    variant_count=2,
    next_variants_cursor=None,
    first_seen=FIRST_SEEN,
)

THRESHOLD = 0.4459
LOOKUP = schemas.LookupResponse(
    query=QUERY, matched=True, threshold=THRESHOLD, matches=(MATCH,), nearest=None, claim=None
)
LOOKUP_CLAIM = schemas.LookupResponse(
    query=QUERY,
    matched=True,
    threshold=THRESHOLD,
    matches=(MATCH,),
    nearest=None,
    claim=schemas.ClaimCheck(
        claimed="Tomas Reyes",
        verdict="said_by_other",
        holds=False,
        actual="Maria Okafor",
        confidence=0.94,
    ),
)
NO_MATCH = schemas.LookupResponse(
    query="an unrelated sentence",
    matched=False,
    threshold=THRESHOLD,
    matches=(),
    nearest=msgspec.structs.replace(MATCH, score=0.2113, strong=False),
    claim=None,
)

SUMMARY = schemas.StatementSummary(
    id=STATEMENT_ID,
    speaker=SPEAKER,
    canonical_text=CANONICAL,
    outlets=(OUTLET, "Coastal Wire"),
    variant_count=2,
)
STATEMENT = schemas.Statement(
    id=STATEMENT_ID,
    speaker=SPEAKER,
    canonical_quote_id="q_0311",
    canonical_text=CANONICAL,
    outlets=(OUTLET, "Coastal Wire"),
    variants=VARIANTS,
    variant_count=2,
    next_variants_cursor=None,
    first_seen=FIRST_SEEN,
)
PAGE = schemas.StatementPage(items=(SUMMARY,), next_cursor="c3RfMDA0Mg")
SPEAKERS = schemas.SpeakerList(
    items=(
        schemas.SpeakerSummary(
            id=SPEAKER.id,
            name=SPEAKER.name,
            kind=SPEAKER.kind,
            aliases=("Okafor", "the harbour minister"),
            statement_count=3,
            quote_count=7,
        ),
    )
)
SPEAKER_DETAIL = schemas.SpeakerDetail(
    id=SPEAKER.id,
    name=SPEAKER.name,
    kind=SPEAKER.kind,
    aliases=("Okafor", "the harbour minister"),
    quote_count=7,
    statements=(SUMMARY,),
)
OUTLETS = schemas.OutletList(
    items=(
        schemas.OutletSummary(
            name="Coastal Wire", article_count=4, quote_count=31, statement_count=22
        ),
        schemas.OutletSummary(name=OUTLET, article_count=2, quote_count=12, statement_count=9),
    )
)
ARTICLE_TEXT = 'Harbour minister Maria Okafor said: "We will keep the port open."'
ARTICLE = schemas.Article(
    id=ARTICLE_ID,
    outlet=OUTLET,
    title="Port stays open, minister says",
    url="https://harbor-ledger.example/2024/03/02/port",
    published="2024-03-02",
    text=ARTICLE_TEXT,
    quotes=(
        schemas.ArticleQuote(
            id="q_0311",
            start=37,
            end=64,
            text=ARTICLE_TEXT[37:64],
            kind=schemas.QuoteKind.FULL,
            paragraph=0,
            headline=False,
            continues=False,
            speaker=SPEAKER,
            mention="Maria Okafor",
            cue="said",
            statement_id=STATEMENT_ID,
            speaker_confidence=0.94,
        ),
    ),
)
LIVENESS = schemas.Liveness(status="ok")
READINESS = schemas.Readiness(
    status="ready",
    model=schemas.ModelInfo(
        name="sentence-transformers/all-MiniLM-L6-v2", dimension=384, encoder="onnx-int8"
    ),
    search=schemas.SearchInfo(factory="Flat", parameters={}, simd="AVX2"),
    counts=schemas.IndexCounts(articles=5, quotes=48, speakers=9, statements=30, vectors=48),
    built_at="2024-03-02T10:15:00Z",
    format_version=2,
    builder_version="0.1.0",
    input_checksum="9f2c1e0b7a6d5c4b3a29181706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c",
    writes=schemas.WritesInfo(available=True, problem=None),
)
METRICS = (
    "# HELP whosaid_lookup_duration_seconds Time to encode and search the texts of one lookup "
    "call (single or batch).\n"
    "# TYPE whosaid_lookup_duration_seconds histogram\n"
    'whosaid_lookup_duration_seconds_count{kind="single"} 12.0\n'
)

LOOKUP_REQUEST = schemas.LookupRequest(text=QUERY, k=3)
LOOKUP_REQUEST_FILTERED = schemas.LookupRequest(
    text=QUERY, k=3, claimed_speaker="Tomas Reyes", outlet=["Coastal Wire"]
)
BATCH_REQUEST = schemas.BatchLookupRequest(texts=[QUERY, "an unrelated sentence"], k=1)
BATCH = schemas.BatchLookupResponse(results=(LOOKUP, NO_MATCH))


def example(value: Any, summary: str) -> Example:
    """An OpenAPI example of a wire value (a Struct or a plain value)."""
    return Example(summary=summary, value=msgspec.to_builtins(value))


def ok(
    data: type[Any], description: str, *examples: Example, media_type: str = "application/json"
) -> ResponseSpec:
    """The documented success response of a route, with examples."""
    return ResponseSpec(
        data_container=data,
        description=description,
        media_type=media_type,
        generate_examples=False,
        examples=list(examples),
    )


INGEST_REQUEST = schemas.IngestRequest(
    articles=[
        schemas.ArticleInput(
            id=ARTICLE_ID,
            outlet=OUTLET,
            text=ARTICLE_TEXT,
            title="Port stays open, minister says",
            url="https://harbor-ledger.example/2024/03/02/port",
            published="2024-03-02",
        )
    ]
)
INGESTED = schemas.IngestResponse(
    results=(
        schemas.IngestedArticle(
            id=ARTICLE_ID,
            status=schemas.IngestStatus.CREATED,
            duplicate_of=None,
            quotes=ARTICLE.quotes,
        ),
    )
)
INGESTED_AGAIN = schemas.IngestResponse(
    results=(
        schemas.IngestedArticle(
            id=ARTICLE_ID,
            status=schemas.IngestStatus.UNCHANGED,
            duplicate_of=None,
            quotes=ARTICLE.quotes,
        ),
        schemas.IngestedArticle(
            id="harbor-ledger-2024-03-02-copy",
            status=schemas.IngestStatus.UNCHANGED,
            duplicate_of=ARTICLE_ID,
            quotes=ARTICLE.quotes,
        ),
    )
)


ARTICLE_PAGE = schemas.ArticlePage(
    items=(
        schemas.ArticleSummary(
            id=ARTICLE.id,
            outlet=ARTICLE.outlet,
            title=ARTICLE.title,
            url=ARTICLE.url,
            published=ARTICLE.published,
            quote_count=len(ARTICLE.quotes),
        ),
    ),
    next_cursor=None,
)
