"""The ONNX export and its embedder: same vectors as sentence-transformers, no torch to serve."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.embed.export import INT8_FILE, export_onnx
from index.embed.onnx import OnnxEmbedder
from tests.imports import heavy_imports

SENTENCES = (
    "The committee will publish its findings before the end of the month.",
    "We have no plans to raise taxes this year, the minister told reporters.",
    "No.",
    "Talks on the harbour project broke down on Friday after the unions walked out, and "
    "neither side would say when they might resume; the mayor called it a setback, not a "
    "defeat, and promised a new offer within weeks.",
    "Prices rose 3.2% in March",
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An fp32 and int8 export of the packaged model (the folder holding both files)."""
    from index.embed.protocol import default_model_dir

    out = tmp_path_factory.mktemp("onnx") / "encoder"
    served = export_onnx(default_model_dir(), out, quantize=True)
    assert served == out / INT8_FILE
    return out


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from index.embed.sentence import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder().encode(SENTENCES)


@pytest.mark.model
@pytest.mark.parametrize(
    ("file", "least_cosine"), [("model.onnx", 0.9999), ("model.int8.onnx", 0.97)]
)
def test_export_matches_sentence_transformers(
    exported: Path, reference: np.ndarray, file: str, least_cosine: float
) -> None:
    embedder = OnnxEmbedder(exported / file)
    vectors = embedder.encode(SENTENCES, batch_size=2)
    assert vectors.shape == reference.shape
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= least_cosine, cosines


@pytest.mark.model
def test_batches_keep_the_input_order(exported: Path) -> None:
    embedder = OnnxEmbedder(exported / "model.onnx")
    together = embedder.encode(SENTENCES, batch_size=3)
    one_by_one = np.vstack([embedder.encode([text]) for text in SENTENCES])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.info.dimension)


@pytest.mark.model
def test_export_records_what_it_wrote(exported: Path) -> None:
    info = json.loads((exported / "encoder.json").read_text())
    assert info["files"] == {"fp32": "model.onnx", "int8": "model.int8.onnx"}
    assert info["dimension"] == 384
    assert info["max_seq_length"] == 256
    assert set(info["sha256"]) == {"model.onnx", "model.int8.onnx"}


@pytest.mark.model
def test_encoding_imports_no_torch(exported: Path) -> None:
    heavy, shape = heavy_imports(
        "from index.embed.onnx import OnnxEmbedder\n"
        f"vectors = OnnxEmbedder({str(exported / INT8_FILE)!r}).encode(['a short query'])\n"
        "result = list(vectors.shape)"
    )
    assert shape == [1, 384]
    assert heavy == []


def test_export_refuses_other_pooling(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    with pytest.raises(ValueError, match="only mean pooling"):
        export_onnx(model, tmp_path / "out", quantize=False)
    assert not (tmp_path / "out").exists()


def test_embedder_needs_an_export(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no exported ONNX model"):
        OnnxEmbedder(tmp_path / "model.onnx")
