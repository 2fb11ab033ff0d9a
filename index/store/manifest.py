"""The manifest of an index folder: what built it, what it holds, how to search it.

The manifest names the format and builder versions, the model and query encoder, the FAISS
factory and its search parameters, the counts of every record, the input checksum, the
creation time, the no-match calibration and the last journal row the folder holds.
:func:`read_manifest` refuses a folder of another format version with a clear error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import msgspec

from index.embed.protocol import Encoder
from index.errors import IndexFormatError
from index.models import Corpus

FORMAT_VERSION = 2
MANIFEST = "manifest.json"


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The embedding model that built the index; queries must use the same one."""

    name: str
    dimension: int
    encoder: Encoder


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    """How many records of each kind an index holds."""

    articles: int
    quotes: int
    speakers: int
    groups: int
    vectors: int

    @classmethod
    def of(cls, corpus: Corpus, vectors: int) -> Counts:
        """The counts of a corpus whose search units have ``vectors`` vectors."""
        return cls(
            articles=len(corpus.articles),
            quotes=len(corpus.quotes),
            speakers=len(corpus.speakers),
            groups=len(corpus.groups),
            vectors=vectors,
        )


class Calibration(msgspec.Struct, frozen=True, kw_only=True):
    """The no-match threshold and how it was derived (see :mod:`index.search.calibrate`)."""

    threshold: float
    method: str
    # The least score a match needs whatever the corpus, and the null quantile that may raise it.
    floor: float
    quantile: float
    samples: int
    # The null distribution's summary, kept so a later reader can judge the threshold.
    null_median: float = 0.0
    null_p90: float = 0.0
    # A cosine at which the model alone vouches for a rewording (see index.search.calibrate).
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
    # The last journal row (index.live.journal) this folder holds; the service replays those after.
    journal_seq: int = 0
    # SHA-256 of every other file in the folder, by relative path (index.store.integrity).
    files: dict[str, str] = msgspec.field(default_factory=dict)


def builder_version() -> str:
    """The installed whosaid version, which the manifest records as the builder."""
    try:
        return metadata.version("whosaid")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
