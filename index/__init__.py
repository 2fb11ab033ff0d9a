"""whosaid's pipeline: who said this, and where.

The stages are folders, in the order a build runs them: ``text`` (word helpers every stage
shares), ``analyse`` (quotes, cues, speakers; the only spaCy user), ``group`` (statements
across outlets and their differences), ``embed`` (sentence vectors; the only torch and
onnxruntime user), ``store`` (the index folder; the only faiss user), ``search`` (lookups and
browsing), then ``build`` (one build), ``live`` (writes while serving), ``distribute`` (the
one build on a Ray cluster) and ``evaluate`` (``whosaid eval``, which the service never
imports).

What the service may use is named here; everything else is internal.
"""

from index import models
from index.analyse.language import load_language
from index.articles import load_articles
from index.build import build_index
from index.distribute.engine import build_on_ray
from index.embed.choice import CHOICES, DEFAULT, DEFAULT_CACHE, Choice
from index.embed.protocol import Embedder, EmbedderInfo, Encoder, default_model_dir
from index.errors import (
    ArticleError,
    IndexFormatError,
    InvalidCursorError,
    OverBudgetError,
    UnknownIdError,
    WhosaidError,
)
from index.live.journal import JournalError
from index.live.live import LiveIndex
from index.live.plan import ArticleConflictError, ArticleRejectedError, Outcome
from index.live.preflight import preflight
from index.live.served import Serving, build_embedder, catch_up, open_index
from index.search.browse import (
    Catalog,
    LoadedIndex,
    OutletCounts,
    SpeakerCounts,
    outlets_of,
    select_articles,
)
from index.search.render import format_answer
from index.search.searcher import Searcher
from index.store.ann import simd_level
from index.store.manifest import Manifest

__all__ = [
    "CHOICES",
    "DEFAULT",
    "DEFAULT_CACHE",
    "ArticleConflictError",
    "ArticleError",
    "ArticleRejectedError",
    "Catalog",
    "Choice",
    "Embedder",
    "EmbedderInfo",
    "Encoder",
    "IndexFormatError",
    "InvalidCursorError",
    "JournalError",
    "LiveIndex",
    "LoadedIndex",
    "Manifest",
    "Outcome",
    "OutletCounts",
    "OverBudgetError",
    "Searcher",
    "Serving",
    "SpeakerCounts",
    "UnknownIdError",
    "WhosaidError",
    "build_embedder",
    "build_index",
    "build_on_ray",
    "catch_up",
    "default_model_dir",
    "format_answer",
    "load_articles",
    "load_language",
    "models",
    "open_index",
    "outlets_of",
    "preflight",
    "select_articles",
    "simd_level",
]
