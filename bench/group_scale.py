"""How grouping's cost grows with the corpus: :func:`index.group.group_variants` at doubling sizes.

Grouping compares a quote with the fuller quotes that share one of its content words (an
inverted index over content words and their parts), then links statements among those
candidates. This measures how many candidate pairs that makes and how long it takes as the
corpus doubles, to read off the exponent (1: linear; 2: all pairs).

Quotes come from bench.corpus (its sentences, speakers and outlets) without spaCy: each is a
quote of its own one-paragraph article with its speaker given. Vectors are a hashed bag of
words (normalised), so cosines follow shared words as the real model's roughly do; the cost
of grouping depends on the candidates, not on the encoder.

    nice -n 10 python -m bench.group_scale [--sizes 2500 5000 10000 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.measure import growth_exponent, machine, write_result

DIMENSION = 256


def corpus(count: int) -> tuple[list[Any], list[Any], np.ndarray]:
    from bench.corpus import quotes as generated
    from index.analyse.speakers import speaker_id
    from index.models import Article, Quote

    articles, quotes = [], []
    vectors = np.zeros((count, DIMENSION), dtype=np.float32)
    for number, item in enumerate(generated(count, seed=3)):
        article = Article(id=f"a{number}", outlet=item.outlet, text=f"“{item.text}”")
        articles.append(article)
        quotes.append(
            Quote(
                id=f"q{number}",
                article_id=article.id,
                start=1,
                end=1 + len(item.text),
                text=item.text,
                kind="full",
                paragraph=0,
                speaker=speaker_id(item.speaker),
            )
        )
        for word in item.text.lower().split():
            vectors[number, zlib.crc32(word.strip(".,;:").encode()) % DIMENSION] += 1.0
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return articles, quotes, vectors


def candidate_pairs(quotes: Sequence[Any]) -> int:
    """How many (quote, fuller quote) pairs share a content word: the pairs grouping scores."""
    from index.group.group import _Grouper
    from index.group.words import words_of

    words = [words_of(quote.text) for quote in quotes]
    grouper = _Grouper(quotes, np.zeros((len(quotes), 1), dtype=np.float32), words)
    return sum(len(grouper.candidates(index)) for index in range(len(quotes)))


def run(sizes: Sequence[int]) -> dict[str, Any]:
    from index.group.group import group_variants

    rows = []
    for size in sizes:
        articles, quotes, vectors = corpus(size)
        start = time.perf_counter()
        groups = group_variants(articles, quotes, vectors)
        seconds = time.perf_counter() - start
        pairs = candidate_pairs(quotes)
        rows.append(
            {
                "quotes": size,
                "seconds": round(seconds, 2),
                "quotes_per_s": round(size / seconds, 1),
                "candidate_pairs": pairs,
                "pairs_per_quote": round(pairs / size, 1),
                "groups": len(groups),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return {
        "bench": "group_scale",
        "machine": machine(),
        "rows": rows,
        "time_exponent": growth_exponent(rows, "quotes", "seconds"),
        "pairs_exponent": growth_exponent(rows, "quotes", "candidate_pairs"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="grouping cost against corpus size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000, 10000, 20000])
    result = run(parser.parse_args(argv).sizes)
    print(json.dumps(result, indent=2))
    print(write_result("group_scale", result), file=sys.stderr)


if __name__ == "__main__":
    main()
