"""Integrity: every file of an index folder is checked against the checksum its manifest
records, so each file in turn, truncated, overwritten with garbage of the same size, or with
its rows reordered, is refused by name (never a silently wrong answer)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.build import index_corpus
from index.store.folder import load_index
from index.store.integrity import IndexDamagedError, set_aside
from index.store.manifest import read_manifest
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import sample_corpus


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("integrity") / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    return folder


@pytest.fixture
def built(pristine: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(pristine, tmp_path / "index"))


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage(path: Path) -> None:
    size = path.stat().st_size
    path.write_bytes(random.Random(size).randbytes(size))


def reordered(path: Path) -> None:
    """Rows in another order: a JSON array reversed, an array's rows reversed (same header)."""
    if path.suffix == ".npy":
        array = np.load(path, allow_pickle=False)
        np.save(path, array[::-1].copy() if array.ndim and len(array) > 1 else array + 1)
    elif path.suffix == ".json":
        value = json.loads(path.read_text())
        reordered_value = value[::-1] if isinstance(value, list) else dict(reversed(value.items()))
        path.write_text(json.dumps(reordered_value))
    else:
        data = path.read_bytes()
        half = len(data) // 2
        path.write_bytes(data[half:] + data[:half])


def test_the_manifest_records_every_file(built: Path) -> None:
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert set(read_manifest(built).files) == files - {"manifest.json"}


@pytest.mark.parametrize("damage", [truncated, garbage, reordered])
def test_each_damaged_file_is_refused_by_name(built: Path, damage: Callable[[Path], None]) -> None:
    names = sorted(read_manifest(built).files)
    assert names
    for name in names:
        original = (built / name).read_bytes()
        damage(built / name)
        if (built / name).read_bytes() == original:  # a file of one row cannot be reordered
            continue
        with pytest.raises(IndexDamagedError, match=name.replace(".", r"\.")) as caught:
            load_index(built)
        assert str(built) not in str(caught.value)
        (built / name).write_bytes(original)
    load_index(built)


def test_a_file_the_manifest_lacks_is_refused(built: Path) -> None:
    (built / "extra.json").write_text("[]")
    with pytest.raises(IndexDamagedError, match=r"extra\.json"):
        load_index(built)


def test_a_damaged_folder_is_set_aside_not_deleted(built: Path) -> None:
    garbage(built / "vectors.npy")
    aside = set_aside(built)
    assert not built.exists()
    assert (aside / "vectors.npy").exists()
    assert aside.parent == built.parent and aside.name.startswith(".index.damaged-")
