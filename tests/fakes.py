"""Test doubles shared by unit and API tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from index.embed.protocol import EmbedderInfo, Encoder

WORD = re.compile(r"\w+")


class HashEmbedder:
    """A deterministic bag-of-words embedder: texts sharing words get similar vectors.

    Good enough to exercise indexing, persistence and the API without loading a model; the
    quality tests and end-to-end tests use the real one.
    """

    name = "test/hash-bag-of-words"

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension
        self.info = EmbedderInfo(
            name=self.name, dimension=dimension, encoder=Encoder(runtime="custom")
        )

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest())
                vectors[row, bucket % self._dimension] += 1.0
            norm = float(np.linalg.norm(vectors[row]))
            if norm:
                vectors[row] /= norm
        return vectors
