"""What the attribution ranker adds to analysis: CPU seconds per 1,000 quotes.

Runs the real analysis (:func:`index.analyse.pipeline.analyse`, spaCy) over bench.corpus
articles and counts, with process CPU time, the share spent gathering candidates and their
features (:func:`index.analyse.candidates.quote_candidates`) and choosing among them
(:func:`index.analyse.ranker.choose`).

    python -m bench.attribution [--quotes 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.measure import machine, write_result


def run(count: int) -> dict[str, Any]:
    import index.analyse.attribute as attribute
    from bench.corpus import articles as corpus_articles
    from index.analyse.language import load_language
    from index.analyse.pipeline import analyse
    from index.models import Article

    articles = [
        Article(id=line.id, outlet=line.outlet, text=line.text, title=line.title)
        for line in corpus_articles(count, seed=41)
    ]
    nlp = load_language()
    spent = [0.0]

    def counted(call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - start

        return wrapper

    names = ("quote_candidates", "choose")
    originals = {name: vars(attribute)[name] for name in names}
    for name in names:
        setattr(attribute, name, counted(originals[name]))
    try:
        start = time.process_time()
        corpus = analyse(articles, nlp)
        total = time.process_time() - start
    finally:
        for name in names:
            setattr(attribute, name, originals[name])
    quotes = len(corpus.quotes)
    return {
        **machine(),
        "articles": len(articles),
        "quotes": quotes,
        "analyse_cpu_s": round(total, 2),
        "ranker_cpu_s": round(spent[0], 2),
        "ranker_share": round(spent[0] / total, 3) if total else 0.0,
        "ranker_s_per_1000_quotes": round(1000 * spent[0] / max(quotes, 1), 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=1000)
    args = parser.parse_args(argv)
    result = run(args.quotes)
    write_result("attribution", result)
    print(result, file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
