"""The no-match threshold from the corpus's own cross-statement null distribution."""

from __future__ import annotations

import numpy as np
import pytest

from index.search.calibrate import FLOOR, MIN_SAMPLES, QUANTILE, calibrate, null_scores
from index.search.ranking import Ranker
from index.store.ann import new_faiss_index
from index.store.units import quote_units
from index.text import terms as lexical
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import sample_corpus


@pytest.mark.parametrize(
    ("samples", "threshold", "method"),
    [
        pytest.param([], FLOOR, "floor (only 0", id="no-samples"),
        pytest.param([0.9] * (MIN_SAMPLES - 1), FLOOR, "floor (only", id="too-few"),
        pytest.param([0.1] * MIN_SAMPLES, FLOOR, "below it", id="varied-corpus"),
        pytest.param([0.3, 0.5, 0.6] * MIN_SAMPLES, 0.6, "null quantile", id="close-corpus"),
        # The typical neighbour is below the floor, but one in ten near misses is above it.
        pytest.param([0.1] * 8 + [0.6] * 2, 0.6, "null quantile", id="close-tail"),
    ],
)
def test_calibrate(samples: list[float], threshold: float, method: str) -> None:
    calibration = calibrate(samples)
    assert calibration.threshold == pytest.approx(threshold, abs=1e-4)
    assert method in calibration.method
    assert calibration.samples == len(samples)
    assert calibration.floor == FLOOR
    assert calibration.quantile == QUANTILE


def test_calibrate_summarises_the_null() -> None:
    calibration = calibrate(list(np.linspace(0.0, 1.0, 101)))
    assert calibration.null_median == pytest.approx(0.5)
    assert calibration.null_p90 == pytest.approx(0.9)


def test_null_scores_never_count_a_statement_against_itself() -> None:
    corpus = sample_corpus()
    group_of = {v.quote_id: g.id for g in corpus.groups for v in g.variants}
    units = quote_units(corpus.quotes, group_of)
    vectors = HashEmbedder().encode([u.text for u in units])
    terms = lexical.TermStats.of(lexical.document_terms(q.text) for q in corpus.quotes)
    ranker = Ranker(units, vectors, new_faiss_index(vectors, "Flat"), terms)
    samples = null_scores(ranker)
    # Exact repeats across outlets are one sample; none scores like the quote itself.
    assert 0 < len(samples) <= 3
    assert all(score < 0.9 for score in samples)
