"""The sentence-transformers model as one ONNX file: export (needs torch) and its record.

:func:`export_onnx` turns a local sentence-transformers folder (a BERT encoder, mean pooling,
L2 normalisation) into one ONNX graph that does all three, optionally quantised to int8 with
onnxruntime's dynamic quantisation. It imports torch and transformers, inside the function
only, and never downloads anything: the weights are the local folder's.

:class:`index.embed.onnx.OnnxEmbedder` runs such a file without torch.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    pass

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
