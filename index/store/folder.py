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
    rank-*.npy …    the ranker's precomputed tables (:mod:`index.store.tables`)

:func:`write_index` writes the files into a temporary sibling folder and swaps it in with
one rename, so a reader sees the old index or the new one, never half of one.
:func:`load_index` checks the manifest against the files and refuses any mismatch with an
:class:`~index.errors.IndexFormatError` that says what is wrong.

The FAISS file is read and written through :mod:`index.store.ann`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
import numpy as np

from index.embed.protocol import ENCODER_DIR
from index.errors import IndexFormatError
from index.models import Article, Corpus, Group, Quote, Speaker
from index.store.ann import read_ahead, read_faiss, write_faiss
from index.store.integrity import file_checksums, verify_files
from index.store.manifest import MANIFEST, Counts, Manifest, read_manifest
from index.store.tables import FILES as TABLE_FILES
from index.store.tables import RankTables
from index.store.units import Unit
from index.text.terms import TermStats

if TYPE_CHECKING:
    from numpy.typing import NDArray

VECTORS = "vectors.faiss"
EXACT = "vectors.npy"
ARTICLES = "articles.json"
QUOTES = "quotes.json"
SPEAKERS = "speakers.json"
GROUPS = "groups.json"
UNITS = "units.json"
TERMS = "terms.json"
FILES = (MANIFEST, VECTORS, EXACT, ARTICLES, QUOTES, SPEAKERS, GROUPS, UNITS, TERMS, *TABLE_FILES)

T = TypeVar("T")


class IndexData(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an index folder holds: what a build makes, a write stores and a load checks.

    ``folder`` is where it was loaded from (None for one built in memory, not yet written).
    """

    manifest: Manifest
    corpus: Corpus
    units: tuple[Unit, ...]
    terms: TermStats
    # A faiss.Index; typed loosely because faiss ships no type information.
    faiss_index: Any
    # The exact vectors, one row per unit (memory-mapped and read-only when loaded).
    vectors: NDArray[np.float32]
    tables: RankTables
    folder: Path | None = None


def _encode(value: object) -> bytes:
    return msgspec.json.encode(value)


def previous_folder(out: Path) -> Path:
    """Where the folder that a checkpoint replaced at ``out`` is kept (``.<name>.previous``)."""
    return out.with_name(f".{out.name}.previous")


def write_index(
    out: Path, index: IndexData, *, encoder_files: Sequence[Path] = (), keep_previous: bool = False
) -> Path:
    """Write an index folder at ``out``, replacing any folder there in one atomic swap.

    ``encoder_files`` (the embedder's ``info.files``) are copied into
    ``encoder/``; they may be in the folder being replaced, which is read before the swap.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staging.chmod(0o755)
    try:
        corpus = index.corpus
        records: dict[str, object] = {
            ARTICLES: corpus.articles,
            QUOTES: corpus.quotes,
            SPEAKERS: corpus.speakers,
            GROUPS: corpus.groups,
            UNITS: tuple(index.units),
            TERMS: index.terms,
        }
        for name, value in records.items():
            (staging / name).write_bytes(_encode(value))
        write_faiss(index.faiss_index, staging / VECTORS)
        np.save(staging / EXACT, np.ascontiguousarray(index.vectors, dtype=np.float32))
        index.tables.save(staging)
        if encoder_files:
            (staging / ENCODER_DIR).mkdir()
            for path in encoder_files:
                shutil.copyfile(path, staging / ENCODER_DIR / path.name)
        # The manifest goes last, with every other file's checksum: a folder with a manifest
        # is a complete folder.
        manifest = msgspec.structs.replace(index.manifest, files=file_checksums(staging))
        (staging / MANIFEST).write_bytes(msgspec.json.format(_encode(manifest)))
        _fsync_folder(staging)
        _swap_in(staging, out, keep_previous=keep_previous)
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


def _swap_in(staging: Path, out: Path, *, keep_previous: bool = False) -> None:
    """Put ``staging`` at ``out``; an existing ``out`` is swapped out and then removed, or,
    with ``keep_previous``, kept at :func:`previous_folder` (in place of the one kept before)."""
    if not out.exists() and not out.is_symlink():
        staging.rename(out)
        return
    if out.is_symlink() or not out.is_dir():
        raise IndexFormatError(f"{out} exists and is not an index folder; not replacing it")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise IndexFormatError(f"{out} is a folder but not an index folder; not replacing it")
    if _exchange(staging, out):
        _retire(staging, out, keep_previous)
        return
    # No atomic exchange here: two renames, with the old folder restored if the second fails.
    retired = _unused_sibling(out)
    out.rename(retired)
    try:
        staging.rename(out)
    except OSError:
        retired.rename(out)
        raise
    _retire(retired, out, keep_previous)


def _unused_sibling(out: Path) -> Path:
    """A fresh ``.<name>.old-*`` path beside ``out`` (nothing there yet)."""
    path = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    path.rmdir()
    return path


def _retire(old: Path, out: Path, keep: bool) -> None:
    """Remove the folder swapped out of ``out``, or keep it as the previous one."""
    if keep:
        previous = previous_folder(out)
        if previous.exists():  # the one kept before goes (renamed first: no half-removed folder)
            previous.rename(gone := _unused_sibling(out))
            shutil.rmtree(gone, ignore_errors=True)
        old.rename(previous)
    else:
        shutil.rmtree(old, ignore_errors=True)


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


def load_index(folder: Path) -> IndexData:
    """Load and check an index folder; raise IndexFormatError on any mismatch.

    The FAISS index and the exact vectors are memory-mapped (read-only), so opening a large
    index costs little memory and no copy; the records are decoded with the garbage collector
    paused (millions of new objects would otherwise set off full collections over and over).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
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
    faiss_index = read_faiss(folder / VECTORS, manifest.faiss_factory, manifest.faiss_params)
    vectors = _read_vectors(folder)
    tables = RankTables.load(folder, n_units=len(units))

    counts = manifest.counts
    corpus = Corpus(articles=articles, quotes=quotes, speakers=speakers, groups=groups)
    found = Counts.of(corpus, int(faiss_index.ntotal))
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
    return IndexData(
        folder=folder,
        manifest=manifest,
        corpus=corpus,
        units=units,
        terms=terms,
        faiss_index=faiss_index,
        vectors=vectors,
        tables=tables,
    )


def _read_vectors(folder: Path) -> NDArray[np.float32]:
    path = folder / EXACT
    read_ahead(path)
    try:
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise IndexFormatError(f"index folder {folder} is incomplete: {EXACT} is missing") from None
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    if vectors.dtype != np.float32 or vectors.ndim != 2:
        raise IndexFormatError(f"{path} holds {vectors.dtype} of shape {vectors.shape}")
    return vectors  # type: ignore[no-any-return]
