"""The file formats of ``whosaid eval``: the gold annotation, the predictions, the report.

The gold file is read leniently (unknown keys ignored, optional keys optional); the
predictions (``--predictions``) and the report (``--json``) are written in the shapes the
shared eval README gives. Scoring over them is :mod:`index.evaluate.scores`.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Why = Literal["exact", "fragment", "paraphrase", "negative", "misattributed"]
WHYS: tuple[Why, ...] = ("exact", "fragment", "paraphrase", "negative", "misattributed")
OVERALL = "overall"

# ---------------------------------------------------------------- gold (extra keys ignored)


class GoldArticle(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    outlet: str | None = None
    title: str | None = None


class GoldSpeaker(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    kind: str | None = None
    aliases: tuple[str, ...] = ()


class GoldQuote(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    text: str
    speaker: str | None
    group: str | None
    kind: str | None = None


class GoldQuery(msgspec.Struct, frozen=True, kw_only=True):
    q: str
    why: Why
    speaker: str | None = None
    group: str | None = None
    files: tuple[str, ...] = ()


class Gold(msgspec.Struct, frozen=True, kw_only=True):
    articles: tuple[GoldArticle, ...]
    speakers: tuple[GoldSpeaker, ...]
    quotes: tuple[GoldQuote, ...]
    queries: tuple[GoldQuery, ...] = ()


# ---------------------------------------------------------------- predictions (eval --predictions)


class PredictedQuote(msgspec.Struct, frozen=True, kw_only=True):
    """A quote the system found: ``text == article[start:end]``; speaker is a canonical name."""

    file: str
    start: int
    end: int
    text: str
    speaker: str | None = None
    group: str | None = None


class PredictedVariant(msgspec.Struct, frozen=True, kw_only=True):
    """One variant of a lookup's top statement; without offsets its text is searched for."""

    file: str
    text: str
    start: int | None = None
    end: int | None = None


class PredictedLookup(msgspec.Struct, frozen=True, kw_only=True):
    """The system's answer to one gold query: ``match`` is false for "no match"."""

    q: str
    match: bool
    speaker: str | None = None
    variants: tuple[PredictedVariant, ...] = ()


class Predictions(msgspec.Struct, frozen=True, kw_only=True):
    """What the system produced. An empty ``lookups`` means lookups were not run."""

    quotes: tuple[PredictedQuote, ...] = ()
    lookups: tuple[PredictedLookup, ...] = ()


# ---------------------------------------------------------------- report (eval --json)


class ExtractionScore(msgspec.Struct, frozen=True, kw_only=True):
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int
    matched: int


class SpeakerScore(msgspec.Struct, frozen=True, kw_only=True):
    accuracy: float
    correct: int
    total: int
    null_given_speaker: int


class PairScore(msgspec.Struct, frozen=True, kw_only=True):
    precision: float
    recall: float
    f1: float


class GroupingScore(msgspec.Struct, frozen=True, kw_only=True):
    all: PairScore
    cross_file: PairScore


class LookupScore(msgspec.Struct, frozen=True, kw_only=True):
    accuracy: float
    correct: int
    total: int
    outlet_recall: float | None


class FileScore(msgspec.Struct, frozen=True, kw_only=True):
    extraction: ExtractionScore
    speaker: SpeakerScore


ErrorClass = Literal["wrong_entity", "no_speaker", "non_entity", "name_form", "null_given"]
ERROR_CLASSES: tuple[ErrorClass, ...] = (
    "wrong_entity",
    "no_speaker",
    "non_entity",
    "name_form",
    "null_given",
)


class SpeakerError(msgspec.Struct, frozen=True, kw_only=True):
    """One matched quote whose speaker is wrong: what the gold says, what the system gave."""

    file: str
    text: str
    kind: ErrorClass
    gold: str | None
    predicted: str | None


class FileErrors(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    errors: int
    # Matched quotes with a gold speaker, plus gold-null quotes that count for ``null_given``.
    scored: int


class ErrorAnalysis(msgspec.Struct, frozen=True, kw_only=True):
    """Speaker errors by class, the files with most errors, and every error for reading."""

    counts: dict[str, int]
    worst: tuple[FileErrors, ...]
    errors: tuple[SpeakerError, ...]


class Report(msgspec.Struct, frozen=True, kw_only=True):
    extraction: ExtractionScore
    speaker: SpeakerScore
    grouping: GroupingScore
    # One entry per ``why`` (all five, in WHYS order) and "overall".
    lookup: dict[str, LookupScore]
    files: dict[str, FileScore]


class QueryOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How one gold query fared: for reports that list the failures."""

    q: str
    why: Why
    correct: bool
    # None for negative queries and for queries that list no files.
    outlet_recall: float | None
    answered: bool
    speaker: str | None
