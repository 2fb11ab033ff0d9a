"""What Ray's workers run: the single-process build's own per-article and per-batch functions.

Ray Data instantiates :class:`Analyser` and :class:`Encoder` once per actor, so each actor
loads one spaCy pipeline or one ONNX session, and calls them with batches of rows. Rows carry
articles as msgpack (:func:`encode_article`) and attributions pickled: the article-local
entities they hold keep their identity inside one attribution, which speaker resolution needs.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from index.analyse.pipeline import analyse_article
from index.articles import article_of, parse_jsonl
from index.build import embed_batch
from index.embed.protocol import Embedder
from index.models import Article

if TYPE_CHECKING:
    from spacy.language import Language

    from index.analyse.attribute import Attribution

ARTICLE = "article"
ATTRIBUTION = "attribution"
BATCH_ID = "batch"
TEXTS = "texts"
VECTORS = "vectors"

Batch = Mapping[str, Any]


def encode_article(article: Article) -> bytes:
    return msgspec.msgpack.encode(article)


def decode_article(data: bytes) -> Article:
    return msgspec.msgpack.decode(data, type=Article)


def decode_attribution(data: bytes) -> Attribution:
    attribution: Attribution = pickle.loads(data)  # written by this build's own workers
    return attribution


def articles_of_lines(batch: Batch) -> dict[str, list[bytes]]:
    """JSON Lines rows (``ray.data.read_text``'s ``text`` column) as articles, checked as the
    single-process reader checks them."""
    lines: Iterable[str] = (str(line) for line in batch["text"])
    return {ARTICLE: [encode_article(article) for article in parse_jsonl(lines)]}


def articles_of_rows(batch: Any) -> dict[str, list[bytes]]:
    """Parquet rows (a ``pyarrow.Table`` batch) as articles."""
    rows: list[dict[str, object]] = batch.to_pylist()
    return {ARTICLE: [encode_article(article_of(row)) for row in rows]}


class Analyser:
    """The text stages of each article (extract, attribute) with one spaCy pipeline."""

    def __init__(self) -> None:
        from index.analyse.language import load_language

        self.nlp: Language = load_language()

    def __call__(self, batch: Batch) -> dict[str, list[bytes]]:
        data = [bytes(item) for item in batch[ARTICLE]]
        attributions = [analyse_article(decode_article(item), self.nlp) for item in data]
        return {ARTICLE: data, ATTRIBUTION: [pickle.dumps(a) for a in attributions]}


class Encoder:
    """Planned embedding batches, each encoded whole (as the single-process build does) with
    one embedder per actor, made by ``factory``."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self.embedder = factory()

    def __call__(self, batch: Batch) -> dict[str, list[Any]]:
        vectors = [
            embed_batch(self.embedder, [str(text) for text in texts]).tobytes()
            for texts in batch[TEXTS]
        ]
        return {BATCH_ID: [int(number) for number in batch[BATCH_ID]], VECTORS: vectors}
