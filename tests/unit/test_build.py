"""Building an index folder: the pipeline, embedding in batches, and the manifest it records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np
import pytest
from numpy.typing import NDArray

from index.articles import checksum
from index.build import BATCH, build_index, embed_texts, index_corpus
from index.models import Article
from index.search.searcher import Searcher
from index.store.folder import load_index
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import sample_corpus

ARTICLES = [
    Article(
        id="first",
        outlet="Daily Post",
        text=(
            "Finance Minister Anna Berg presented the budget on Tuesday.\n"
            "“We will cut taxes for families. Growth will return next year,” Berg said.\n"
        ),
    ),
    Article(
        id="second",
        outlet="Wire Service",
        text=(
            "Anna Berg, the finance minister, spoke to parliament.\n"
            "“We will cut taxes for families,” Berg said.\n"
        ),
    ),
]


class CountingEmbedder(HashEmbedder):
    """Records every batch it is asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        self.batches.append(list(texts))
        return super().encode(texts, batch_size=batch_size)


def test_build_index_writes_a_loadable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    manifest = build_index(ARTICLES, folder, HashEmbedder())
    loaded = load_index(folder)
    # On disk the manifest also records every file's checksum.
    assert msgspec.structs.replace(loaded.manifest, files={}) == manifest
    assert set(loaded.manifest.files) >= {"vectors.npy", "articles.json"}
    assert manifest.input_checksum == checksum(ARTICLES)
    assert manifest.counts.articles == 2
    assert manifest.counts.quotes == len(loaded.corpus.quotes) >= 2
    assert manifest.counts.groups == len(loaded.corpus.groups) >= 1
    # Every quote is in a group; a two-sentence quote adds its sentences as units.
    assert {v.quote_id for g in loaded.corpus.groups for v in g.variants} == {
        q.id for q in loaded.corpus.quotes
    }
    assert manifest.counts.vectors == len(loaded.corpus.quotes) + 2
    answer = Searcher.open(folder, embedder=HashEmbedder()).lookup("cut taxes for families")
    assert answer.matches and answer.matches[0].speaker is not None
    assert answer.matches[0].speaker.name == "Anna Berg"
    assert {v.outlet for v in answer.matches[0].variants} == {"Daily Post", "Wire Service"}


def test_build_index_shows_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_index(ARTICLES, tmp_path / "quiet", HashEmbedder())
    assert capsys.readouterr().err == ""
    build_index(ARTICLES, tmp_path / "loud", HashEmbedder(), progress=True)
    assert "build" in capsys.readouterr().err


def test_build_index_of_no_articles(tmp_path: Path) -> None:
    manifest = build_index([], tmp_path / "index", HashEmbedder())
    assert (manifest.counts.quotes, manifest.counts.vectors) == (0, 0)
    searcher = Searcher.open(tmp_path / "index", embedder=HashEmbedder())
    assert searcher.lookup("anything at all").matches == ()


@pytest.mark.parametrize("count", [0, 1, BATCH, BATCH + 1, 2 * BATCH + 5])
def test_embed_texts_in_batches(count: int) -> None:
    embedder = CountingEmbedder()
    texts = [f"text number {n}" for n in range(count)]
    vectors = embed_texts(embedder, texts)
    assert vectors.shape == (count, embedder.info.dimension)
    assert vectors.dtype == np.float32
    assert len(embedder.batches) == -(-count // BATCH)
    assert [text for batch in embedder.batches for text in batch] == texts


def test_index_corpus_reuses_quote_vectors(tmp_path: Path) -> None:
    corpus = sample_corpus()
    quote_vectors = HashEmbedder().encode([q.text for q in corpus.quotes])
    embedder = CountingEmbedder()
    index_corpus(corpus, tmp_path / "index", embedder, quote_vectors=quote_vectors)
    encoded = [text for batch in embedder.batches for text in batch]
    # Only the sentences of the two-sentence quotes are embedded, each distinct text once
    # (two quotes share them).
    assert encoded == [
        "The strike will continue until wages rise.",
        "Workers deserve better pay for their work.",
    ]


def test_calibration_is_recorded(tmp_path: Path) -> None:
    manifest = index_corpus(sample_corpus(), tmp_path / "index", HashEmbedder())
    calibration = manifest.calibration
    assert calibration.samples >= 1
    assert calibration.method.startswith("floor (only")  # a handful of quotes say too little
    assert calibration.threshold == calibration.floor


LONG = (
    "We will cut taxes for every family in the country. Growth will return to every region "
    "next year. The deficit will fall by half before the next election."
)


def test_embedding_batches_hold_distinct_quote_texts_then_sentences() -> None:
    from index.build import embedding_batches
    from index.store.units import quote_units

    corpus = sample_corpus()
    quotes = [*corpus.quotes, msgspec.structs.replace(corpus.quotes[0], id="long", text=LONG)]
    batches = embedding_batches(quotes)
    texts = [text for batch in batches for text in batch]
    distinct = list(dict.fromkeys(quote.text for quote in quotes))
    assert texts[: len(distinct)] == distinct
    assert len(texts) == len(set(texts))
    every_unit = {unit.text for unit in quote_units(quotes, {q.id: "" for q in quotes})}
    assert set(texts) == every_unit | set(distinct)
    assert len(texts) > len(distinct)  # the long quote's sentences
    assert all(0 < len(batch) <= BATCH for batch in batches)


@pytest.mark.parametrize("count", [1, BATCH, BATCH + 1])
def test_embedding_batches_never_mix_quotes_and_sentences(count: int) -> None:
    from index.build import embedding_batches

    template = sample_corpus().quotes[0]
    quotes = [
        msgspec.structs.replace(template, id=f"q{n}", text=f"{LONG} {n}") for n in range(count)
    ]
    batches = embedding_batches(quotes)
    quote_batches = -(-count // BATCH)
    assert [t for batch in batches[:quote_batches] for t in batch] == [q.text for q in quotes]


def test_build_index_embeds_exactly_the_planned_batches(tmp_path: Path) -> None:
    from index.analyse.pipeline import analyse
    from index.build import embedding_batches

    embedder = CountingEmbedder()
    build_index(ARTICLES, tmp_path / "index", embedder)
    assert embedder.batches == embedding_batches(analyse(ARTICLES).quotes)


def test_stage_clock_reports_each_stage_and_the_rate() -> None:
    from index.build import StageClock

    clock = StageClock()
    clock.seconds.update({"analyse": 3.0, "embed": 1.0})
    assert (
        clock.report(40)
        == "40 quotes in 4.0 s, 10.0 quotes/s: analyse 3.0 s (75%), embed 1.0 s (25%)"
    )
    with clock.stage("group"):
        pass
    assert set(clock.seconds) == {"analyse", "embed", "group"}
