"""Health: liveness and readiness, with what the loaded index is."""

from __future__ import annotations

from typing import Literal

import msgspec


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"]


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    dimension: int
    # How queries are encoded: "onnx-int8", "onnx-fp32", "torch" (or "custom").
    encoder: str


class SearchInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The FAISS index behind lookups: exact ("Flat") or approximate, and its parameters."""

    factory: str
    parameters: dict[str, int]
    # The SIMD instructions FAISS's distance code runs on here ("AVX2", "AVX512", "NONE"...),
    # chosen by faiss-cpu at run time.
    simd: str


class IndexCounts(msgspec.Struct, frozen=True, kw_only=True):
    articles: int
    quotes: int
    speakers: int
    statements: int
    vectors: int


class WritesInfo(msgspec.Struct, frozen=True, kw_only=True):
    """Whether writes (ingest, delete) can be journaled now; if not, why, in words."""

    available: bool
    problem: str | None


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """The loaded index: the model that built it, what it holds, and when it was built."""

    status: Literal["ready"]
    model: ModelInfo
    search: SearchInfo
    counts: IndexCounts
    built_at: str
    format_version: int
    builder_version: str
    input_checksum: str
    writes: WritesInfo
