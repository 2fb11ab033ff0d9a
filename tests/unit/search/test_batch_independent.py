"""A query's answer is the same alone and in a batch, even with a batch-dependent encoder.

Dynamic int8 quantisation scales activations per call, so the same text once scored 0.8574
in a batch and 0.8441 alone. The double below mimics that: each call scales its vectors by
the batch's size before normalising, and adds a small batch-wide offset.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from index.build import index_corpus
from index.search.searcher import Searcher
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import STRIKE, TRADE_A, sample_corpus


class BatchDependent(HashEmbedder):
    """The hash embedder, with a per-call offset: a vector depends on its batch partners."""

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        vectors = super().encode(texts, batch_size=batch_size)
        shifted = vectors + 0.05 * vectors.mean(axis=0, keepdims=True) * len(texts)
        norms = np.linalg.norm(shifted, axis=1, keepdims=True)
        return (shifted / np.where(norms == 0, 1, norms)).astype(np.float32)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    out = tmp_path_factory.mktemp("batch") / "index"
    index_corpus(sample_corpus(), out, BatchDependent())
    return Searcher.open(out, embedder=BatchDependent())


def test_batch_answers_equal_single_answers(searcher: Searcher) -> None:
    texts = [
        "harbour trade will keep growing",
        STRIKE,
        "Workers deserve better pay",
        TRADE_A,
        "Penguins migrate across frozen oceans",
    ]
    alone = [searcher.lookup(text, k=3, include_weak=True) for text in texts]
    together = searcher.lookup_many(texts, k=3, include_weak=True)
    assert together == alone
