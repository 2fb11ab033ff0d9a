"""Query encoding: torch fp32 (sentence-transformers) against ONNX fp32 and ONNX int8.

Every figure comes from one run; each variant is timed in its own worker process (so torch's
OpenMP threads cannot steal cycles from onnxruntime) and the workers take turns, round after
round, so load from other work on the machine falls on all of them alike. Ratios are against
torch fp32 from the same run.

Per variant:

- cold start: from spawning the worker process to its first embedding (imports and loading);
- single query: p50/p99 of ``encode([query])`` over the gold queries and short corpus quotes;
- batch: sentences/s encoding corpus quotes in batches of 64;
- micro-batching (ONNX): per-query time of 8 queries as one batch against 8 single calls;
- concurrency (ONNX): single-query throughput with 1, 2 and 4 threads sharing one session.

Then quality, in one process: top-1 agreement with torch fp32 on the gold queries through
the real :class:`index.search.Searcher` (each variant builds the seeds index and is asked the
queries; and the int8 encoder asked against the fp32-built index), the same on queries made
from a synthetic corpus over a Flat index, and the eval scores for each variant.

    python -m bench.encode [--rounds 3] [--agreement-quotes 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus import quotes, reprint
from bench.measure import CACHE, ROOT, machine, run_worker, summary_ms, timed, write_result

VARIANTS = ("torch-fp32", "onnx-fp32", "onnx-int8")
EXPORT_DIR = CACHE / "onnx"
GOLD = Path(os.environ.get("WHOSAID_GOLD", "/work/shared/eval/seeds-gold.json"))


def gold_queries() -> list[str]:
    if not GOLD.exists():
        return []
    return [item["q"] for item in json.loads(GOLD.read_text())["queries"]]


def bench_queries(count: int = 100) -> list[str]:
    """The gold queries, then short synthetic quotes, ``count`` in all."""
    found = gold_queries()[:count]
    for quote in quotes(count * 4, seed=11):
        if len(found) >= count:
            break
        if len(quote.text) < 160:
            found.append(quote.text)
    return found


def corpus_texts(count: int, seed: int = 7) -> list[str]:
    return [quote.text for quote in quotes(count, seed=seed)]


def ensure_export(*, fresh: bool) -> dict[str, Any]:
    """Export the packaged model to ONNX (fp32 and int8) under var/bench/onnx; its timing."""
    from index.embed.export import INFO_FILE
    from index.embed.protocol import default_model_dir

    if fresh or not (EXPORT_DIR / INFO_FILE).exists():
        start = time.perf_counter()
        from index.embed.export import export_onnx

        export_onnx(default_model_dir(), EXPORT_DIR, quantize=True)
        seconds = time.perf_counter() - start
    else:
        seconds = float("nan")
    sizes = {p.name: round(p.stat().st_size / 2**20, 1) for p in EXPORT_DIR.glob("*.onnx")}
    return {"export_seconds": round(seconds, 1), "file_mib": sizes}


def make_embedder(variant: str, *, threads: int = 1) -> Any:
    if variant == "torch-fp32":
        from index.embed.sentence import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder()
    from index.embed.export import FP32_FILE, INT8_FILE
    from index.embed.onnx import OnnxEmbedder

    file = INT8_FILE if variant == "onnx-int8" else FP32_FILE
    return OnnxEmbedder(EXPORT_DIR / file, threads=threads)


# ------------------------------------------------------------------- worker (one variant)


def worker(variant: str, spawned: float, batch_count: int) -> dict[str, Any]:
    embedder = make_embedder(variant)
    embedder.encode(["warm-up"])
    cold = time.time() - spawned
    queries = bench_queries()
    for text in queries[:10]:
        embedder.encode([text])
    single = [timed(lambda t=text: embedder.encode([t])) for _ in range(2) for text in queries]
    result: dict[str, Any] = {"variant": variant, "cold_start_s": cold, "single": single}
    texts = corpus_texts(batch_count, seed=13)
    if variant == "torch-fp32":
        result["batch_per_s"] = len(texts) / timed(lambda: embedder.encode(texts, batch_size=64))
        # torch's default is one thread per core; on a busy machine one thread can be faster
        # for single queries, so the speed-ups are taken against the better of the two.
        import torch

        torch.set_num_threads(1)
        embedder.encode(queries[:10])
        result["single_1_thread"] = [
            timed(lambda t=text: embedder.encode([t])) for _ in range(2) for text in queries
        ]
        return result
    parallel = make_embedder(variant, threads=os.cpu_count() or 1)
    parallel.encode(texts[:64])
    result["batch_per_s"] = len(texts) / timed(lambda: parallel.encode(texts, batch_size=64))
    result["microbatch"] = _microbatch(embedder, queries)
    result["concurrency"] = {str(n): _concurrent_qps(embedder, queries, n) for n in (1, 2, 4)}
    return result


def _microbatch(embedder: Any, queries: Sequence[str]) -> dict[str, float]:
    groups = [list(queries[i : i + 8]) for i in range(0, len(queries) - 7, 8)]
    together = sum(timed(lambda g=group: embedder.encode(g, batch_size=8)) for group in groups)
    alone = sum(timed(lambda t=text: embedder.encode([t])) for group in groups for text in group)
    n = 8 * len(groups)
    return {"batched_ms_per_query": 1000 * together / n, "single_ms_per_query": 1000 * alone / n}


def _concurrent_qps(embedder: Any, queries: Sequence[str], threads: int) -> float:
    work = list(queries) * 2
    lock = threading.Lock()

    def run() -> None:
        while True:
            with lock:
                if not work:
                    return
                text = work.pop()
            embedder.encode([text])

    pool = [threading.Thread(target=run) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return 2 * len(queries) / (time.perf_counter() - start)


# ------------------------------------------------------------------- quality (one process)


def _identity(searcher: Any, answer: Any) -> tuple[str, ...] | None:
    """A top-1 answer as the quote ids of its statement (group ids may differ per build)."""
    if not answer.matches:
        return None
    group = searcher.group(answer.matches[0].group_id)
    return tuple(sorted(variant.quote_id for variant in group.variants))


def agreement(agreement_quotes: int) -> dict[str, Any]:
    import numpy as np

    from index.articles import load_articles
    from index.build import build_index
    from index.search.searcher import Searcher
    from index.store.folder import load_index

    articles = load_articles(ROOT / "seeds")
    queries = gold_queries()
    embedders = {variant: make_embedder(variant) for variant in VARIANTS}
    tops: dict[str, list[tuple[str, ...] | None]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-encode-") as tmp:
        for variant, embedder in embedders.items():
            folder = Path(tmp) / variant
            build_index(articles, folder, embedder)
            searcher = Searcher.open(folder, embedder=embedder)
            tops[variant] = [_identity(searcher, searcher.lookup(q, k=1)) for q in queries]
        mixed = Searcher(load_index(Path(tmp) / "torch-fp32"), embedders["onnx-int8"])
        tops["onnx-int8 on torch-fp32 index"] = [
            _identity(mixed, mixed.lookup(q, k=1)) for q in queries
        ]
    reference = tops["torch-fp32"]
    gold = {
        name: {
            "agree": sum(a == b for a, b in zip(found, reference, strict=True)),
            "of": len(reference),
        }
        for name, found in tops.items()
    }

    # A larger sample: synthetic quotes in a Flat index, asked reprints, cuts and new text.
    rows = list(quotes(agreement_quotes, seed=21))
    corpus = [quote.text for quote in rows]
    statement = np.array([int(quote.statement[1:]) for quote in rows])
    rng = random.Random(5)
    asked = [reprint(text, rng) for text in rng.sample(corpus, 300)]
    asked += [quote.text for quote in quotes(200, seed=99)]
    vectors = {}
    for variant, embedder in embedders.items():
        vectors[variant] = (
            embedder.encode(corpus, batch_size=64),
            np.vstack([embedder.encode([text]) for text in asked]),
        )
    ref_index, ref_query = vectors["torch-fp32"]
    # Agreement on the statement found (the unit a lookup answers with), as for gold queries.
    ref_top = statement[(ref_query @ ref_index.T).argmax(axis=1)]
    synthetic = {}
    for variant, (index_vectors, query_vectors) in vectors.items():
        top = statement[(query_vectors @ index_vectors.T).argmax(axis=1)]
        mixed_top = statement[(query_vectors @ ref_index.T).argmax(axis=1)]
        cosine = (index_vectors * ref_index).sum(axis=1)
        synthetic[variant] = {
            "agree": int((top == ref_top).sum()),
            "agree_on_torch_index": int((mixed_top == ref_top).sum()),
            "of": len(asked),
            "corpus_cosine_to_torch_mean": round(float(cosine.mean()), 4),
            "corpus_cosine_to_torch_min": round(float(cosine.min()), 4),
            "query_cosine_to_torch_mean": round(
                float((query_vectors * ref_query).sum(1).mean()), 4
            ),
        }
    return {
        "gold_queries": gold,
        "synthetic": synthetic,
        "synthetic_corpus": len(corpus),
        "searcher": searcher_agreement(embedders, max(500, agreement_quotes // 2)),
    }


def searcher_agreement(embedders: dict[str, Any], count: int) -> dict[str, Any]:
    """Top-1 statements of full lookups (dense + lexical ranking) over a synthetic index that
    each variant embedded, against torch fp32; queries are reprints and new statements."""
    from bench.bigindex import synth_corpus
    from index.build import index_corpus
    from index.search.searcher import Searcher

    corpus = synth_corpus(count, seed=23)
    rng = random.Random(9)
    asked = [reprint(q.text, rng) for q in rng.sample(list(corpus.quotes), 200)]
    asked += [quote.text for quote in quotes(100, seed=555)]
    tops = {}
    with tempfile.TemporaryDirectory(prefix="bench-agree-") as tmp:
        for variant, embedder in embedders.items():
            folder = Path(tmp) / variant
            index_corpus(corpus, folder, embedder)
            searcher = Searcher.open(folder, embedder=embedder)
            tops[variant] = [
                (answer.matches[0].group_id if answer.matches else None)
                for answer in (searcher.lookup(text, k=1) for text in asked)
            ]
    reference = tops["torch-fp32"]
    return {
        "quotes": count,
        **{
            variant: {
                "agree": sum(a == b for a, b in zip(found, reference, strict=True)),
                "of": len(asked),
            }
            for variant, found in tops.items()
        },
    }


def eval_scores() -> dict[str, Any]:
    """``whosaid eval``'s lookup report for each variant (the embedder swapped in)."""
    import contextlib
    import io

    import index.embed.sentence
    from index.evaluate.evaluate import run_eval

    original = index.embed.sentence.SentenceTransformerEmbedder
    reports = {}
    try:
        for variant in VARIANTS:
            index.embed.sentence.SentenceTransformerEmbedder = (  # type: ignore[misc]
                lambda _model_dir=None, v=variant: (
                    original() if v == "torch-fp32" else make_embedder(v)
                )
            )
            with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
                out = Path(tmp) / "report.json"
                run_eval(
                    gold_path=GOLD,
                    articles_dir=ROOT / "seeds",
                    json_out=out,
                    predictions_out=None,
                    model_dir=None,
                    lookups=True,
                )
                reports[variant] = json.loads(out.read_text())
    finally:
        index.embed.sentence.SentenceTransformerEmbedder = original  # type: ignore[misc]
    reference = reports["torch-fp32"]
    return {
        variant: {"identical_to_torch": report == reference, "lookup": report.get("lookup")}
        for variant, report in reports.items()
    }


# ------------------------------------------------------------------- driver


def run(rounds: int, batch_count: int, agreement_quotes: int, fresh_export: bool) -> dict[str, Any]:
    export = ensure_export(fresh=fresh_export)
    samples: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    for _ in range(rounds):
        for variant in VARIANTS:
            samples[variant].append(
                run_worker(
                    "bench.encode",
                    "--worker",
                    variant,
                    "--spawned",
                    repr(time.time()),
                    "--batch-count",
                    str(batch_count),
                )
            )
    variants: dict[str, Any] = {}
    for variant, runs in samples.items():
        single = [s for run_ in runs for s in run_["single"]]
        entry: dict[str, Any] = {
            "single_query": summary_ms(single),
            **(
                {"single_query_1_thread": summary_ms([s for r in runs for s in r[key]])}
                if (key := "single_1_thread") in runs[0]
                else {}
            ),
            "batch_sentences_per_s": round(sorted(r["batch_per_s"] for r in runs)[len(runs) // 2]),
            "cold_start_s": round(sorted(r["cold_start_s"] for r in runs)[len(runs) // 2], 3),
        }
        if "microbatch" in runs[0]:
            entry["microbatch_8"] = {
                key: round(sum(r["microbatch"][key] for r in runs) / len(runs), 3)
                for key in runs[0]["microbatch"]
            }
            entry["concurrent_qps"] = {
                n: round(sum(r["concurrency"][n] for r in runs) / len(runs), 1)
                for n in runs[0]["concurrency"]
            }
        variants[variant] = entry
    reference = variants["torch-fp32"]
    torch_p50 = min(
        reference["single_query"]["p50_ms"], reference["single_query_1_thread"]["p50_ms"]
    )
    for entry in variants.values():
        entry["speedup_single_p50"] = round(torch_p50 / entry["single_query"]["p50_ms"], 2)
        entry["speedup_batch"] = round(
            entry["batch_sentences_per_s"] / reference["batch_sentences_per_s"], 2
        )
        entry["cold_start_ratio"] = round(entry["cold_start_s"] / reference["cold_start_s"], 3)
    return {
        "bench": "encode",
        "machine": machine(),
        "setup": {
            "rounds": rounds,
            "single_queries_per_round": len(bench_queries()) * 2,
            "batch_sentences": batch_count,
            "onnx": "1 intra-op thread per call; batches of up to 16, cpu_count batches at once",
            "torch": "sentence-transformers defaults (one thread per core), batch 64; single "
            "queries also at 1 thread; speed-ups are against torch's better p50",
            **export,
        },
        "variants": variants,
        "agreement": agreement(agreement_quotes),
        "eval": eval_scores(),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="query encoding benchmark")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-count", type=int, default=1024)
    parser.add_argument("--agreement-quotes", type=int, default=4000)
    parser.add_argument("--fresh-export", action="store_true")
    parser.add_argument("--worker", choices=VARIANTS, default=None)
    parser.add_argument("--spawned", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.spawned, args.batch_count)))
        return
    result = run(args.rounds, args.batch_count, args.agreement_quotes, args.fresh_export)
    path = write_result("encode", result)
    print(json.dumps(result["variants"], indent=2))
    print(json.dumps(result["agreement"], indent=2))
    print(json.dumps({k: v["identical_to_torch"] for k, v in result["eval"].items()}))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
