"""The index folder on disk: a manifest, the FAISS file and the records, written atomically.

Layout of an index folder::

    manifest.json   format and builder versions, model, FAISS factory, counts, checksum,
                    creation time and the no-match calibration
    vectors.faiss   one normalised vector per search unit (inner product = cosine)
    articles.json   quotes.json   speakers.json   groups.json (with variants and their edits)
    units.json      the text span behind each vector, in vector order
    terms.json      document frequencies of content terms (lexical evidence)

:func:`write_index` writes the files into a temporary sibling folder and swaps it in with
one rename, so a reader sees the old index or the new one, never half of one.
:func:`load_index` checks the manifest against the files and refuses any mismatch with an
:class:`~index.errors.IndexFormatError` that says what is wrong.

faiss is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from index.errors import IndexFormatError
from index.lexical import TermStats
from index.models import Article, Corpus, Group, Quote, Speaker
from index.units import Unit

FORMAT_VERSION = 1
# Below this many vectors an exact (flat) index is fast enough and loses nothing.
EXACT_SEARCH_LIMIT = 200_000

MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
ARTICLES = "articles.json"
QUOTES = "quotes.json"
SPEAKERS = "speakers.json"
GROUPS = "groups.json"
UNITS = "units.json"
TERMS = "terms.json"
FILES = (MANIFEST, VECTORS, ARTICLES, QUOTES, SPEAKERS, GROUPS, UNITS, TERMS)

T = TypeVar("T")


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The embedding model that built the index; queries must use the same one."""

    name: str
    dimension: int


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
    vectors: Any


def builder_version() -> str:
    """The installed whosaid version, which the manifest records as the builder."""
    try:
        return metadata.version("whosaid")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def choose_factory(n_vectors: int, dimension: int) -> str:
    """The FAISS index factory string for a collection of this size.

    Exact inner-product search ("Flat") up to :data:`EXACT_SEARCH_LIMIT` vectors; larger
    collections will get an approximate index here, and the manifest records which one.
    """
    if dimension <= 0:
        raise ValueError(f"dimension must be positive, not {dimension}")
    if n_vectors < EXACT_SEARCH_LIMIT:
        return "Flat"
    return "HNSW32,Flat"


def new_faiss_index(vectors: Any, factory: str) -> Any:
    """A FAISS inner-product index built with ``factory`` holding ``vectors`` (float32 rows)."""
    import faiss

    index = faiss.index_factory(int(vectors.shape[1]), factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(vectors)
    if len(vectors):
        index.add(vectors)
    return index


def _encode(value: object) -> bytes:
    return msgspec.json.encode(value)


def write_index(
    out: Path,
    *,
    manifest: Manifest,
    corpus: Corpus,
    units: Sequence[Unit],
    terms: TermStats,
    vectors: Any,
) -> Path:
    """Write an index folder at ``out``, replacing any folder there in one atomic swap."""
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
        faiss.write_index(vectors, str(staging / VECTORS))
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
    """Load and check an index folder; raise IndexFormatError on any mismatch."""
    import faiss

    folder = Path(folder)
    manifest = read_manifest(folder)
    articles = _read(folder, ARTICLES, tuple[Article, ...])
    quotes = _read(folder, QUOTES, tuple[Quote, ...])
    speakers = _read(folder, SPEAKERS, tuple[Speaker, ...])
    groups = _read(folder, GROUPS, tuple[Group, ...])
    units = _read(folder, UNITS, tuple[Unit, ...])
    terms = _read(folder, TERMS, TermStats)
    vectors_path = folder / VECTORS
    if not vectors_path.is_file():
        raise IndexFormatError(f"index folder {folder} is incomplete: {VECTORS} is missing")
    try:
        vectors = faiss.read_index(str(vectors_path))
    except RuntimeError as exc:
        raise IndexFormatError(f"cannot read {vectors_path}: {exc}") from exc

    counts = manifest.counts
    found = Counts(
        articles=len(articles),
        quotes=len(quotes),
        speakers=len(speakers),
        groups=len(groups),
        vectors=int(vectors.ntotal),
    )
    if found != counts:
        raise IndexFormatError(
            f"index at {folder} does not match its manifest: the manifest counts "
            f"{msgspec.structs.asdict(counts)}, the files hold {msgspec.structs.asdict(found)}"
        )
    if int(vectors.d) != manifest.model.dimension:
        raise IndexFormatError(
            f"index at {folder} has {vectors.d}-dimensional vectors; its manifest says "
            f"{manifest.model.name} makes {manifest.model.dimension}"
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
        folder=folder, manifest=manifest, corpus=corpus, units=units, terms=terms, vectors=vectors
    )
