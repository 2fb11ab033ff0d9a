"""The index folder on disk: factory choice, atomic writes, and loading that refuses mismatches."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import msgspec
import numpy as np
import pytest

from index.build import index_corpus
from index.embed.protocol import Encoder
from index.errors import IndexFormatError
from index.store.ann import EXACT_SEARCH_LIMIT, choose_factory, new_faiss_index
from index.store.folder import EXACT, FILES, VECTORS, load_index, remove_stale_staging
from index.store.integrity import file_checksums
from index.store.manifest import FORMAT_VERSION, MANIFEST, read_manifest
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import sample_corpus


@pytest.fixture
def built(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    return folder


@pytest.mark.parametrize(
    ("vectors", "factory", "params"),
    [
        (0, "Flat", {}),
        (50, "Flat", {}),
        (EXACT_SEARCH_LIMIT - 1, "Flat", {}),
        (EXACT_SEARCH_LIMIT, "IVF1024,SQ8", {"nprobe": 32}),
        (1_000_000, "IVF4096,SQ8", {"nprobe": 32}),
        (10_000_000, "IVF16384,SQ8", {"nprobe": 128}),
        (10**12, "IVF65536,SQ8", {"nprobe": 512}),
    ],
)
def test_choose_factory(vectors: int, factory: str, params: dict[str, int]) -> None:
    assert choose_factory(vectors, 384) == (factory, params)


def test_an_ivf_index_keeps_its_search_parameters_through_a_folder(tmp_path: Path) -> None:
    """Above the exact-search limit the folder holds IVF, memory-mapped, with nprobe set."""
    import faiss

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((2_000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = new_faiss_index(vectors, "IVF16,SQ8", {"nprobe": 5})
    assert faiss.extract_index_ivf(index).nprobe == 5
    # Trained on a sample of TRAIN_PER_LIST vectors a list, then holding every vector.
    assert index.ntotal == 2_000
    _, found = index.search(vectors[:20], 1)
    assert (found.ravel() == np.arange(20)).mean() >= 0.9


def test_choose_factory_refuses_no_dimension() -> None:
    with pytest.raises(ValueError, match="dimension"):
        choose_factory(10, 0)


def test_round_trip_keeps_records_and_manifest(built: Path) -> None:
    loaded = load_index(built)
    corpus = sample_corpus()
    assert loaded.corpus == corpus
    manifest = loaded.manifest
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.model.name == HashEmbedder.name
    assert manifest.model.dimension == 64
    assert manifest.faiss_factory == "Flat"
    assert manifest.counts.articles == 3
    assert manifest.counts.quotes == 5
    assert manifest.counts.speakers == 2
    assert manifest.counts.groups == 3
    # Five quotes, and the two two-sentence strike quotes add two sentence units each.
    assert manifest.counts.vectors == len(loaded.units) == loaded.faiss_index.ntotal == 9
    assert loaded.vectors.shape == (9, 64)
    assert not loaded.vectors.flags.writeable
    # The exact vectors are the FAISS index's, row for row.
    assert np.allclose(loaded.faiss_index.reconstruct_n(0, 9), loaded.vectors)
    assert manifest.model.encoder == Encoder(runtime="custom")
    assert manifest.faiss_params == {}
    assert manifest.created.endswith("Z")
    assert 0.0 < manifest.calibration.threshold < 1.0
    assert sorted(path.name for path in built.iterdir()) == sorted(FILES)


def test_manifest_is_readable_json(built: Path) -> None:
    raw = json.loads((built / MANIFEST).read_text())
    assert raw["counts"]["vectors"] == 9
    assert raw["model"] == {
        "name": HashEmbedder.name,
        "dimension": 64,
        "encoder": {"runtime": "custom", "precision": "fp32", "file": None, "sha256": None},
    }
    assert set(raw) >= {"builder_version", "faiss_factory", "input_checksum", "calibration"}


def test_rebuild_replaces_the_folder_and_leaves_no_temporary_folders(built: Path) -> None:
    corpus = sample_corpus()
    smaller = msgspec.structs.replace(
        corpus, quotes=corpus.quotes[:2], groups=corpus.groups[:2], articles=corpus.articles[:1]
    )
    smaller = msgspec.structs.replace(
        smaller,
        groups=(
            msgspec.structs.replace(smaller.groups[0], variants=smaller.groups[0].variants[:1]),
            smaller.groups[1],
        ),
    )
    index_corpus(smaller, built, HashEmbedder())
    assert load_index(built).manifest.counts.quotes == 2
    assert [path.name for path in built.parent.iterdir()] == ["index"]


def test_refuses_to_replace_a_folder_that_is_not_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(IndexFormatError, match="not an index folder"):
        index_corpus(sample_corpus(), folder, HashEmbedder())
    assert (folder / "notes.txt").read_text() == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["documents"]


def test_failed_write_keeps_the_old_index(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss

    before = read_manifest(built)

    def broken_write(index: object, path: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", broken_write)
    with pytest.raises(OSError, match="disk full"):
        index_corpus(sample_corpus(), built, HashEmbedder())
    assert read_manifest(built) == before
    assert [path.name for path in built.parent.iterdir()] == ["index"]


def _set_manifest(key: str, value: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        raw = json.loads((folder / MANIFEST).read_text())
        target = raw
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value
        (folder / MANIFEST).write_text(json.dumps(raw))

    return edit


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def reseal(folder: Path) -> None:
    """Record the files' checksums afresh, so the checks behind the checksums are reached."""
    raw = json.loads((folder / MANIFEST).read_text())
    raw["files"] = file_checksums(folder)
    (folder / MANIFEST).write_text(json.dumps(raw))


def _corrupt(name: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        (folder / name).write_text("{not json")
        if name != MANIFEST:
            reseal(folder)

    return damage


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(_remove(MANIFEST), "has no manifest.json", id="no-manifest"),
        pytest.param(_remove(VECTORS), "vectors.faiss is missing", id="no-vectors"),
        pytest.param(_remove(EXACT), "vectors.npy is missing", id="no-exact-vectors"),
        pytest.param(_corrupt(EXACT), "cannot read", id="bad-exact-vectors"),
        pytest.param(_remove("groups.json"), "groups.json is missing", id="no-groups"),
        pytest.param(_remove("units.json"), "units.json is missing", id="no-units"),
        pytest.param(_corrupt("quotes.json"), "not a valid quotes.json", id="bad-quotes"),
        pytest.param(_corrupt(MANIFEST), "cannot read", id="bad-manifest"),
        pytest.param(_set_manifest("format_version", 99), "format version 99", id="version"),
        pytest.param(_set_manifest("counts.quotes", 6), "does not match its manifest", id="count"),
        pytest.param(_set_manifest("counts.vectors", 3), "does not match", id="vector-count"),
        pytest.param(_set_manifest("model.dimension", 384), "64-dimensional", id="dimension"),
        pytest.param(_set_manifest("model", "x"), "invalid manifest", id="bad-model"),
    ],
)
def test_load_refuses_a_damaged_folder(
    built: Path, damage: Callable[[Path], None], message: str
) -> None:
    damage(built)
    with pytest.raises(IndexFormatError, match=message):
        load_index(built)


def test_load_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="whosaid build"):
        load_index(tmp_path / "nowhere")


def test_load_refuses_units_of_unknown_quotes(built: Path) -> None:
    units = json.loads((built / "units.json").read_text())
    units[0]["quote_id"] = "q-missing"
    (built / "units.json").write_text(json.dumps(units))
    reseal(built)
    with pytest.raises(IndexFormatError, match="q-missing"):
        load_index(built)


def test_a_manifest_without_a_journal_seq_reads_as_zero(built: Path) -> None:
    """Folders written before live ingest existed hold no journal rows."""
    path = built / MANIFEST
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.pop("journal_seq", None)
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert read_manifest(built).journal_seq == 0


def test_stale_staging_folders_are_removed_and_nothing_else(built: Path) -> None:
    parent = built.parent
    stale = [parent / f".{built.name}.new-x1", parent / f".{built.name}.old-x2"]
    kept = [parent / ".other.new-x3", parent / f"{built.name}.new-x4"]
    for folder in stale + kept:
        folder.mkdir()
    assert sorted(remove_stale_staging(built)) == sorted(stale)
    assert all(folder.is_dir() for folder in kept)
    assert not any(folder.exists() for folder in stale)
    assert load_index(built).manifest.counts.quotes > 0
