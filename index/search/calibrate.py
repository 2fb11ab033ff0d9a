"""The no-match threshold: a floor set by what the score means, raised by the corpus's null.

A lookup must answer "no match" for a statement nobody in the corpus made. A score
(:mod:`index.search.ranking`) is the geometric mean of a cosine similarity and the IDF-weighted
share of the query's content words that the statement has, so both halves have a meaning that
does not depend on the corpus. The **floor** is the least support a match needs: a cosine of
:data:`FLOOR_COSINE` (sentences about the same thing) together with :data:`FLOOR_COVERAGE` of
the query's weighted content words, or any trade between the two with the same product.

The corpus then says how close its *different* statements are to each other. Every quote
(:data:`MIN_WORDS` words or more) is asked as a query with its own statement left out; the
best score another statement gets is one null sample: the score of an on-topic statement that
the other speaker did not make. A match must do better than nearly all of those near misses:
the threshold is the null's :data:`QUANTILE` (90th percentile) when that is above the floor
(one event, the same people, the same words), so that a statement nobody made passes about
one time in ten at most, and an exact quote does not come back with the neighbours that merely
share its topic. A corpus of varied statements keeps the floor. Fewer than
:data:`MIN_SAMPLES` samples say too little to move it.

Samples that are grouping misses rather than different statements are left out: a quote
whose words occur verbatim in another statement, or whose best neighbour is a near-identical
wording (:data:`DUPLICATE_COSINE`). Every number that went in is recorded in the manifest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from index.search.query import statement_query
from index.search.ranking import Ranker
from index.store.manifest import Calibration
from index.text import normalise

# The cosine at which all-MiniLM-L6-v2 holds two sentences to be rewordings of each other
# (its paraphrase-mining range): a statement that close is accepted even when the query shares
# few of its words, as a summary or a translation does. Ranking still uses the joint score.
DENSE_ALONE = 0.7
FLOOR_COSINE = 0.6
FLOOR_COVERAGE = 0.25
FLOOR = round(math.sqrt(FLOOR_COSINE * FLOOR_COVERAGE), 4)
QUANTILE = 0.9
MIN_WORDS = 5
MIN_SAMPLES = 10
MAX_SAMPLES = 500
DUPLICATE_COSINE = 0.95


def null_scores(ranker: Ranker, progress: bool = False) -> list[float]:
    """The best score of another statement for each distinct quote unit (the null samples)."""
    rows = _sample_rows(ranker)
    iterator: Iterable[int] = rows
    if progress:
        from tqdm import tqdm

        iterator = tqdm(rows, desc="calibrate", unit="quote", leave=False)
    samples = []
    for row in iterator:
        unit = ranker.units[row]
        query = statement_query(unit.text)
        vector = ranker.vectors[row : row + 1]
        best = ranker.rank(query, vector, limit=1, exclude_group=unit.group_id)
        if not best:
            continue
        top = best[0]
        if top.contained or top.dense >= DUPLICATE_COSINE:
            continue
        samples.append(top.score)
    return samples


def _sample_rows(ranker: Ranker) -> list[int]:
    seen: set[str] = set()
    rows = []
    for row, unit in enumerate(ranker.units):
        key = normalise.normalise(unit.text)
        if unit.kind != "quote" or key in seen or len(normalise.words(unit.text)) < MIN_WORDS:
            continue
        seen.add(key)
        rows.append(row)
    if len(rows) > MAX_SAMPLES:
        picks = np.linspace(0, len(rows) - 1, MAX_SAMPLES).round().astype(int)
        rows = [rows[int(i)] for i in picks]
    return rows


def calibrate(samples: Sequence[float]) -> Calibration:
    """The threshold: the floor, or the null's upper quantile where that is above it."""
    count = len(samples)
    values = np.asarray(samples, dtype=np.float64)
    median = float(np.quantile(values, 0.5)) if count else 0.0
    p90 = float(np.quantile(values, 0.9)) if count else 0.0
    cut = float(np.quantile(values, QUANTILE)) if count else 0.0
    if count < MIN_SAMPLES:
        threshold, method = FLOOR, f"floor (only {count} null samples)"
    elif cut > FLOOR:
        threshold, method = cut, f"cross-statement null quantile {QUANTILE} (above the floor)"
    else:
        threshold, method = FLOOR, f"floor (cross-statement null quantile {QUANTILE} below it)"
    return Calibration(
        threshold=round(threshold, 4),
        method=method,
        floor=FLOOR,
        quantile=QUANTILE,
        samples=count,
        null_median=round(median, 4),
        null_p90=round(p90, 4),
        dense_alone=DENSE_ALONE,
    )
