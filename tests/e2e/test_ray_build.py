"""The Ray engine against the single-process build, on a real local Ray cluster of 2 workers.

Both engines build the seeds (a folder) and a generated corpus (two JSON Lines shards, by
glob) with the real model; the index folders must hold the same quotes, speakers, statements
and units, vectors equal within int8 tolerance, and score the same eval report. A worker
process that dies mid-build is restarted and its batch retried; a build that fails leaves the
index folder it would have replaced as it was.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest

from bench.corpus import articles as generated_articles
from index import Serving, build_embedder, build_index, build_on_ray, load_articles
from index.distribute.actors import Analyser
from index.evaluate.evaluate import load_gold, lookup_prediction, quote_predictions, render_report
from index.evaluate.gold import Predictions
from index.evaluate.scores import score
from index.search.searcher import Searcher
from index.store.folder import load_index

pytestmark = [
    pytest.mark.e2e,
    # Ray deprecates some of its own settings and then sets them itself (DataContext()).
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*"),
]

# The int8 encoder's vectors may differ by rounding between processes; equal batches (what
# both engines embed) make them equal in practice.
VECTOR_TOLERANCE = 1e-3
GENERATED_QUOTES = 160


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """A local Ray cluster of 2 CPUs (2 worker processes per stage), shut down afterwards."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Serving:
    work = tmp_path_factory.mktemp("ray-serving")
    return Serving(
        index_dir=work / "index",
        articles=work / "articles",
        journal=work / "journal.sqlite3",
        encoder_cache=repo_root / "var" / "encoders",
    )


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus as two JSON Lines shards; the glob that names them."""
    folder = tmp_path_factory.mktemp("shards")
    lines = [msgspec.json.encode(line) for line in generated_articles(GENERATED_QUOTES, seed=5)]
    half = len(lines) // 2
    for number, part in enumerate((lines[:half], lines[half:])):
        (folder / f"part-{number}.jsonl").write_bytes(b"\n".join(part) + b"\n")
    return folder / "part-*.jsonl"


@pytest.fixture(scope="module")
def sources(seeds_dir: Path, shards: Path) -> dict[str, Path]:
    return {"seeds": seeds_dir, "generated": shards}


@pytest.fixture(scope="module")
def local_builds(
    tmp_path_factory: pytest.TempPathFactory, serving: Serving, sources: dict[str, Path]
) -> dict[str, Path]:
    """Each source built by the single-process engine."""
    embedder = build_embedder(serving)
    out = tmp_path_factory.mktemp("local")
    for name, source in sources.items():
        build_index(load_articles(source), out / name, embedder)
    return {name: out / name for name in sources}


def assert_same_index(left: Path, right: Path) -> None:
    a, b = load_index(left), load_index(right)
    assert a.corpus.articles == b.corpus.articles
    assert a.corpus.quotes == b.corpus.quotes
    assert a.corpus.speakers == b.corpus.speakers
    assert a.corpus.groups == b.corpus.groups
    assert a.units == b.units
    assert a.vectors.shape == b.vectors.shape
    assert float(np.abs(a.vectors - b.vectors).max()) <= VECTOR_TOLERANCE
    assert a.manifest.counts == b.manifest.counts
    assert a.manifest.input_checksum == b.manifest.input_checksum
    assert a.manifest.faiss_factory == b.manifest.faiss_factory
    assert a.manifest.calibration == b.manifest.calibration


def eval_report(folder: Path, gold_path: Path) -> str:
    """What ``whosaid eval`` prints for the index at ``folder`` (its quotes and lookups)."""
    gold = load_gold(gold_path)
    searcher = Searcher.open(folder)
    articles = searcher.corpus.articles
    files = {article.id: article.file or article.id for article in articles}
    lookups = tuple(
        lookup_prediction(query.q, searcher.lookup(query.q, k=1), files) for query in gold.queries
    )
    predictions = Predictions(
        quotes=tuple(quote_predictions(searcher.corpus, files)), lookups=lookups
    )
    texts = {article.file or article.id: article.text for article in articles}
    return render_report(score(gold, predictions, texts))


def test_the_ray_build_of_the_seeds_is_the_single_process_build(
    ray_cluster: None,
    serving: Serving,
    sources: dict[str, Path],
    local_builds: dict[str, Path],
    tmp_path: Path,
    repo_root: Path,
) -> None:
    build_on_ray(sources["seeds"], tmp_path / "index", serving, workers=2)
    assert_same_index(local_builds["seeds"], tmp_path / "index")
    gold = repo_root / "tests" / "data" / "seeds-gold.json"
    assert eval_report(tmp_path / "index", gold) == eval_report(local_builds["seeds"], gold)


def dying_once(marker: Path) -> type[Analyser]:
    """An analyser whose process dies on its first batch, once per ``marker`` (Ray pickles this
    class by value, marker and all, into the workers)."""

    class DyingOnce(Analyser):
        def __call__(self, batch: Any) -> dict[str, list[bytes]]:
            if not marker.exists():
                marker.write_text(str(os.getpid()))
                os._exit(1)  # the worker process dies, as if killed
            return super().__call__(batch)

    return DyingOnce


def test_a_ray_build_of_shards_with_a_worker_killed_is_the_single_process_build(
    ray_cluster: None,
    serving: Serving,
    sources: dict[str, Path],
    local_builds: dict[str, Path],
    tmp_path: Path,
) -> None:
    """The generated corpus, read from its shards by Ray; one analyser process dies on its
    first batch, Ray restarts it and retries the batch, and the index is the same."""
    marker = tmp_path / "killed"
    manifest = build_on_ray(
        sources["generated"], tmp_path / "index", serving, workers=2, analyser=dying_once(marker)
    )
    assert marker.exists(), "no worker was killed"
    assert manifest.counts.quotes >= GENERATED_QUOTES
    assert_same_index(local_builds["generated"], tmp_path / "index")


class Failing(Analyser):
    """An analyser that fails its first batch (and loads no pipeline to do so)."""

    def __init__(self) -> None:
        pass

    def __call__(self, batch: Any) -> dict[str, list[bytes]]:
        raise RuntimeError("the build fails here")


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_failed_build_leaves_the_previous_index_untouched(
    ray_cluster: None,
    serving: Serving,
    sources: dict[str, Path],
    local_builds: dict[str, Path],
    tmp_path: Path,
) -> None:
    import shutil

    out = tmp_path / "index"
    shutil.copytree(local_builds["seeds"], out)
    before = folder_digest(out)
    with pytest.raises(Exception, match="the build fails here"):
        build_on_ray(sources["seeds"], out, serving, workers=2, analyser=Failing)
    assert folder_digest(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["index"]
