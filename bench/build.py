"""Build throughput: quotes per second for each stage of ``whosaid build``.

The real pipeline over bench.corpus articles (JSON Lines shape, four quotes an article):

- **analyse**: extraction, attribution and speaker resolution (spaCy), no model;
- **embed**: the quotes' vectors, with torch fp32 (sentence-transformers) and with the ONNX
  int8 export (one onnxruntime thread per batch, a batch per core);
- **group**: statements across outlets (:func:`index.group.group_variants`);
- **index**: units, sentence vectors, lexical statistics, calibration, FAISS, writing
  (:func:`index.build.index_corpus`, with the ONNX int8 encoder).

Embedding 1M quotes takes hours here, so this runs on a sample (``--quotes``, default 2000)
and reports rates; multiply out for larger corpora.

    python -m bench.build [--quotes 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import machine, write_result


def run(count: int) -> dict[str, Any]:
    import os

    from bench.corpus import articles as corpus_articles
    from bench.encode import EXPORT_DIR, ensure_export, make_embedder
    from index.analyse.language import load_language
    from index.analyse.pipeline import analyse
    from index.build import embed_texts, index_corpus
    from index.embed.export import INT8_FILE
    from index.embed.onnx import OnnxEmbedder
    from index.group.group import group_variants
    from index.models import Article

    ensure_export(fresh=False)
    articles = [
        Article(id=line.id, outlet=line.outlet, text=line.text, title=line.title)
        for line in corpus_articles(count, seed=41)
    ]
    load_language()  # loaded once, like a long build; not counted
    stages: dict[str, Any] = {}

    start = time.perf_counter()
    corpus = analyse(articles)
    seconds = time.perf_counter() - start
    found = len(corpus.quotes)
    attributed = sum(quote.speaker is not None for quote in corpus.quotes)
    stages["analyse"] = {"seconds": round(seconds, 2), "quotes_per_s": round(found / seconds, 1)}

    texts = [quote.text for quote in corpus.quotes]
    vectors = None
    for variant in ("torch-fp32", "onnx-int8"):
        embedder = (
            OnnxEmbedder(EXPORT_DIR / INT8_FILE, threads=os.cpu_count() or 1)
            if variant == "onnx-int8"
            else make_embedder(variant)
        )
        embedder.encode(texts[:32])
        start = time.perf_counter()
        vectors = embed_texts(embedder, texts)
        seconds = time.perf_counter() - start
        stages[f"embed_{variant}"] = {
            "seconds": round(seconds, 2),
            "quotes_per_s": round(len(texts) / seconds, 1),
        }
    assert vectors is not None

    start = time.perf_counter()
    groups = group_variants(articles, corpus.quotes, vectors)
    seconds = time.perf_counter() - start
    stages["group"] = {"seconds": round(seconds, 2), "quotes_per_s": round(found / seconds, 1)}

    import msgspec

    grouped = msgspec.structs.replace(corpus, groups=groups)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        start = time.perf_counter()
        manifest = index_corpus(grouped, Path(tmp) / "index", embedder, quote_vectors=vectors)
        seconds = time.perf_counter() - start
    stages["index"] = {"seconds": round(seconds, 2), "quotes_per_s": round(found / seconds, 1)}

    def total(embed: str) -> float:
        parts = ("analyse", embed, "group", "index")
        return round(found / sum(stages[p]["seconds"] for p in parts), 1)

    return {
        "bench": "build",
        "machine": machine(),
        "setup": {"quotes_generated": count, "articles": len(articles)},
        "quotes_found": found,
        "quotes_attributed": attributed,
        "groups": len(groups),
        "vectors": manifest.counts.vectors,
        "stages": stages,
        "end_to_end_quotes_per_s": {
            "torch-fp32": total("embed_torch-fp32"),
            "onnx-int8": total("embed_onnx-int8"),
        },
        "extraction_attribution_quotes_per_s": stages["analyse"]["quotes_per_s"],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="build throughput benchmark")
    parser.add_argument("--quotes", type=int, default=2000)
    args = parser.parse_args(argv)
    result = run(args.quotes)
    print(json.dumps(result, indent=2))
    print(write_result("build", result), file=sys.stderr)


if __name__ == "__main__":
    main()
