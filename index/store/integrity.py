"""Checksums of an index folder's files: recorded in the manifest when the folder is written,
checked when it is opened, so a damaged file (truncated, overwritten, its rows reordered) is
refused by name instead of giving silently wrong answers.

A folder that fails is set aside (renamed, never deleted) for an operator to look at.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from index.errors import IndexFormatError
from index.store.manifest import MANIFEST, Manifest


class IndexDamagedError(IndexFormatError):
    """A file of an index folder is not the file its manifest recorded."""


def file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` but the manifest, by path relative to it."""
    folder = Path(folder)
    sums: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            with path.open("rb") as data:
                sums[path.relative_to(folder).as_posix()] = hashlib.file_digest(
                    data, "sha256"
                ).hexdigest()
    return sums


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Raise :class:`IndexDamagedError` naming the first file that differs from the
    manifest's record (or is missing, or is not recorded). A manifest from before checksums
    were recorded (no ``files``) is taken as it is."""
    if not manifest.files:
        return
    found = file_checksums(folder)
    for name in sorted(set(manifest.files) | set(found)):
        if name not in found:
            raise IndexDamagedError(f"the index folder is incomplete: {name} is missing")
        if name not in manifest.files:
            raise IndexDamagedError(f"the index folder holds {name}, which its manifest lacks")
        if found[name] != manifest.files[name]:
            raise IndexDamagedError(
                f"the index folder's {name} does not match the checksum its manifest records "
                "(damaged or changed since it was written)"
            )


def set_aside(folder: Path) -> Path:
    """Rename a damaged index folder out of the way (``.<name>.damaged-<time>``); return where."""
    folder = Path(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = folder.with_name(f".{folder.name}.damaged-{stamp}")
    folder.rename(aside)
    return aside
