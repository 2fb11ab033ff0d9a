"""The index folder on disk: a manifest, the FAISS file and the records, written atomically.

Layout of an index folder::

    manifest.json   format and builder versions, model and query encoder, FAISS factory and
                    search parameters, counts, checksum, creation time, no-match calibration
    vectors.faiss   the search index: one normalised vector per unit (inner product = cosine)
    vectors.npy     the same vectors exactly (float32), memory-mapped; the ranker rescores
                    FAISS's candidates with them, whatever compression the index uses
    encoder/        the ONNX export the queries are encoded with (when the encoder is ONNX)
    articles.json   quotes.json   speakers.json   groups.json (with variants and their edits)
    units.json      the text span behind each vector, in vector order
    terms.json      document frequencies of content terms (lexical evidence)
    rank-*.npy …    the ranker's precomputed tables (:mod:`index.rank_tables`)

:func:`write_index` writes the files into a temporary sibling folder and swaps it in with
one rename, so a reader sees the old index or the new one, never half of one.
:func:`load_index` checks the manifest against the files and refuses any mismatch with an
:class:`~index.errors.IndexFormatError` that says what is wrong.

faiss is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
import numpy as np

from index.embed import Encoder
from index.errors import IndexFormatError
from index.lexical import TermStats
from index.models import Article, Corpus, Group, Quote, Speaker
from index.rank_tables import FILES as TABLE_FILES
from index.rank_tables import RankTables
from index.units import Unit

if TYPE_CHECKING:
    from numpy.typing import NDArray

FORMAT_VERSION = 2
# Below this many vectors exact search (about 14 ms a query at 100k on one core) is fast
# enough and loses nothing; above it, IVF with 8-bit scalar quantisation (bench/ann.py:
# recall@10 0.9855 at 1M with 4096 lists and 32 probed, 0.65 ms a query).
EXACT_SEARCH_LIMIT = 100_000
# Lists probed per query: at least this many, and at least 1/128 of the lists.
MIN_NPROBE = 32
# k-means trains on this many vectors per list (FAISS asks for at least 39).
TRAIN_PER_LIST = 40

MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
EXACT = "vectors.npy"
ENCODER_DIR = "encoder"
ARTICLES = "articles.json"
QUOTES = "quotes.json"
SPEAKERS = "speakers.json"
GROUPS = "groups.json"
UNITS = "units.json"
TERMS = "terms.json"
FILES = (MANIFEST, VECTORS, EXACT, ARTICLES, QUOTES, SPEAKERS, GROUPS, UNITS, TERMS, *TABLE_FILES)

T = TypeVar("T")


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The embedding model that built the index; queries must use the same one."""

    name: str
    dimension: int
    encoder: Encoder


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    articles: int
    quotes: int
    speakers: int
    groups: int
    vectors: int


class Calibration(msgspec.Struct, frozen=True, kw_only=True):
    """The no-match threshold and how it was derived (see :mod:`index.calibrate`)."""

    threshold: float
    method: str
    # The least score a match needs whatever the corpus, and the null quantile that may raise it.
    floor: float
    quantile: float
    samples: int
    # The null distribution's summary, kept so a later reader can judge the threshold.
    null_median: float = 0.0
    null_p90: float = 0.0
    # A cosine at which the model alone vouches for a rewording (see index.calibrate).
    dense_alone: float = 0.7


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format_version: int
    builder_version: str
    model: ModelInfo
    faiss_factory: str
    # FAISS search parameters ("nprobe" for IVF), set on the index each time it is loaded.
    faiss_params: dict[str, int] = msgspec.field(default_factory=dict)
    counts: Counts
    input_checksum: str
    created: str
    calibration: Calibration
    # The last journal row (index.journal) this folder holds; the service replays those after.
    journal_seq: int = 0


class IndexFolder(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an index folder holds, loaded and checked."""

    folder: Path
    manifest: Manifest
    corpus: Corpus
    units: tuple[Unit, ...]
    terms: TermStats
    # A faiss.Index; typed loosely because faiss ships no type information.
    faiss_index: Any
    # The exact vectors, one row per unit (memory-mapped and read-only when loaded).
    vectors: NDArray[np.float32]
    tables: RankTables


def builder_version() -> str:
    """The installed whosaid version, which the manifest records as the builder."""
    try:
        return metadata.version("whosaid")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


def _encode(value: object) -> bytes:
    return msgspec.json.encode(value)


def write_index(
    out: Path,
    *,
    manifest: Manifest,
    corpus: Corpus,
    units: Sequence[Unit],
    terms: TermStats,
    faiss_index: Any,
    vectors: NDArray[np.float32],
    tables: RankTables,
    encoder_files: Sequence[Path] = (),
) -> Path:
    """Write an index folder at ``out``, replacing any folder there in one atomic swap.

    ``encoder_files`` (the embedder's :attr:`~index.embed.Embedder.files`) are copied into
    ``encoder/``; they may be in the folder being replaced, which is read before the swap.
    """
    import faiss

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staging.chmod(0o755)
    try:
        records: dict[str, object] = {
            ARTICLES: corpus.articles,
            QUOTES: corpus.quotes,
            SPEAKERS: corpus.speakers,
            GROUPS: corpus.groups,
            UNITS: tuple(units),
            TERMS: terms,
        }
        for name, value in records.items():
            (staging / name).write_bytes(_encode(value))
        faiss.write_index(faiss_index, str(staging / VECTORS))
        np.save(staging / EXACT, np.ascontiguousarray(vectors, dtype=np.float32))
        tables.save(staging)
        if encoder_files:
            (staging / ENCODER_DIR).mkdir()
            for path in encoder_files:
                shutil.copyfile(path, staging / ENCODER_DIR / path.name)
        # The manifest goes last: a folder with a manifest is a complete folder.
        (staging / MANIFEST).write_bytes(msgspec.json.format(_encode(manifest)))
        _fsync_folder(staging)
        _swap_in(staging, out)
        _fsync_parent(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove what an interrupted :func:`write_index` left next to ``out`` (its temporary
    ``.<name>.new-*`` and ``.<name>.old-*`` siblings); returns the folders removed.

    Only for the one process that writes ``out``: another writer's staging folder looks the same.
    """
    out = Path(out)
    if not out.parent.is_dir():
        return []
    prefixes = (f".{out.name}.new-", f".{out.name}.old-")
    stale = [
        path
        for path in out.parent.iterdir()
        if path.name.startswith(prefixes) and path.is_dir() and not path.is_symlink()
    ]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir():
            _fsync_folder(path)
            continue
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _fsync_parent(path: Path) -> None:
    """Make a rename in ``path``'s folder durable (best effort where folders cannot be opened)."""
    try:
        handle = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


def _swap_in(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``; an existing ``out`` is swapped out and then removed."""
    if not out.exists() and not out.is_symlink():
        staging.rename(out)
        return
    if out.is_symlink() or not out.is_dir():
        raise IndexFormatError(f"{out} exists and is not an index folder; not replacing it")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise IndexFormatError(f"{out} is a folder but not an index folder; not replacing it")
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    # No atomic exchange here: two renames, with the old folder restored if the second fails.
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except OSError:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _read(folder: Path, name: str, kind: type[T]) -> T:
    path = folder / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexFormatError(f"index folder {folder} is incomplete: {name} is missing") from None
    except OSError as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    try:
        return msgspec.json.decode(data, type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise IndexFormatError(f"{path} is not a valid {name}: {exc}") from exc


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder, with its format version checked."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IndexFormatError(f"no index folder at {folder}; build one with `whosaid build`")
    try:
        raw = msgspec.json.decode((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise IndexFormatError(f"{folder} has no {MANIFEST}; it is not an index folder") from None
    except (OSError, msgspec.DecodeError) as exc:
        raise IndexFormatError(f"cannot read {folder / MANIFEST}: {exc}") from exc
    version = raw.get("format_version") if isinstance(raw, dict) else None
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"index at {folder} has format version {version}; this whosaid reads version "
            f"{FORMAT_VERSION}. Rebuild it with `whosaid build`."
        )
    try:
        return msgspec.convert(raw, Manifest)
    except msgspec.ValidationError as exc:
        raise IndexFormatError(f"invalid manifest in {folder}: {exc}") from exc


def load_index(folder: Path) -> IndexFolder:
    """Load and check an index folder; raise IndexFormatError on any mismatch.

    The FAISS index and the exact vectors are memory-mapped (read-only), so opening a large
    index costs little memory and no copy; the records are decoded with the garbage collector
    paused (millions of new objects would otherwise set off full collections over and over).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    paused = gc.isenabled()
    gc.disable()
    try:
        articles = _read(folder, ARTICLES, tuple[Article, ...])
        quotes = _read(folder, QUOTES, tuple[Quote, ...])
        speakers = _read(folder, SPEAKERS, tuple[Speaker, ...])
        groups = _read(folder, GROUPS, tuple[Group, ...])
        units = _read(folder, UNITS, tuple[Unit, ...])
        terms = _read(folder, TERMS, TermStats)
    finally:
        if paused:
            gc.enable()
    faiss_index = _read_faiss(folder, manifest)
    vectors = _read_vectors(folder)
    tables = RankTables.load(folder, n_units=len(units))

    counts = manifest.counts
    found = Counts(
        articles=len(articles),
        quotes=len(quotes),
        speakers=len(speakers),
        groups=len(groups),
        vectors=int(faiss_index.ntotal),
    )
    if found != counts:
        raise IndexFormatError(
            f"index at {folder} does not match its manifest: the manifest counts "
            f"{msgspec.structs.asdict(counts)}, the files hold {msgspec.structs.asdict(found)}"
        )
    if int(faiss_index.d) != manifest.model.dimension:
        raise IndexFormatError(
            f"index at {folder} has {faiss_index.d}-dimensional vectors; its manifest says "
            f"{manifest.model.name} makes {manifest.model.dimension}"
        )
    if vectors.shape != (counts.vectors, manifest.model.dimension):
        raise IndexFormatError(
            f"index at {folder}: {EXACT} holds {vectors.shape} vectors; the manifest counts "
            f"{counts.vectors} of {manifest.model.dimension} dimensions"
        )
    if len(units) != counts.vectors:
        raise IndexFormatError(
            f"index at {folder} has {len(units)} units for {counts.vectors} vectors"
        )
    article_ids = {article.id for article in articles}
    for quote in quotes:
        if quote.article_id not in article_ids:
            raise IndexFormatError(
                f"index at {folder} is inconsistent: quote {quote.id} refers to article "
                f"{quote.article_id}, which is not there"
            )
    quote_ids = {quote.id for quote in quotes}
    group_ids = {group.id for group in groups}
    for unit in units:
        if unit.quote_id not in quote_ids or unit.group_id not in group_ids:
            raise IndexFormatError(
                f"index at {folder} is inconsistent: unit of quote {unit.quote_id} "
                f"in group {unit.group_id} refers to a record that is not there"
            )
    corpus = Corpus(articles=articles, quotes=quotes, speakers=speakers, groups=groups)
    return IndexFolder(
        folder=folder,
        manifest=manifest,
        corpus=corpus,
        units=units,
        terms=terms,
        faiss_index=faiss_index,
        vectors=vectors,
        tables=tables,
    )


def _read_faiss(folder: Path, manifest: Manifest) -> Any:
    """The FAISS index, memory-mapped, with the manifest's search parameters set."""
    import faiss

    path = folder / VECTORS
    if not path.is_file():
        raise IndexFormatError(f"index folder {folder} is incomplete: {VECTORS} is missing")
    # Flat indexes map their codes with MMAP_IFC; IVF lists with MMAP.
    mapped = faiss.IO_FLAG_MMAP_IFC if manifest.faiss_factory == "Flat" else faiss.IO_FLAG_MMAP
    _read_ahead(path)
    try:
        index = faiss.read_index(str(path), mapped | faiss.IO_FLAG_READ_ONLY)
        set_search_params(index, manifest.faiss_params)
    except RuntimeError as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    return index


def _read_ahead(path: Path) -> None:
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


def _read_vectors(folder: Path) -> NDArray[np.float32]:
    path = folder / EXACT
    _read_ahead(path)
    try:
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise IndexFormatError(f"index folder {folder} is incomplete: {EXACT} is missing") from None
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    if vectors.dtype != np.float32 or vectors.ndim != 2:
        raise IndexFormatError(f"{path} holds {vectors.dtype} of shape {vectors.shape}")
    return vectors  # type: ignore[no-any-return]
