"""``whosaid build --engine ray``: the one build with its expensive stages on Ray Data.

Two streaming Ray Data pipelines, each ending in an actor pool, then the driver:

1. read → parse → analyse: articles from a folder (read here, as the single-process build
   reads it), JSON Lines shards (``read_text``) or Parquet files (``read_parquet``), in small
   blocks, to an :class:`~index.distribute.actors.Analyser` pool (one spaCy pipeline each);
2. embed: the batches :func:`~index.build.embedding_batches` plans, to an
   :class:`~index.distribute.actors.Encoder` pool (one ONNX session each, one thread each);
3. in the driver, what must see the whole corpus: speaker resolution
   (:func:`~index.analyse.pipeline.resolve_corpus`), grouping, the FAISS index, calibration and
   the atomic write (:func:`~index.build.write_build`).

Order is kept (``preserve_order``; embedded batches carry their number), so the index is the
single-process build's. An actor that dies is restarted and its batch retried
(:data:`MAX_RESTARTS`, :data:`MAX_TASK_RETRIES`); a build that fails anyway writes nothing, so
the previous index folder stays as it was.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.analyse.pipeline import resolve_corpus
from index.articles import PARQUET_SUFFIXES, check_unique, load_folder, shard_files
from index.build import StageClock, write_build
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
from index.embed.protocol import Embedder
from index.errors import ArticleError, WhosaidError
from index.live.served import Serving, build_embedder
from index.models import Article
from index.store.manifest import Manifest

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from ray.data import Dataset

    from index.analyse.attribute import Attribution

log = logging.getLogger("whosaid.build")

# Articles per block: small enough that every worker has work and a retried block is cheap.
ARTICLES_PER_BLOCK = 32
# About the size of a news article and its metadata, to cut shards into blocks before reading.
BYTES_PER_ARTICLE = 4000
# Planned embedding batches (64 texts each) per actor call.
BATCHES_PER_CALL = 4
# A worker process that dies is started again this many times, and its batch retried.
MAX_RESTARTS = 4
MAX_TASK_RETRIES = 4


class RayUnavailableError(WhosaidError):
    """The Ray engine was asked for but Ray is not installed."""


@contextmanager
def ray_session(address: str | None, workers: int | None) -> Iterator[int]:
    """A connection to a Ray cluster, and its CPU count: the one already initialised, the one
    at ``address`` (or ``RAY_ADDRESS``), or a local cluster of ``workers`` CPUs started here
    (and shut down on the way out)."""
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError("the Ray engine needs Ray: pip install 'whosaid[ray]'") from exc
    started = not ray.is_initialized()
    if started:
        if address is None and not os.environ.get("RAY_ADDRESS"):
            ray.init(num_cpus=workers, include_dashboard=False, configure_logging=False)
        else:
            ray.init(address=address, configure_logging=False)
    try:
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        yield int(resources.get("CPU", 1))
    finally:
        if started:
            ray.shutdown()


def _configure(progress: bool) -> None:
    from ray.data import DataContext

    context = DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = progress


def _article_rows(source: Path, workers: int) -> tuple[Dataset | None, int]:
    """Rows of msgpack articles in blocks of about :data:`ARTICLES_PER_BLOCK` (at least one
    per worker), and how many blocks (no dataset for a folder without articles).

    Reading and parsing ask for no CPU: they are light next to the text stages, whose actors
    hold every CPU of the pool, and would otherwise wait for them (and they for it) forever.
    """
    import ray.data

    if source.is_dir():
        items = [{ARTICLE: encode_article(article)} for article in load_folder(source)]
        if not items:
            return None, 0
        blocks = max(1, min(len(items), max(workers, _blocks(len(items)))))
        return ray.data.from_items(items, override_num_blocks=blocks), blocks
    files = shard_files(source)
    parquet = {path.suffix in PARQUET_SUFFIXES for path in files}
    if len(parquet) > 1:
        raise ArticleError(f"{source} names JSON Lines and Parquet files: use one kind")
    paths = [str(path.resolve()) for path in files]
    size = sum(path.stat().st_size for path in files)
    blocks = max(len(files), workers, _blocks(size // BYTES_PER_ARTICLE))
    if parquet == {True}:
        rows = ray.data.read_parquet(paths, num_cpus=0, override_num_blocks=blocks)
        return rows.map_batches(articles_of_rows, batch_format="pyarrow", num_cpus=0), blocks
    lines = ray.data.read_text(paths, num_cpus=0, override_num_blocks=blocks)
    return lines.map_batches(articles_of_lines, num_cpus=0), blocks


def _blocks(rows: int) -> int:
    return max(1, -(-rows // ARTICLES_PER_BLOCK))


def _actor_pool(data: Dataset, blocks: int, actor: type[Any], size: int, **options: Any) -> Dataset:
    """``data`` (in ``blocks`` blocks) through a pool of ``size`` actors of one CPU each, at
    most one per block (so none idles), each restarted and its batch retried when its process
    dies."""
    import ray.data

    with warnings.catch_warnings():
        # Ray 2.60 deprecates passing actor options this way (named ones replace them in
        # 2.64); it is still the only way to bound restarts, which default to unbounded.
        warnings.filterwarnings("ignore", message=".*ray_remote_args.* is deprecated")
        return data.map_batches(
            actor,
            compute=ray.data.ActorPoolStrategy(size=max(1, min(size, blocks))),
            num_cpus=1,
            max_restarts=MAX_RESTARTS,
            max_task_retries=MAX_TASK_RETRIES,
            **options,
        )


def analyse_on_ray(
    source: Path, workers: int, analyser: type[Analyser] = Analyser
) -> tuple[list[Article], list[Attribution]]:
    """Every article of ``source`` and its attribution, in input order."""
    rows, blocks = _article_rows(source, workers)
    if rows is None:
        return [], []
    analysed = _actor_pool(rows, blocks, analyser, workers, batch_size=ARTICLES_PER_BLOCK)
    articles: list[Article] = []
    attributions: list[Attribution] = []
    for batch in analysed.iter_batches(batch_size=None, batch_format="numpy"):
        articles.extend(decode_article(bytes(item)) for item in batch[ARTICLE])
        attributions.extend(decode_attribution(bytes(item)) for item in batch[ATTRIBUTION])
    return articles, attributions


def embed_on_ray(
    batches: Sequence[Sequence[str]], *, serving: Serving, dimension: int, workers: int
) -> list[NDArray[np.float32]]:
    """The planned ``batches`` embedded by a pool of ``workers`` encoder actors, in order."""
    import ray.data

    if not batches:
        return []
    factory = partial(_worker_embedder, serving)
    items = [{BATCH_ID: number, TEXTS: list(texts)} for number, texts in enumerate(batches)]
    blocks = min(len(items), max(workers, -(-len(items) // BATCHES_PER_CALL)))
    embedded = _actor_pool(
        ray.data.from_items(items, override_num_blocks=blocks),
        blocks,
        Encoder,
        workers,
        fn_constructor_args=(factory,),
        batch_size=BATCHES_PER_CALL,
    )
    parts: dict[int, NDArray[np.float32]] = {}
    for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
        for number, data in zip(batch[BATCH_ID], batch[VECTORS], strict=True):
            parts[int(number)] = np.frombuffer(bytes(data), dtype=np.float32).reshape(-1, dimension)
    return [parts[number] for number in range(len(batches))]


def _worker_embedder(serving: Serving) -> Embedder:
    """The build's embedder in a worker: one thread (Ray gives each actor one CPU)."""
    from index.embed.choice import for_build

    return for_build(serving.encoder, serving.model_dir, serving.encoder_cache, threads=1)


def build_on_ray(
    source: Path,
    out: Path,
    serving: Serving,
    *,
    address: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    allow_empty: bool = False,
    clock: StageClock | None = None,
    analyser: type[Analyser] = Analyser,
) -> Manifest:
    """Build the index of ``source`` (a folder, a JSON Lines or Parquet file, or a glob of
    them) at ``out`` on Ray, with ``workers`` actors per stage (default: the cluster's CPUs).
    Returns the manifest, as :func:`~index.build.build_index` does; ``analyser`` is the actor
    class of the text stages (a test's stands in to fail on purpose)."""
    # Workers open the export the driver made; a relative cache would be theirs, not ours.
    embedder = build_embedder(serving)
    serving = _absolute(serving)
    with ray_session(address, workers) as cpus:
        size = workers or cpus
        log.info("building on Ray with %d workers per stage (%d CPUs)", size, cpus)
        _configure(progress)
        clock = clock or StageClock(progress=progress)
        with clock.stage("analyse"):
            articles, attributions = analyse_on_ray(source, size, analyser)
            check_unique(articles)
            if not articles and not allow_empty:
                raise ArticleError(f"no articles in {source}; allow_empty builds an empty index")
            corpus = resolve_corpus(articles, attributions)
        embed = partial(
            embed_on_ray, serving=serving, dimension=embedder.info.dimension, workers=size
        )
        return write_build(corpus, out, embedder, embed, clock=clock, progress=progress)


def _absolute(serving: Serving) -> Serving:
    import msgspec

    model_dir = serving.model_dir.resolve() if serving.model_dir is not None else None
    return msgspec.structs.replace(
        serving, encoder_cache=serving.encoder_cache.resolve(), model_dir=model_dir
    )
