"""The Ray actors' work, called in-process: the single-process build's functions, no Ray."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import msgspec
import numpy as np
import pytest

from index.analyse.pipeline import analyse, resolve_corpus
from index.build import embed_batch
from index.distribute.actors import (
    ARTICLE,
    ATTRIBUTION,
    BATCH_ID,
    TEXTS,
    VECTORS,
    Analyser,
    Encoder,
    articles_of_lines,
    articles_of_rows,
    decode_article,
    decode_attribution,
    encode_article,
)
from index.errors import ArticleError
from index.models import Article
from tests.fakes import HashEmbedder

ARTICLES = [
    Article(
        id="first",
        outlet="Daily Post",
        text="“We will cut taxes for families,” Finance Minister Anna Berg said on Tuesday.\n",
    ),
    Article(
        id="second",
        outlet="Wire Service",
        text="Berg, the finance minister, said: “We will cut taxes.”\n“Not now,” Tom Hale said.\n",
    ),
]


def test_articles_survive_the_row_encoding() -> None:
    assert [decode_article(encode_article(a)) for a in ARTICLES] == ARTICLES


def test_analysed_rows_resolve_to_the_single_process_corpus() -> None:
    """Attributions pickled apart per batch (as workers send them) resolve to the corpus
    that analysing in one process gives: entities keep their identity inside each one."""
    analyser = Analyser()
    rows = [analyser({ARTICLE: [encode_article(article)]}) for article in ARTICLES]
    articles = [decode_article(row[ARTICLE][0]) for row in rows]
    attributions = [decode_attribution(row[ATTRIBUTION][0]) for row in rows]
    assert resolve_corpus(articles, attributions) == analyse(ARTICLES)


def test_json_lines_rows_are_checked_as_the_reader_checks_them() -> None:
    line = msgspec.json.encode({"id": "a", "outlet": "Wire", "text": "Text."}).decode()
    [data] = articles_of_lines({"text": np.array([line], dtype=object)})[ARTICLE]
    assert decode_article(data) == Article(id="a", outlet="Wire", text="Text.")
    with pytest.raises(ArticleError, match="outlet"):
        articles_of_lines({"text": np.array(['{"id": "a", "text": "no outlet"}'], dtype=object)})


def test_parquet_rows_become_articles() -> None:
    import pyarrow as pa

    table = pa.Table.from_pylist([{"id": "a", "outlet": "Wire", "text": "Text.", "url": None}])
    [data] = articles_of_rows(table)[ARTICLE]
    assert decode_article(data) == Article(id="a", outlet="Wire", text="Text.")


def test_the_encoder_embeds_each_planned_batch_whole() -> None:
    batches = [["one text", "two texts"], ["three"]]
    encoder = Encoder(partial(HashEmbedder, 16))
    out = encoder({BATCH_ID: np.array([4, 5]), TEXTS: np.array(batches, dtype=object)})
    assert out[BATCH_ID] == [4, 5]
    for texts, data in zip(batches, out[VECTORS], strict=True):
        vectors = np.frombuffer(data, dtype=np.float32).reshape(len(texts), 16)
        assert np.array_equal(vectors, embed_batch(HashEmbedder(16), texts))


def test_neither_serving_nor_the_single_process_build_imports_ray() -> None:
    code = (
        "import sys; import index, index.build, service.app, service.cli; "
        "service.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
