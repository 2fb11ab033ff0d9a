"""Query and corpus encoding with onnxruntime: the sentence-transformers model as one ONNX file.

:func:`export_onnx` turns a local sentence-transformers folder (a BERT encoder, mean pooling,
L2 normalisation) into one ONNX graph that does all three, optionally quantised to int8 with
onnxruntime's dynamic quantisation. It imports torch and transformers, inside the function
only, and never downloads anything: the weights are the local folder's.

:class:`OnnxEmbedder` runs such a file with ``tokenizers`` and ``onnxruntime`` alone, so the
serving path never imports torch or transformers. It implements :class:`index.embed.Embedder`
and matches :class:`index.embed.SentenceTransformerEmbedder` (the fp32 export to within float
rounding; the int8 export to a cosine of about 0.99).

An export folder holds::

    model.onnx        fp32 graph (encoder, mean pooling, L2 norm; attention fused by ORT)
    model.int8.onnx   the same graph with int8 weights (only when quantised)
    tokenizer.json    the model's tokenizer, unchanged
    encoder.json      what was exported from where (:class:`ExportInfo`)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec
import numpy as np

from index.embed import MODEL_NAME, Encoder

if TYPE_CHECKING:
    from numpy.typing import NDArray

Precision = Literal["fp32", "int8"]

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
INFO_FILE = "encoder.json"
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


class ExportInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`export_onnx` wrote, so an index manifest can name and check it."""

    source: str
    source_sha256: str
    dimension: int
    max_seq_length: int
    opset: int
    files: dict[str, str]  # precision -> file name in the export folder
    sha256: dict[str, str]  # file name -> sha256 of its bytes


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def max_seq_length(model_dir: Path) -> int:
    """The model's token limit, from ``sentence_bert_config.json`` (as sentence-transformers)."""
    config = model_dir / "sentence_bert_config.json"
    if config.exists():
        value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return value
    return 512


def _check_pooling(model_dir: Path) -> None:
    """Refuse a model whose pooling is not the plain mean this export implements."""
    config = model_dir / "1_Pooling" / "config.json"
    if not config.exists():
        return
    pooling = json.loads(config.read_text(encoding="utf-8"))
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode") and value}
    if modes != {"pooling_mode_mean_tokens"}:
        raise ValueError(f"only mean pooling can be exported; {model_dir} uses {sorted(modes)}")


def export_onnx(model_dir: Path, out_dir: Path, *, quantize: bool) -> Path:
    """Export the model in ``model_dir`` to ONNX in ``out_dir``; the path of the file to serve.

    The fp32 graph is always written (it is what int8 is made from); with ``quantize`` the
    int8 one is written too and returned. ``out_dir`` is replaced as a whole.
    """
    model_dir = Path(model_dir)
    out_dir = Path(out_dir)
    _check_pooling(model_dir)
    weights = model_dir / "model.safetensors"
    if not weights.exists() or not (model_dir / TOKENIZER_FILE).exists():
        raise FileNotFoundError(f"no model.safetensors and tokenizer.json in {model_dir}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        raw = staging / "raw.onnx"
        dimension, heads = _torch_export(model_dir, raw)
        _fuse(raw, staging / FP32_FILE, hidden_size=dimension, heads=heads)
        raw.unlink()
        files = {"fp32": FP32_FILE}
        if quantize:
            _quantize(staging / FP32_FILE, staging / INT8_FILE)
            files["int8"] = INT8_FILE
        shutil.copyfile(model_dir / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        info = ExportInfo(
            source=str(model_dir),
            source_sha256=file_sha256(weights),
            dimension=dimension,
            max_seq_length=max_seq_length(model_dir),
            opset=OPSET,
            files=files,
            sha256={name: file_sha256(staging / name) for name in files.values()},
        )
        (staging / INFO_FILE).write_bytes(msgspec.json.format(msgspec.json.encode(info)))
        staging.chmod(0o755)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / files["int8" if quantize else "fp32"]


def _torch_export(model_dir: Path, out: Path) -> tuple[int, int]:
    """The BERT encoder with mean pooling and L2 norm as ONNX (torch's TorchScript exporter).

    torch's newer dynamo exporter needs onnxscript; the TorchScript one needs nothing more.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    encoder = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    )
    encoder.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    ids = torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    axes = {"batch": 0, "tokens": 1}
    dynamic = {name: {index: axis for axis, index in axes.items()} for name in INPUTS}
    dynamic[OUTPUT] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        # The tracer warns about shape-dependent Python branches in transformers' masking;
        # with right padding they take the same branch for every shape.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(encoder),
            (ids, mask, torch.zeros_like(ids)),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            dynamo=False,
        )
    return int(encoder.config.hidden_size), int(encoder.config.num_attention_heads)


def _fuse(raw: Path, out: Path, *, hidden_size: int, heads: int) -> None:
    """Fuse attention, layer norm and GELU with onnxruntime's BERT optimiser (exact in fp32)."""
    from onnxruntime.transformers import optimizer  # type: ignore[import-untyped]

    model = optimizer.optimize_model(
        str(raw), model_type="bert", num_heads=heads, hidden_size=hidden_size, opt_level=0
    )
    model.save_model_to_file(str(out))


def _quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantisation: int8 weights per output channel, activations per tensor.

    Per-channel weights keep the vectors at a mean cosine of ~0.993 with fp32 on quote-like
    text; per-tensor weights (the default) fell to ~0.96, at about the same speed.
    """
    from onnxruntime.quantization import (  # type: ignore[import-untyped]
        QuantType,
        quantize_dynamic,
    )

    # onnxruntime logs a hint to the root logger on every call; it is about image models'
    # calibration and does not apply to dynamic quantisation of a transformer.
    hint = _DropMessage("pre-processing before quantization")
    logging.getLogger().addFilter(hint)
    try:
        quantize_dynamic(
            str(fp32),
            str(out),
            weight_type=QuantType.QInt8,
            per_channel=True,
            # Fused contrib ops (Attention, SkipLayerNormalization) have no ONNX type inference.
            extra_options={"DefaultTensorType": 1},
        )
    finally:
        logging.getLogger().removeFilter(hint)


class _DropMessage(logging.Filter):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


# Texts per onnxruntime call when encoding many: small batches pad less (attention cost grows
# with the longest text) and were faster per sentence than 32 or 64 on 2 cores (bench/encode).
MAX_BATCH = 16


class OnnxEmbedder:
    """An exported model run by onnxruntime: tokenizers + onnxruntime, no torch.

    Each onnxruntime call uses one thread, which is fastest for single queries and leaves the
    other cores to concurrent calls (the session is thread-safe). ``threads`` is how many
    batches :meth:`encode` runs at once when it is given many texts (an index build).
    """

    def __init__(self, model_path: Path, *, name: str = MODEL_NAME, threads: int = 1) -> None:
        import onnxruntime  # type: ignore[import-untyped]
        from tokenizers import Tokenizer

        self.model_path = Path(model_path)
        folder = self.model_path.parent
        info_path = folder / INFO_FILE
        if not self.model_path.is_file() or not info_path.is_file():
            raise FileNotFoundError(f"no exported ONNX model at {self.model_path}")
        self.info = msgspec.json.decode(info_path.read_bytes(), type=ExportInfo)
        kinds: dict[str, Precision] = {"fp32": "fp32", "int8": "int8"}
        named = self.info.files.items()
        found = [kinds[k] for k, file in named if file == self.model_path.name and k in kinds]
        if len(found) != 1:
            raise FileNotFoundError(f"{info_path} does not describe {self.model_path.name}")
        self._encoder = Encoder(
            runtime="onnx",
            precision=found[0],
            file=self.model_path.name,
            sha256=self.info.sha256.get(self.model_path.name),
        )
        self._name = name
        self._dimension = self.info.dimension
        self._threads = max(1, threads)
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=self.info.max_seq_length)
        padding = tokenizer.padding or {}
        # Pad each batch to its longest text (not to the file's fixed length), as
        # sentence-transformers does; the pad token is the tokenizer's own.
        tokenizer.enable_padding(
            pad_id=int(padding.get("pad_id", 0)), pad_token=str(padding.get("pad_token", "[PAD]"))
        )
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = tuple(i.name for i in self._session.get_inputs())

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def encoder(self) -> Encoder:
        return self._encoder

    @property
    def files(self) -> tuple[Path, ...]:
        folder = self.model_path.parent
        return (self.model_path, folder / TOKENIZER_FILE, folder / INFO_FILE)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        """L2-normalised float32 rows; batches are formed from texts of similar length."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        texts = list(texts)
        if len(texts) == 1:
            return self._run(texts)
        # Like sentence-transformers: longest first, so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        size = max(1, min(batch_size, MAX_BATCH))
        batches = [order[start : start + size] for start in range(0, len(order), size)]
        out = np.empty((len(texts), self._dimension), dtype=np.float32)

        def run(rows: list[int]) -> None:
            out[rows] = self._run([texts[i] for i in rows])

        if self._threads == 1 or len(batches) == 1:
            for rows in batches:
                run(rows)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self._threads) as pool:
                list(pool.map(run, batches))
        return out

    def _run(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        columns = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = self._session.run([OUTPUT], {name: columns[name] for name in self._inputs})
        return np.ascontiguousarray(vectors, dtype=np.float32)
