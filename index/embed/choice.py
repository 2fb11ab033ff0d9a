"""Choosing the query encoder: by name when an index is built, from its manifest when it is read.

Three encoders make the same model's vectors (bench/encode.py measures them against each other):

===============  ===========================================================================
``onnx-int8``    the default: an ONNX export with int8 weights, run by onnxruntime without
                 torch; about 10× faster per query than torch, same top-1 on the gold queries
``onnx-fp32``    the same export with fp32 weights (torch's vectors to float rounding)
``torch``        sentence-transformers on torch, the reference
===============  ===========================================================================

The ONNX file is made offline from the packaged model (:func:`index.embed.export.export_onnx`, which
needs torch) the first time a build asks for it, and cached by the model's checksum, so later
builds reuse it. The index folder keeps its own copy (``encoder/``), which is what a reader
loads, checked against the manifest's checksum: serving needs neither torch nor the cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

import msgspec

from index.embed.protocol import ENCODER_DIR, Embedder, Encoder, default_model_dir
from index.errors import IndexFormatError

Choice = Literal["onnx-int8", "onnx-fp32", "torch"]
CHOICES: tuple[str, ...] = get_args(Choice)
DEFAULT: Choice = "onnx-int8"
# Where builds keep their ONNX exports unless told otherwise (beside the default index folder).
DEFAULT_CACHE = Path("var/encoders")


def for_build(
    choice: Choice, model_dir: Path | None, cache: Path, *, threads: int | None = None
) -> Embedder:
    """The embedder a build with ``choice`` encodes with, its ONNX export cached in ``cache``;
    ``threads`` per batch (default: every core; a worker of a distributed build takes its own)."""
    if choice == "torch":
        from index.embed.sentence import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model_dir)
    if choice not in CHOICES:
        raise ValueError(f"unknown encoder {choice!r}; choose one of {', '.join(CHOICES)}")
    from index.embed.onnx import OnnxEmbedder

    precision = "int8" if choice == "onnx-int8" else "fp32"
    path = exported(model_dir or default_model_dir(), cache, precision)
    # A build encodes many texts: one batch per core at a time.
    return OnnxEmbedder(path, threads=threads or os.cpu_count() or 1)


def exported(model_dir: Path, cache: Path, precision: str) -> Path:
    """The ``precision`` ONNX file exported from ``model_dir``, exporting it on a cache miss."""
    from index.embed.export import INFO_FILE, ExportInfo, export_onnx, file_sha256

    source = file_sha256(model_dir / "model.safetensors")
    folder = Path(cache) / source[:16]
    try:
        info = msgspec.json.decode((folder / INFO_FILE).read_bytes(), type=ExportInfo)
        path = folder / info.files[precision]
        if info.source_sha256 == source and file_sha256(path) == info.sha256[path.name]:
            return path
    except (OSError, KeyError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    export_onnx(model_dir, folder, quantize=True)
    info = msgspec.json.decode((folder / INFO_FILE).read_bytes(), type=ExportInfo)
    return folder / info.files[precision]


def for_index(encoder: Encoder, folder: Path, model_dir: Path | None) -> Embedder:
    """The embedder that encodes queries as the index in ``folder`` was built (its manifest's
    ``encoder``): the export the folder holds, or the torch model from ``model_dir``."""
    if encoder.runtime == "torch":
        from index.embed.sentence import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model_dir)
    if encoder.runtime == "custom" or encoder.file is None:
        raise IndexFormatError(
            f"index at {folder} was built with a custom embedder; open it with that embedder"
        )
    from index.embed.export import file_sha256
    from index.embed.onnx import OnnxEmbedder

    path = Path(folder) / ENCODER_DIR / encoder.file
    if not path.is_file():
        raise IndexFormatError(f"index folder {folder} is incomplete: {path.name} is missing")
    if file_sha256(path) != encoder.sha256:
        raise IndexFormatError(f"{path} does not match the checksum its manifest records")
    return OnnxEmbedder(path)
