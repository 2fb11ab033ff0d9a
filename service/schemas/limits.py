"""Limits, patterns and constrained types shared by request bodies and parameters.

Constraints live in the annotations as named aliases. In bodies they are ``msgspec.Meta``;
query and path parameters carry the same limits through ``QueryParameter`` and
``PathParameter`` (litestar reads parameter constraints from there). Either way litestar writes
them into the OpenAPI document and answers a violation with a 400 before a handler runs."""

from __future__ import annotations

from typing import Annotated

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
# Variant rows an answer carries by default and at most (the rest are a cursor away).
DEFAULT_MAX_VARIANTS = 20
MAX_VARIANTS = 200


# Bodies above this are refused with 413 before they are read in full.
MAX_BODY_BYTES = 512 * 1024


# Patterns hold for the whole value (``\A`` to ``\Z``: ``$`` would let a final line feed
# through). Controls: C0, DEL and C1, but tab, line feed and carriage return, which a text may
# hold. A one-line value holds no control at all, nor a line or paragraph separator.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_BREAKS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"


# Characters that show nothing: white space (``\s`` takes the Unicode spaces) and the format
# characters and fillers that draw no glyph. A value of only these is blank.
_INVISIBLE = (
    r"\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
)


# Not blank: some character shows (a lookahead, so the rest of a pattern still runs once).
_VISIBLE = rf"(?=[{_INVISIBLE}]*[^{_INVISIBLE}])"


# A text (a quotation, an article): not blank, and no control but tab, line feed and CR.
NOT_BLANK = rf"\A{_VISIBLE}[^{_CONTROLS}]*\Z"


# Limits of ingest (POST /v1/articles). A long news article is some 20,000 characters.
MAX_INGEST_ARTICLES = 20


MAX_ARTICLE_TEXT = 100_000


MAX_TITLE_LENGTH = 1000


MAX_URL_LENGTH = 2000


MAX_PUBLISHED_LENGTH = 64


MAX_INGEST_BODY_BYTES = 4 * 1024 * 1024


# An article id: letters, digits and ``_ . ~ : -``, starting with a letter, digit or ``_``
# (safe in a URL path segment as it stands).
ARTICLE_ID_PATTERN = r"\A[A-Za-z0-9_][A-Za-z0-9_.~:-]*\Z"


# Article text: not blank, and no control character but tab, line feed and carriage return.
ARTICLE_TEXT_PATTERN = NOT_BLANK


# One line of metadata (title, url, date): no control character at all, no line separator.
ONE_LINE_PATTERN = rf"\A[^{_LINE_BREAKS}]*\Z"


# ... and not blank (an outlet, a speaker's name).
ONE_LINE_NOT_BLANK_PATTERN = rf"\A{_VISIBLE}[^{_LINE_BREAKS}]*\Z"


TEXT_DESCRIPTION = "The words to look up: a quotation as one outlet printed it, or part of one."


K_DESCRIPTION = "How many statements to return at most, best first."


SCORE_DESCRIPTION = (
    "How well the statement answers the query, from 0 to 1: the geometric mean of the best "
    "cosine similarity between the query and one of the statement's quotes (meaning) and the "
    "IDF-weighted share of the query's content words the statement uses (wording). It is not "
    "a cosine similarity. A statement whose cosine similarity alone reaches the index's "
    "`dense_alone` level is strong whatever its score (a rewording that shares few words)."
)

MIN_SCORE_DESCRIPTION = (
    "A plain cut on `score` (the geometric mean described there, not a cosine similarity): "
    "the least score a statement needs to count as a strong match. Given, it replaces both "
    "the index's calibrated no-match threshold and its `dense_alone` rule. Leave it out to "
    "use them; each answer reports the threshold it applied."
)

INCLUDE_WEAK_DESCRIPTION = (
    "Also return the top `k` candidates that do not reach the threshold, marked "
    "`strong: false` (by default only strong matches are returned)."
)


CLAIMED_SPEAKER_DESCRIPTION = (
    "A speaker the caller believes said the text; the answer says whether the corpus agrees."
)


OUTLETS_DESCRIPTION = (
    "Only consider quotes printed by these outlets (outlet names, case-insensitive). An "
    "outlet the index holds no article from is a 400 that names it."
)


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
        pattern=ONE_LINE_NOT_BLANK_PATTERN,
        description=CLAIMED_SPEAKER_DESCRIPTION,
    ),
]


OutletName = Annotated[
    str, Meta(min_length=1, max_length=MAX_NAME_LENGTH, pattern=ONE_LINE_NOT_BLANK_PATTERN)
]


OutletFilter = Annotated[
    list[OutletName], Meta(max_length=MAX_OUTLETS, description=OUTLETS_DESCRIPTION)
]


# The outlet filter's name before it was the same everywhere (`outlet`); still accepted.
OLD_OUTLETS_DESCRIPTION = (
    "Deprecated: the former name of `outlet`, still accepted. Outlets given under either "
    "name are all kept."
)


OldOutletFilter = Annotated[
    list[OutletName],
    Meta(
        max_length=MAX_OUTLETS,
        description=OLD_OUTLETS_DESCRIPTION,
        extra_json_schema={"deprecated": True},
    ),
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


TextParam = Annotated[
    str,
    QueryParameter(
        description=TEXT_DESCRIPTION,
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        pattern=ONE_LINE_NOT_BLANK_PATTERN,
    ),
]


TopKParam = Annotated[int, QueryParameter(description=K_DESCRIPTION, ge=1, le=MAX_K)]


IncludeWeakParam = Annotated[bool, QueryParameter(description=INCLUDE_WEAK_DESCRIPTION)]


MinScoreParam = Annotated[
    float | None, QueryParameter(description=MIN_SCORE_DESCRIPTION, ge=-1.0, le=1.0)
]


ClaimedSpeakerParam = Annotated[
    str | None,
    QueryParameter(
        description=CLAIMED_SPEAKER_DESCRIPTION,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=ONE_LINE_NOT_BLANK_PATTERN,
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


OldOutletsParam = Annotated[
    list[str] | None,
    QueryParameter(
        name="outlets",
        description=OLD_OUTLETS_DESCRIPTION,
        max_items=MAX_OUTLETS,
        schema_extra={"deprecated": True},
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


MAX_VARIANTS_DESCRIPTION = (
    "How many variant rows each statement carries at most (fragments are folded under the "
    "full variant they are part of). The rest are a `next_variants_cursor` away, on "
    "`GET /v1/statements/{statement_id}`."
)

MaxVariants = Annotated[int, Meta(ge=1, le=MAX_VARIANTS, description=MAX_VARIANTS_DESCRIPTION)]

MaxVariantsParam = Annotated[
    int, QueryParameter(description=MAX_VARIANTS_DESCRIPTION, ge=1, le=MAX_VARIANTS)
]

VariantsCursorParam = Annotated[
    str | None,
    QueryParameter(
        description="Where the variant rows start: a `next_variants_cursor`. Leave it out "
        "for the first rows.",
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
    ),
]
