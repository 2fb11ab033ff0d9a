"""In-process lookups: encode, FAISS search and answer assembly, each with p50 and p99.

Opens an index folder (bench.bigindex at 10k, 100k or 1M quotes) with the ONNX int8 query
encoder and asks it queries made from the corpus (reprints and cuts of indexed quotes, and
new statements) through :meth:`index.search.Searcher.lookup`. The encoder and the FAISS
index are wrapped in timing proxies, so one lookup splits into:

- **encode**: the query texts to vectors;
- **search**: FAISS nearest units;
- **assembly**: everything else in ``lookup`` (lexical candidates, scoring, the Answer);
- **serialise**: the wire conversion and JSON encoding the HTTP route adds.

Run it with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` (bench.http does) as the service
should run: single queries gain nothing from more threads (see bench/ann).

    python -m bench.lookup [--quotes 10000 100000 1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus import quotes, reprint
from bench.measure import machine, rss_mib, summary_ms, write_result


class TimedEmbedder:
    """An Embedder that records how long each encode took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds: list[float] = []

    @property
    def info(self) -> Any:
        return self.inner.info

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.encode(texts, batch_size=batch_size)
        finally:
            self.seconds.append(time.perf_counter() - start)


class TimedIndex:
    """A FAISS index proxy that records how long each search took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds: list[float] = []

    def search(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.search(*args, **kwargs)
        finally:
            self.seconds.append(time.perf_counter() - start)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def bench_queries(count: int, corpus_quotes: int) -> list[str]:
    """Half reprints or cuts of indexed quotes, half statements the index does not hold."""
    rng = random.Random(17)
    picked = sorted(rng.sample(range(corpus_quotes), min(corpus_quotes, count // 2)))
    wanted = set(picked)
    texts = [q.text for i, q in enumerate(quotes(max(picked) + 1)) if i in wanted]
    asked = [reprint(text, rng) for text in texts]
    asked += [q.text for q in quotes(count - len(asked), seed=1234)]
    rng.shuffle(asked)
    return asked


def open_searcher(folder: Path) -> tuple[Any, dict[str, float]]:
    """A Searcher over ``folder`` with the encoder its manifest records (as the service opens
    it), and how long each part took."""
    from index.embed.choice import for_index
    from index.search.searcher import Searcher
    from index.store.folder import load_index

    timings: dict[str, float] = {}
    start = time.perf_counter()
    loaded = load_index(folder)
    timings["load_index_s"] = time.perf_counter() - start
    start = time.perf_counter()
    embedder = for_index(loaded.manifest.model.encoder, folder, None)
    timings["load_encoder_s"] = time.perf_counter() - start
    start = time.perf_counter()
    searcher = Searcher(loaded, embedder)
    timings["searcher_init_s"] = time.perf_counter() - start
    return searcher, {key: round(value, 3) for key, value in timings.items()}


def recall_at_10(searcher: Any, faiss_index: Any, asked: Sequence[str]) -> float:
    """The index's recall@10 against exact inner-product search over the stored vectors,
    for the real embeddings of the bench queries (the shipped index and search parameters).

    A returned unit counts as a hit when its exact score reaches the exact 10th best score:
    reprinted quotes have equal vectors, and which of two equal units is listed is a tie.
    """
    import numpy as np

    queries = searcher.embedder.encode(list(asked))
    vectors = searcher.ranker.vectors
    k = min(10, len(vectors))
    best = []
    for start in range(0, len(vectors), 200_000):
        block = np.asarray(vectors[start : start + 200_000]) @ queries.T  # (rows, queries)
        kept = min(k, len(block))
        best.append(-np.partition(-block, kept - 1, axis=0)[:kept])
    kth = -np.partition(-np.concatenate(best), k - 1, axis=0)[k - 1]  # per query
    _, found = faiss_index.search(queries, k)
    hits = 0
    for i, rows in enumerate(found):
        rows = rows[rows >= 0]
        exact = np.asarray(vectors[np.sort(rows)]) @ queries[i]
        hits += int((exact >= kth[i] - 1e-5).sum())
    return round(hits / (k * len(queries)), 4)


def measure(folder: Path, count: int) -> dict[str, Any]:
    import msgspec

    from service import convert

    before = rss_mib()
    searcher, timings = open_searcher(folder)
    rss = rss_mib() - before
    embedder = TimedEmbedder(searcher._embedder)
    searcher._embedder = embedder
    index = TimedIndex(searcher._ranker.faiss_index)
    searcher._ranker.faiss_index = index
    corpus_quotes = searcher.manifest.counts.quotes
    asked = bench_queries(count, corpus_quotes)
    for text in asked[:10]:
        searcher.lookup(text)
    embedder.seconds.clear()
    index.seconds.clear()
    totals, encodes, searches, assemblies, serialise = [], [], [], [], []
    matched = 0
    encoder = msgspec.json.Encoder()
    for text in asked:
        mark_e, mark_s = len(embedder.seconds), len(index.seconds)
        start = time.perf_counter()
        answer = searcher.lookup(text)
        total = time.perf_counter() - start
        start = time.perf_counter()
        encoder.encode(convert.lookup_response(answer))
        serialise.append(time.perf_counter() - start)
        encode = sum(embedder.seconds[mark_e:])
        search = sum(index.seconds[mark_s:])
        totals.append(total)
        encodes.append(encode)
        searches.append(search)
        assemblies.append(total - encode - search)
        matched += answer.matched
    return {
        "quotes": corpus_quotes,
        "vectors": searcher.manifest.counts.vectors,
        "recall_at_10_vs_exact": recall_at_10(searcher, index.inner, asked),
        "factory": searcher.manifest.faiss_factory,
        "search_parameters": searcher.manifest.faiss_params,
        "encoder": msgspec.to_builtins(searcher.manifest.model.encoder),
        "queries": len(asked),
        "matched": matched,
        "open": timings,
        "rss_of_open_index_mib": round(rss, 1),
        "lookup": summary_ms(totals),
        "encode": summary_ms(encodes),
        "search": summary_ms(searches),
        "assembly": summary_ms(assemblies),
        "serialise": summary_ms(serialise),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="in-process lookup benchmark")
    parser.add_argument("--quotes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from bench.bigindex import ensure

    if args.one is not None:
        print(json.dumps(measure(ensure(args.one), args.queries)))
        return
    from bench.measure import run_worker

    sizes = {}
    for count in args.quotes:
        ensure(count)
        # Each size in a fresh process, so RSS and load times do not mix.
        sizes[str(count)] = run_worker(
            "bench.lookup",
            "--one",
            str(count),
            "--queries",
            str(args.queries),
            env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        )
        print(json.dumps(sizes[str(count)]), file=sys.stderr)
    result = {"bench": "lookup", "machine": machine(), "sizes": sizes}
    print(write_result("lookup", result), file=sys.stderr)


if __name__ == "__main__":
    main()
