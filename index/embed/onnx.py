"""Encoding with onnxruntime: an exported model (:mod:`index.embed.export`) without torch.

:class:`OnnxEmbedder` runs the file with ``tokenizers`` and ``onnxruntime`` alone, so the
serving path never imports torch or transformers. It implements
:class:`index.embed.protocol.Embedder` and matches the torch embedder (the fp32 export to within
float rounding; the int8 export to a cosine of about 0.99).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from index.embed.export import INFO_FILE, OUTPUT, TOKENIZER_FILE, ExportInfo, Precision
from index.embed.protocol import MODEL_NAME, EmbedderInfo, Encoder

if TYPE_CHECKING:
    from numpy.typing import NDArray


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
        exported = msgspec.json.decode(info_path.read_bytes(), type=ExportInfo)
        kinds: dict[str, Precision] = {"fp32": "fp32", "int8": "int8"}
        named = exported.files.items()
        found = [kinds[k] for k, file in named if file == self.model_path.name and k in kinds]
        if len(found) != 1:
            raise FileNotFoundError(f"{info_path} does not describe {self.model_path.name}")
        self.export = exported
        self._dimension = exported.dimension
        self.info = EmbedderInfo(
            name=name,
            dimension=exported.dimension,
            encoder=Encoder(
                runtime="onnx",
                precision=found[0],
                file=self.model_path.name,
                sha256=exported.sha256.get(self.model_path.name),
            ),
            files=(self.model_path, folder / TOKENIZER_FILE, folder / INFO_FILE),
        )
        self._threads = max(1, threads)
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=exported.max_seq_length)
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
