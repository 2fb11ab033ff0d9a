"""The nearest-neighbour index: the only module that imports faiss.

Exact inner-product search below :data:`EXACT_SEARCH_LIMIT` vectors, IVF with 8-bit scalar
quantisation above; the search parameters are recorded in the manifest and set again on every
load. faiss is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import IndexFormatError

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Below this many vectors exact search (about 14 ms a query at 100k on one core) is fast
# enough and loses nothing; above it, IVF with 8-bit scalar quantisation (bench/ann.py:
# recall@10 0.9855 at 1M with 4096 lists and 32 probed, 0.65 ms a query).
EXACT_SEARCH_LIMIT = 100_000
# Lists probed per query: at least this many, and at least 1/128 of the lists.
MIN_NPROBE = 32
# k-means trains on this many vectors per list (FAISS asks for at least 39).
TRAIN_PER_LIST = 40


def choose_factory(n_vectors: int, dimension: int) -> tuple[str, dict[str, int]]:
    """The FAISS factory string and search parameters for a collection of this size.

    Exact inner-product search ("Flat") below :data:`EXACT_SEARCH_LIMIT` vectors. Above it,
    IVF over about 4·√n lists (a power of two, 1024 to 65536) with 8-bit scalar quantisation,
    probing at least :data:`MIN_NPROBE` lists. The ranker rescores the candidates with the
    exact vectors, so quantisation costs recall only, never score accuracy.
    """
    if dimension <= 0:
        raise ValueError(f"dimension must be positive, not {dimension}")
    if n_vectors < EXACT_SEARCH_LIMIT:
        return "Flat", {}
    lists = 2 ** round(math.log2(4 * math.sqrt(n_vectors)))
    lists = min(max(lists, 1024), 65536)
    return f"IVF{lists},SQ8", {"nprobe": max(MIN_NPROBE, lists // 128)}


def _lists(factory: str) -> int:
    head = factory.split(",", 1)[0]
    return int(head[3:]) if head.startswith("IVF") and head[3:].isdigit() else 0


def new_faiss_index(vectors: Any, factory: str, params: dict[str, int] | None = None) -> Any:
    """A FAISS inner-product index built with ``factory`` holding ``vectors`` (float32 rows).

    An index that needs training trains on a seeded sample of :data:`TRAIN_PER_LIST` vectors
    per IVF list (all of them when there are fewer).
    """
    import faiss

    index = faiss.index_factory(int(vectors.shape[1]), factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        sample = vectors
        wanted = max(TRAIN_PER_LIST * _lists(factory), 1)
        if len(vectors) > wanted:
            rows = np.sort(np.random.default_rng(0).choice(len(vectors), wanted, replace=False))
            sample = np.ascontiguousarray(vectors[rows])
        index.train(sample)
    if len(vectors):
        index.add(vectors)
    set_search_params(index, params or {})
    return index


def set_search_params(index: Any, params: dict[str, int]) -> None:
    import faiss

    space = faiss.ParameterSpace()
    for name, value in params.items():
        space.set_index_parameter(index, name, value)


def search(
    index: Any, queries: NDArray[np.float32], k: int
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The ``k`` nearest rows of ``index`` for each query row: (scores, rows), -1 for none."""
    scores, rows = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return scores, rows


def write_faiss(index: Any, path: Path) -> None:
    """Write a FAISS index to ``path``."""
    import faiss

    faiss.write_index(index, str(path))


def read_faiss(path: Path, factory: str, params: dict[str, int]) -> Any:
    """The FAISS index, memory-mapped, with the manifest's search parameters set."""
    import faiss

    if not path.is_file():
        raise IndexFormatError(f"index folder {path.parent} is incomplete: {path.name} is missing")
    # Flat indexes map their codes with MMAP_IFC; IVF lists with MMAP.
    mapped = faiss.IO_FLAG_MMAP_IFC if factory == "Flat" else faiss.IO_FLAG_MMAP
    read_ahead(path)
    try:
        index = faiss.read_index(str(path), mapped | faiss.IO_FLAG_READ_ONLY)
        set_search_params(index, params)
    except RuntimeError as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    return index


def read_ahead(path: Path) -> None:
    """Ask the kernel to start reading a memory-mapped file into the page cache (without
    waiting), so the first lookups do not fault its pages in one by one."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        advise(handle, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(handle)


def simd_level() -> str:
    """The SIMD level FAISS dispatches its distance code to ("AVX2", "AVX512", "NONE", ...).

    faiss-cpu picks it at run time: its loader's "Could not load library with AVX2 support"
    only says that no separate AVX2 build ships, not that AVX2 is unused.
    """
    import faiss

    config = getattr(faiss, "SIMDConfig", None)
    if config is not None and hasattr(config, "get_level_name"):
        return str(config.get_level_name())
    options = str(faiss.get_compile_options()).split()
    return next((o for o in reversed(options) if o.startswith(("AVX", "NEON", "SVE"))), "NONE")
