"""Train the attribution ranker's weights from PolNeAR's train split.

Rebuilds ``index/analyse/attribution_weights.json`` deterministically (sorted articles, fixed
seed, one deterministic solver, rounded weights): the same data gives the same file.

Steps:

1. Get PolNeAR (networkdynamics/PolNeAR on GitHub) and convert its **train** split with the
   shared converter (never the test split; the texts and gold stay outside the repository)::

       python3 ../shared/eval/polnear/convert.py GIT_DIR /tmp/polnear/train --split train

2. Train (needs the ``train`` extra: ``pip install -e '.[train]'``)::

       python training/train_attribution.py /tmp/polnear/train \\
           --out index/analyse/attribution_weights.json --repo-commit COMMIT

   ``--cache FILE`` keeps the extracted candidates (the slow, spaCy part, a few minutes) so a
   second run only refits. Then check on dev with ``whosaid eval``.

For every quote the pipeline extracts that matches a gold quote, the candidates of
:mod:`index.analyse.candidates` are labelled: the one whose name or alias is the gold speaker's
(nobody when the gold speaker is null). Quotes listed in ``skip_speaker.json`` (a source that
could not be named) are left out. A logistic regression over all candidates gives the weights;
the threshold below which a speaker becomes nobody is the one that gets most train quotes right.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 0
C = 10.0
DIGITS = 5
# One row per quote: (features of each candidate, index of the right one or -1, gold is null).
Row = tuple[list[dict[str, float]], int, bool]


def extract_rows(data: Path, limit: int | None = None) -> list[Row]:
    """Label every matched quote's candidates against the converted gold in ``data``."""
    from index.analyse.attribute import attribute_speakers
    from index.analyse.extract import extract_quotes
    from index.analyse.language import load_language
    from index.evaluate.evaluate import load_gold, load_skipped, read_gold_articles
    from index.evaluate.scores import speaker_keys
    from index.evaluate.spans import compare_key, gold_spans, match_quotes, trimmed_span

    gold = load_gold(data / "gold.json")
    skipped = load_skipped(data / "gold.json")
    articles = sorted(read_gold_articles(gold, data / "articles"), key=lambda a: a.file or a.id)
    texts = {a.file or a.id: a.text for a in articles}
    articles = articles[:limit] if limit else articles
    keys = speaker_keys(gold)
    golds = gold_spans(gold, texts)
    nlp = load_language()
    rows: list[Row] = []
    for number, article in enumerate(articles):
        file = article.file or article.id
        attribution = attribute_speakers(article, extract_quotes(article), nlp)
        quotes = attribution.quotes
        spans = [trimmed_span(file, article.text, q.start, q.end) for q in quotes]
        in_file = [i for i, q in enumerate(gold.quotes) if q.file == file]
        pairs = match_quotes([golds[i] for i in in_file], spans, texts)
        for g, p in pairs:
            gold_quote = gold.quotes[in_file[g]]
            if gold_quote.speaker is None and (file, compare_key(gold_quote.text)) in skipped:
                continue
            candidates = attribution.candidates[quotes[p].id]
            right = -1
            for index, candidate in enumerate(candidates):
                entity = candidate.entity
                if entity is None:
                    hit = gold_quote.speaker is None
                else:
                    names = {entity.name, *entity.aliases}
                    hit = gold_quote.speaker is not None and any(
                        compare_key(n) in keys[gold_quote.speaker] for n in names
                    )
                if hit and right < 0:
                    right = index
            rows.append(([c.features for c in candidates], right, gold_quote.speaker is None))
        if number % 50 == 0:
            print(f"{number}/{len(articles)} articles, {len(rows)} quotes", file=sys.stderr)
    return rows


def fit_weights(rows: Sequence[Row], c: float = C, seed: int = SEED) -> dict[str, Any]:
    """Logistic regression over every candidate (right one positive), and the threshold."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    names = sorted({name for features, _, _ in rows for f in features for name in f})
    column = {name: j for j, name in enumerate(names)}
    count = sum(len(features) for features, _, _ in rows)
    x = np.zeros((count, len(names)))
    y = np.zeros(count)
    at = 0
    for features, right, _ in rows:
        for index, feature in enumerate(features):
            for name, value in feature.items():
                x[at, column[name]] = value
            y[at] = float(index == right)
            at += 1
    model = LogisticRegression(C=c, max_iter=5000, random_state=seed, solver="lbfgs")
    model.fit(x, y)
    weights = {name: round(float(w), DIGITS) for name, w in zip(names, model.coef_[0], strict=True)}
    intercept = round(float(model.intercept_[0]), DIGITS)
    threshold, correct = fit_threshold(rows, weights, intercept)
    return {
        "features": weights,
        "intercept": intercept,
        "threshold": threshold,
        "trained": {"quotes": len(rows), "candidates": count, "train_correct": correct, "C": c},
    }


def _scores(features: list[dict[str, float]], weights: dict[str, float], intercept: float) -> Any:
    z = np.array([intercept + sum(weights.get(k, 0.0) * v for k, v in f.items()) for f in features])
    return 1.0 / (1.0 + np.exp(-z))


def fit_threshold(
    rows: Sequence[Row], weights: dict[str, float], intercept: float
) -> tuple[float, float]:
    """The threshold (0 to 0.9 by 0.02) that gets most train quotes right, and that share."""
    best = (0.0, -1.0)
    picks = []
    for features, right, _ in rows:
        p = _scores(features, weights, intercept)
        top = int(np.argmax(p))
        null = next(i for i, f in enumerate(features) if "null" in f)
        picks.append((top, float(p[top]), null, right))
    for step in range(46):
        threshold = round(step * 0.02, 2)
        correct = sum(
            (null if top != null and p < threshold else top) == right
            for top, p, null, right in picks
        )
        share = correct / max(len(picks), 1)
        if share > best[1]:
            best = (threshold, round(share, DIGITS))
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="converted PolNeAR train folder")
    parser.add_argument("--out", type=Path, default=ROOT / "index/analyse/attribution_weights.json")
    parser.add_argument("--cache", type=Path, help="JSON file keeping the extracted candidates")
    parser.add_argument("--limit", type=int, help="only the first N articles (a quick check)")
    parser.add_argument("--repo-commit", default="", help="PolNeAR commit the data came from")
    args = parser.parse_args(argv)
    if args.cache is not None and args.cache.exists():
        rows: list[Row] = [(f, r, n) for f, r, n in json.loads(args.cache.read_text())]
    else:
        rows = extract_rows(args.data, args.limit)
        if args.cache is not None:
            args.cache.write_text(json.dumps(rows))
    result = fit_weights(rows)
    result["trained"].update(
        {
            "data": "PolNeAR train split (networkdynamics/PolNeAR)",
            "repo_commit": args.repo_commit,
            "script": "training/train_attribution.py",
        }
    )
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(json.dumps(result["trained"], sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
