"""A peer: txtai over the same corpus and the same local model, next to whosaid.

Both sides index the same bench.corpus quotes (``--quotes``, default 5000) and answer the same
queries: half are reprints or cuts of indexed quotes (their statement is the right answer),
half are statements the corpus does not hold. Each side runs in its own process:

- **txtai**: ``Embeddings(path=<the packaged model folder>, content=False)`` (torch through
  transformers, mean pooling, FAISS), ``index`` then ``search(query, 1)``;
- **whosaid**: the same quotes as an index folder (``index.build.index_corpus``: units,
  lexical statistics, calibration, FAISS) with the ONNX int8 encoder, then
  ``Searcher.lookup(query, k=1)`` (dense and lexical ranking, answer assembly).

Reported: indexing quotes/s; lookup p50/p99 and lookups/s for one client; top-1 accuracy on
the reprint queries; and how often the two return the same statement.

    python -m bench.peer [--quotes 5000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import machine, run_worker, summary_ms, write_result


def workload(count: int, queries: int) -> tuple[Any, list[str], list[str | None]]:
    """The corpus, the queries, and each query's right statement (None: not in the corpus)."""
    from bench.bigindex import synth_corpus
    from bench.corpus import quotes, reprint

    corpus = synth_corpus(count, seed=61)
    statement_of = {v.quote_id: g.id for g in corpus.groups for v in g.variants}
    rng = random.Random(8)
    picked = rng.sample(list(corpus.quotes), queries // 2)
    asked = [reprint(quote.text, rng) for quote in picked]
    truth: list[str | None] = [statement_of[quote.id] for quote in picked]
    novel = [quote.text for quote in quotes(queries - len(asked), seed=4321)]
    return corpus, asked + novel, truth + [None] * len(novel)


def txtai_side(count: int, queries: int) -> dict[str, Any]:
    from txtai import Embeddings

    from index.embed.protocol import default_model_dir

    corpus, asked, _ = workload(count, queries)
    statement_of = {v.quote_id: g.id for g in corpus.groups for v in g.variants}
    start = time.perf_counter()
    embeddings = Embeddings(path=str(default_model_dir()), content=False)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    embeddings.index([(quote.id, quote.text, None) for quote in corpus.quotes])
    indexed = time.perf_counter() - start
    for text in asked[:10]:
        embeddings.search(text, 1)
    seconds, top = [], []
    for text in asked:
        start = time.perf_counter()
        found = embeddings.search(text, 1)
        seconds.append(time.perf_counter() - start)
        top.append(statement_of[found[0][0]] if found else None)
    return {"load_s": loaded, "index_s": indexed, "seconds": seconds, "top": top}


def whosaid_side(count: int, queries: int) -> dict[str, Any]:
    from bench.encode import EXPORT_DIR, ensure_export
    from index.build import index_corpus
    from index.embed.export import INT8_FILE
    from index.embed.onnx import OnnxEmbedder
    from index.search.searcher import Searcher

    ensure_export(fresh=False)
    corpus, asked, _ = workload(count, queries)
    start = time.perf_counter()
    embedder = OnnxEmbedder(EXPORT_DIR / INT8_FILE, threads=os.cpu_count() or 1)
    loaded = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        start = time.perf_counter()
        vectors = embedder.encode([quote.text for quote in corpus.quotes], batch_size=16)
        index_corpus(corpus, Path(tmp) / "index", embedder, quote_vectors=vectors)
        indexed = time.perf_counter() - start
        searcher = Searcher.open(Path(tmp) / "index", embedder=embedder)
    for text in asked[:10]:
        searcher.lookup(text, k=1)
    seconds, top = [], []
    for text in asked:
        start = time.perf_counter()
        answer = searcher.lookup(text, k=1, min_score=0.0)
        seconds.append(time.perf_counter() - start)
        top.append(answer.matches[0].group_id if answer.matches else None)
    return {"load_s": loaded, "index_s": indexed, "seconds": seconds, "top": top}


def summarise(side: dict[str, Any], count: int, truth: Sequence[str | None]) -> dict[str, Any]:
    known = [(top, right) for top, right in zip(side["top"], truth, strict=True) if right]
    latency = summary_ms(side["seconds"])
    return {
        "model_load_s": round(side["load_s"], 2),
        "index_s": round(side["index_s"], 1),
        "index_quotes_per_s": round(count / side["index_s"], 1),
        "lookup": latency,
        "lookups_per_s_one_client": round(1000 / latency["mean_ms"], 1),
        "top1_accuracy_on_reprints": round(sum(t == r for t, r in known) / len(known), 4),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="txtai peer benchmark")
    parser.add_argument("--quotes", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--side", choices=("txtai", "whosaid"), default=None)
    args = parser.parse_args(argv)
    if args.side:
        run = txtai_side if args.side == "txtai" else whosaid_side
        print(json.dumps(run(args.quotes, args.queries)))
        return
    one_thread = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    sizes = ("--quotes", str(args.quotes), "--queries", str(args.queries))
    raw = {
        "whosaid": run_worker("bench.peer", "--side", "whosaid", *sizes, env=one_thread),
        "txtai": run_worker("bench.peer", "--side", "txtai", *sizes, env=one_thread),
    }
    _, _, truth = workload(args.quotes, args.queries)
    sides = {name: summarise(side, args.quotes, truth) for name, side in raw.items()}
    same = sum(a == b for a, b in zip(raw["whosaid"]["top"], raw["txtai"]["top"], strict=True))
    result = {
        "bench": "peer",
        "machine": machine(),
        "setup": {
            "quotes": args.quotes,
            "queries": args.queries,
            "txtai": "Embeddings(path=<packaged model>, content=False), defaults otherwise; "
            "same OMP/OpenBLAS 1-thread environment",
            "whosaid": "index_corpus + Searcher, ONNX int8, OMP/OpenBLAS 1 thread, k=1",
        },
        "sides": sides,
        "same_top1_statement": round(same / args.queries, 4),
        "lookup_throughput_ratio": round(
            sides["whosaid"]["lookups_per_s_one_client"]
            / sides["txtai"]["lookups_per_s_one_client"],
            2,
        ),
        "index_throughput_ratio": round(
            sides["whosaid"]["index_quotes_per_s"] / sides["txtai"]["index_quotes_per_s"], 2
        ),
    }
    print(json.dumps(result, indent=2))
    print(write_result("peer", result), file=sys.stderr)


if __name__ == "__main__":
    main()
