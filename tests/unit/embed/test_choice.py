"""Choosing the encoder: a build records it and ships its file; a reader loads it from there."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from index.articles import load_articles
from index.build import build_index
from index.embed.choice import DEFAULT_CACHE, for_build, for_index
from index.embed.protocol import ENCODER_DIR, Encoder
from index.errors import IndexFormatError
from index.search.searcher import Searcher
from index.store.manifest import read_manifest
from tests.fakes import HashEmbedder
from tests.imports import heavy_imports

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def onnx_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds index built with the default encoder (ONNX int8, export cached as usual)."""
    folder = tmp_path_factory.mktemp("encoders") / "index"
    embedder = for_build("onnx-int8", None, ROOT / DEFAULT_CACHE)
    build_index(load_articles(ROOT / "seeds"), folder, embedder)
    return folder


@pytest.mark.model
def test_the_manifest_records_the_encoder_and_the_folder_holds_it(onnx_index: Path) -> None:
    encoder = read_manifest(onnx_index).model.encoder
    assert (encoder.runtime, encoder.precision, encoder.file) == ("onnx", "int8", "model.int8.onnx")
    assert encoder.sha256 is not None and len(encoder.sha256) == 64
    held = sorted(path.name for path in (onnx_index / ENCODER_DIR).iterdir())
    # Only the file it serves with, not the fp32 graph it was quantised from.
    assert held == ["encoder.json", "model.int8.onnx", "tokenizer.json"]


@pytest.mark.model
def test_serving_an_onnx_index_imports_no_torch(onnx_index: Path) -> None:
    heavy, speaker = heavy_imports(
        "from index.search.searcher import Searcher\n"
        f"answer = Searcher.open({str(onnx_index)!r}).lookup('firm support on core interests')\n"
        "result = answer.matches[0].speaker.name if answer.matches else None"
    )
    assert heavy == []
    assert speaker is not None


@pytest.mark.model
def test_a_tampered_encoder_file_is_refused(onnx_index: Path, tmp_path: Path) -> None:
    encoder = read_manifest(onnx_index).model.encoder
    copy = tmp_path / "index"
    (copy / ENCODER_DIR).mkdir(parents=True)
    for path in (onnx_index / ENCODER_DIR).iterdir():
        (copy / ENCODER_DIR / path.name).write_bytes(path.read_bytes())
    model = copy / ENCODER_DIR / "model.int8.onnx"
    model.write_bytes(model.read_bytes()[:-1] + b"\0")
    with pytest.raises(IndexFormatError, match="checksum"):
        for_index(encoder, copy, None)
    model.unlink()
    with pytest.raises(IndexFormatError, match=r"model\.int8\.onnx is missing"):
        for_index(encoder, copy, None)


def test_an_index_of_a_custom_embedder_needs_that_embedder(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    build_index(load_articles(ROOT / "seeds"), folder, HashEmbedder())
    assert read_manifest(folder).model.encoder == Encoder(runtime="custom")
    with pytest.raises(IndexFormatError, match="custom embedder"):
        Searcher.open(folder)
    assert Searcher.open(folder, embedder=HashEmbedder()).corpus.quotes


@pytest.mark.model
def test_the_export_is_made_once_then_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.embed.export

    for_build("onnx-int8", None, ROOT / DEFAULT_CACHE)  # made (or found) here

    def no_export(*args: object, **kwargs: object) -> Path:
        raise AssertionError("the cached export should have been reused")

    monkeypatch.setattr(index.embed.export, "export_onnx", no_export)
    embedder = for_build("onnx-fp32", None, ROOT / DEFAULT_CACHE)
    assert embedder.info.encoder.precision == "fp32"
    assert msgspec.to_builtins(embedder.info.encoder)["runtime"] == "onnx"


def test_an_unknown_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        for_build("onnx-int4", None, DEFAULT_CACHE)  # type: ignore[arg-type]
