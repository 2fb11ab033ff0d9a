"""A damaged index folder is set aside (never deleted) and replaced by the folder the last
checkpoint replaced plus the journal rows after it, or, without one, rebuilt from the articles
source plus the journal, so every acknowledged article is served again."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.live.served import Serving, open_index
from index.models import Article
from index.store.folder import previous_folder
from index.store.manifest import read_manifest
from tests.fakes import HashEmbedder

NEWS = Article(
    id="repair-1",
    outlet="Harbour Herald",
    text='Ana Reyes was blunt. "The old pier will reopen before the winter storms," she said.',
)


def serving_in(tmp_path: Path, articles: Path) -> Serving:
    """An index folder and a journal in ``tmp_path``, built from ``articles``."""
    return Serving(
        index_dir=tmp_path / "index", articles=articles, journal=tmp_path / "journal.sqlite3"
    )


def test_a_damaged_folder_is_set_aside_and_rebuilt(tmp_path: Path, seeds_dir: Path) -> None:
    serving = serving_in(tmp_path, seeds_dir)
    first = open_index(serving, HashEmbedder())
    first.ingest([NEWS])
    first.close()
    held = first.current.searcher.manifest.counts.articles
    # Without the folder the checkpoint replaced, the only way back is a rebuild.
    shutil.rmtree(previous_folder(serving.index_dir))
    vectors = serving.index_dir / "vectors.npy"
    zeroed = bytes(vectors.stat().st_size)  # same size
    vectors.write_bytes(zeroed)

    second = open_index(serving, HashEmbedder())
    try:
        searcher = second.current.searcher
        assert searcher.manifest.counts.articles == held
        assert searcher.article("repair-1") is not None
    finally:
        second.close()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(".index.damaged-")]
    assert len(aside) == 1
    assert (aside[0] / "vectors.npy").read_bytes() == zeroed


def test_a_checkpoint_keeps_the_folder_it_replaces(tmp_path: Path, seeds_dir: Path) -> None:
    serving = serving_in(tmp_path, seeds_dir)
    live = open_index(serving, HashEmbedder())
    built = read_manifest(serving.index_dir)
    live.ingest([NEWS])
    assert live.checkpoint()
    live.close()
    kept = read_manifest(previous_folder(serving.index_dir))
    assert (kept.journal_seq, kept.counts.articles) == (built.journal_seq, built.counts.articles)
    assert read_manifest(serving.index_dir).journal_seq > kept.journal_seq
    # One folder is kept, not one per checkpoint.
    live = open_index(serving, HashEmbedder())
    live.ingest([Article(id="repair-2", outlet="Harbour Herald", text=NEWS.text + " Again.")])
    assert live.checkpoint()
    live.close()
    assert read_manifest(previous_folder(serving.index_dir)).journal_seq > kept.journal_seq
    kept_folders = [p.name for p in tmp_path.iterdir() if p.is_dir() and p.name != "index"]
    assert kept_folders == [".index.previous"]


def test_a_damaged_folder_gives_way_to_the_previous_one_and_the_journal(
    tmp_path: Path, seeds_dir: Path
) -> None:
    source = tmp_path / "seeds"
    shutil.copytree(seeds_dir, source)
    serving = serving_in(tmp_path, source)
    first = open_index(serving, HashEmbedder())
    first.ingest([NEWS])
    assert first.checkpoint()
    first.close()
    held = read_manifest(serving.index_dir).counts.articles
    # No articles source any more: a rebuild would fail, so the folder that comes back is the
    # previous one with the journal's rows after it.
    shutil.rmtree(source)
    (serving.index_dir / "quotes.json").write_bytes(b"[]")

    second = open_index(serving, HashEmbedder())
    try:
        searcher = second.current.searcher
        assert searcher.manifest.counts.articles == held
        assert searcher.article("repair-1") is not None
    finally:
        second.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any(name.startswith(".index.damaged-") for name in names)
