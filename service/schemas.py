"""The wire format: every request and response body the API speaks.

These Structs are the public contract (and so the OpenAPI document). They are not the internal
records of ``index/models.py``: routes convert between the two explicitly (``service/convert.py``),
so the contract changes only when this module does.

Constraints live in the annotations as named aliases. In bodies they are ``msgspec.Meta``;
query and path parameters carry the same limits through ``QueryParameter`` and
``PathParameter`` (litestar
reads parameter constraints from there). Either way litestar writes them into the OpenAPI
document and answers a violation with a 400 before a handler runs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import msgspec
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter
from msgspec import Meta

# Limits shared by bodies and query parameters.
MAX_TEXT_LENGTH = 1000
MAX_K = 50
DEFAULT_K = 5
MAX_BATCH_TEXTS = 50
MAX_OUTLETS = 20
MAX_NAME_LENGTH = 200
MAX_PAGE_SIZE = 100
# A cursor encodes an id (base64), so it may be a third longer than one.
MAX_CURSOR_LENGTH = 2 * MAX_NAME_LENGTH
DEFAULT_PAGE_SIZE = 20
# Bodies above this are refused with 413 before they are read in full.
MAX_BODY_BYTES = 512 * 1024
# A text must hold something other than whitespace.
NOT_BLANK = r"\S"

# Limits of ingest (POST /v1/articles). A long news article is some 20,000 characters.
MAX_INGEST_ARTICLES = 20
MAX_ARTICLE_TEXT = 100_000
MAX_TITLE_LENGTH = 1000
MAX_URL_LENGTH = 2000
MAX_PUBLISHED_LENGTH = 64
MAX_INGEST_BODY_BYTES = 4 * 1024 * 1024
# An article id: letters, digits and ``_ . ~ : -``, starting with a letter, digit or ``_``
# (safe in a URL path segment as it stands).
ARTICLE_ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.~:-]*$"
# Article text: not blank, and no control character but tab, line feed and carriage return.
ARTICLE_TEXT_PATTERN = r"^[\t\n\r ]*[^\x00-\x20\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# One line of metadata (outlet, title, url, date): no control character at all.
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# ... and not blank (an outlet).
ONE_LINE_NOT_BLANK_PATTERN = r"^ *[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"

TEXT_DESCRIPTION = "The words to look up: a quotation as one outlet printed it, or part of one."
K_DESCRIPTION = "How many statements to return at most, best first."
MIN_SCORE_DESCRIPTION = (
    "Cosine similarity a statement needs to count as a match. Leave it out to use the "
    "index's calibrated no-match threshold."
)
CLAIMED_SPEAKER_DESCRIPTION = (
    "A speaker the caller believes said the text; the answer says whether the corpus agrees."
)
OUTLETS_DESCRIPTION = (
    "Only consider quotes printed by these outlets (outlet names, case-insensitive)."
)

# ---------------------------------------------------------------------------------------------
# Constrained types for bodies.

QueryText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        pattern=NOT_BLANK,
        description=TEXT_DESCRIPTION,
    ),
]
TopK = Annotated[int, Meta(ge=1, le=MAX_K, description=K_DESCRIPTION)]
MinScore = Annotated[float, Meta(ge=-1.0, le=1.0, description=MIN_SCORE_DESCRIPTION)]
SpeakerName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=NOT_BLANK,
        description=CLAIMED_SPEAKER_DESCRIPTION,
    ),
]
OutletName = Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
OutletFilter = Annotated[
    list[OutletName], Meta(max_length=MAX_OUTLETS, description=OUTLETS_DESCRIPTION)
]
BatchTexts = Annotated[
    list[QueryText],
    Meta(
        min_length=1,
        max_length=MAX_BATCH_TEXTS,
        description=f"The texts to look up, in order; each like `text`: 1 to {MAX_TEXT_LENGTH} "
        "characters, not only whitespace.",
    ),
]

# ---------------------------------------------------------------------------------------------
# The same limits for query and path parameters.

TextParam = Annotated[
    str,
    QueryParameter(
        description=TEXT_DESCRIPTION,
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        pattern=NOT_BLANK,
    ),
]
TopKParam = Annotated[int, QueryParameter(description=K_DESCRIPTION, ge=1, le=MAX_K)]
MinScoreParam = Annotated[
    float | None, QueryParameter(description=MIN_SCORE_DESCRIPTION, ge=-1.0, le=1.0)
]
ClaimedSpeakerParam = Annotated[
    str | None,
    QueryParameter(
        description=CLAIMED_SPEAKER_DESCRIPTION,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=NOT_BLANK,
    ),
]
OutletsParam = Annotated[
    list[str] | None,
    QueryParameter(
        name="outlet",
        description=OUTLETS_DESCRIPTION + " Repeat the parameter for several outlets.",
        max_items=MAX_OUTLETS,
    ),
]
PageSizeParam = Annotated[
    int, QueryParameter(description="How many items a page holds at most.", ge=1, le=MAX_PAGE_SIZE)
]


def id_parameter(description: str, example: str) -> PathParameter:
    """A path parameter holding an id: the same length limits everywhere."""
    return PathParameter(
        description=description,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        examples=[Example(summary="An id", value=example)],
    )


CursorParam = Annotated[
    str | None,
    QueryParameter(
        description="Where the page starts: the `next_cursor` of the previous page. "
        "Leave it out for the first page.",
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
    ),
]


# ---------------------------------------------------------------------------------------------
# Requests.


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


# ---------------------------------------------------------------------------------------------
# Ingest: adding articles.

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


# ---------------------------------------------------------------------------------------------
# Responses: statements and their variants.

# Enums rather than Literals, so the document names each once and clients share one type.


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
    PUNCTUATION = "punctuation"
    OMISSION = "omission"
    INSERTION = "insertion"
    SUBSTITUTION = "substitution"


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


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    """One outlet's wording of a statement, where it stands in which article."""

    quote_id: str
    article_id: str
    outlet: str
    text: str
    start: int
    end: int
    fragment: bool = False
    differences: tuple[Difference, ...] = ()


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


class StatementSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A statement in a list: who made it, its canonical wording, and who printed it."""

    id: str
    speaker: SpeakerRef | None
    canonical_text: str
    outlets: tuple[str, ...]
    variant_count: int


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """One statement with all its variants and their differences."""

    id: str
    speaker: SpeakerRef | None
    canonical_quote_id: str
    canonical_text: str
    outlets: tuple[str, ...]
    variants: tuple[Variant, ...]


class StatementPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of statements. ``next_cursor`` is null on the last page."""

    items: tuple[StatementSummary, ...]
    next_cursor: str | None = None


# ---------------------------------------------------------------------------------------------
# Speakers, outlets, articles.


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


class OutletSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An outlet and how much of the corpus it printed."""

    name: str
    article_count: int
    quote_count: int
    statement_count: int


class OutletList(msgspec.Struct, frozen=True, kw_only=True):
    items: tuple[OutletSummary, ...]


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


class Article(msgspec.Struct, frozen=True, kw_only=True):
    """One article as indexed: its text and every quotation in it, in reading order."""

    id: str
    outlet: str
    title: str | None
    url: str | None
    published: str | None
    text: str
    quotes: tuple[ArticleQuote, ...]


class IngestedArticle(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one article sent: its status and the quotations found in it.

    ``duplicate_of`` names the article that already held the same outlet and text under
    another id; ``quotes`` are then that article's.
    """

    id: str
    status: IngestStatus
    duplicate_of: str | None = None
    quotes: tuple[ArticleQuote, ...]


class IngestResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One result per article sent, in the order sent."""

    results: tuple[IngestedArticle, ...]


# ---------------------------------------------------------------------------------------------
# Health.


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"] = "ok"


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    dimension: int
    # How queries are encoded: "onnx-int8", "onnx-fp32", "torch" (or "custom").
    encoder: str


class SearchInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The FAISS index behind lookups: exact ("Flat") or approximate, and its parameters."""

    factory: str
    parameters: dict[str, int]


class IndexCounts(msgspec.Struct, frozen=True, kw_only=True):
    articles: int
    quotes: int
    speakers: int
    statements: int
    vectors: int


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """The loaded index: the model that built it, what it holds, and when it was built."""

    status: Literal["ready"]
    model: ModelInfo
    search: SearchInfo
    counts: IndexCounts
    built_at: str
    format_version: int
    builder_version: str
    input_checksum: str


# ---------------------------------------------------------------------------------------------
# Errors.


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """One invalid part of a request."""

    message: str
    key: str | None = None
    source: str | None = None


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An error, as problem details (RFC 9457). ``type`` is stable: branch on it, not on
    ``title`` or ``detail``."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: tuple[FieldError, ...] | None = None
