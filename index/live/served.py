"""Opening the index a server serves: building it first when it is missing, then the live index
over it with the journal rows it lacks replayed.

The service hands in a :class:`Serving` (made from its settings); nothing here knows about
HTTP. Blocking and CPU-heavy (a model load, maybe a full build): never on an event loop.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

import msgspec

from index.embed.choice import DEFAULT, DEFAULT_CACHE, Choice
from index.embed.protocol import Embedder
from index.live.live import MERGE_ROWS, LiveIndex
from index.store.integrity import IndexDamagedError, set_aside

log = logging.getLogger("whosaid.index")


class Serving(msgspec.Struct, frozen=True, kw_only=True):
    """Where a served index lives and what to build it from."""

    index_dir: Path
    # Articles to build from when no index exists yet.
    articles: Path
    # The journal of ingested articles: a SQLite file (never inside ``index_dir``: a checkpoint
    # replaces that folder) or a ``postgresql://`` URL shared by several replicas.
    journal: Path | str
    # The encoder a build chooses; a served index uses the one its manifest records.
    encoder: Choice = DEFAULT
    model_dir: Path | None = None
    encoder_cache: Path = DEFAULT_CACHE
    # How many encodes may run at once.
    cpu_workers: int = 2
    # Merge the live index's delta into a new base folder when it holds this many unit rows.
    merge_rows: int = MERGE_ROWS


def index_present(folder: Path) -> bool:
    """Whether ``folder`` holds something to open (an empty mount point counts as missing)."""
    return folder.is_dir() and any(folder.iterdir())


def build_embedder(serving: Serving) -> Embedder:
    """The embedder a build uses: the encoder ``serving`` chooses."""
    from index.embed.choice import for_build

    return for_build(serving.encoder, serving.model_dir, serving.encoder_cache)


def build_missing_index(serving: Serving, embedder: Embedder | None = None) -> Embedder | None:
    """Build the index folder from ``serving.articles`` when it is missing; return the
    embedder if one had to be loaded for it (else ``embedder``, maybe None)."""
    if index_present(serving.index_dir):
        return embedder
    from index.articles import load_articles
    from index.build import build_index

    log.info("no index in %s: building it from %s", serving.index_dir, serving.articles)
    # Articles first: a bad source fails at once, not after the model has loaded.
    articles = load_articles(serving.articles)
    build_index(articles, serving.index_dir, embedder or build_embedder(serving))
    return embedder


def open_index(serving: Serving, embedder: Embedder | None = None) -> LiveIndex:
    """Open the index folder (building it first if it is missing) as a live index, with the
    journal rows it lacks replayed. ``embedder`` defaults to the model the manifest names.

    Once open, the index's millions of records are moved out of the garbage collector's sight
    (``gc.freeze``): they live as long as the process and hold no cycles to collect.
    """
    from index.embed.bounded import BoundedEmbedder
    from index.embed.choice import for_index
    from index.store.manifest import read_manifest

    given = embedder
    embedder = build_missing_index(serving, embedder)
    if embedder is None:
        encoder = read_manifest(serving.index_dir).model.encoder
        embedder = for_index(encoder, serving.index_dir, serving.model_dir)
    model = BoundedEmbedder(embedder, slots=serving.cpu_workers)
    try:
        live = _open_live(serving, model)
    except IndexDamagedError as exc:
        # Never deleted: set aside for a look. The folder the last checkpoint replaced, with
        # the journal rows after it, holds the same articles; without one (or if it is
        # damaged too) the folder is rebuilt from the articles source and the journal.
        aside = set_aside(serving.index_dir)
        restored = _from_previous(serving, model, exc, aside)
        if restored is not None:
            live = restored
        else:
            log.error("%s; set it aside as %s and rebuilding it", exc, aside)
            # The model files may have gone aside with the folder: the build exports them.
            build_missing_index(serving, given)
            if given is None:
                encoder = read_manifest(serving.index_dir).model.encoder
                embedder = for_index(encoder, serving.index_dir, serving.model_dir)
                model = BoundedEmbedder(embedder, slots=serving.cpu_workers)
            live = _open_live(serving, model)
    gc.freeze()
    return live


def _open_live(serving: Serving, model: Embedder) -> LiveIndex:
    return LiveIndex.open(
        serving.index_dir, journal=serving.journal, embedder=model, merge_rows=serving.merge_rows
    )


def _from_previous(
    serving: Serving, model: Embedder, damage: IndexDamagedError, aside: Path
) -> LiveIndex | None:
    """The live index over the folder the last checkpoint replaced, put back in place of the
    damaged one (set aside at ``aside``), with the journal rows after it replayed; None when
    there is none, or it is damaged too (then set aside as well)."""
    from index.store.folder import previous_folder

    previous = previous_folder(serving.index_dir)
    if not previous.is_dir():
        return None
    previous.rename(serving.index_dir)
    log.error(
        "%s; set it aside as %s and serving the folder the last checkpoint replaced, with "
        "the journal rows after it",
        damage,
        aside,
    )
    try:
        return _open_live(serving, model)
    except IndexDamagedError as again:
        log.error("the previous folder is damaged too (%s); set it aside", again)
        set_aside(serving.index_dir)
        return None


def catch_up(serving: Serving) -> None:
    """Before several workers start: build a missing index, and replay into the folder the
    journal rows it lacks, so that no worker has to (they would race to checkpoint)."""
    embedder = build_missing_index(serving)
    from index.live.kept import KeptJournal
    from index.store.manifest import read_manifest

    reader = KeptJournal(serving.journal)
    try:
        if not reader.exists():
            return
        behind = reader.last_seq() > read_manifest(serving.index_dir).journal_seq
    finally:
        reader.close()
    if behind:
        open_index(serving, embedder).close()
