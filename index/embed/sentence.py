"""The reference embedder: a sentence-transformers model on torch, from a local folder only.

The one module that imports torch and sentence-transformers, inside the constructor, so
nothing else pays for them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embed.protocol import MODEL_NAME, EmbedderInfo, Encoder, default_model_dir

if TYPE_CHECKING:
    from numpy.typing import NDArray


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model) loaded from a local folder only."""

    def __init__(self, model_dir: Path | None = None, *, name: str = MODEL_NAME) -> None:
        # Never reach for a model hub: the weights are on disk or loading fails.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.model_dir = model_dir or default_model_dir()
        if not (self.model_dir / "modules.json").exists():
            raise FileNotFoundError(f"no sentence-transformers model in {self.model_dir}")
        self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"model in {self.model_dir} does not report its dimension")
        self._dimension = int(dimension)
        self.info = EmbedderInfo(
            name=name, dimension=self._dimension, encoder=Encoder(runtime="torch")
        )
        # transformers' tokenizers reset their padding on each call: one call at a time.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
