"""A damaged index folder is set aside (never deleted) and rebuilt from the articles source
plus the journal, so every acknowledged article is served again."""

from __future__ import annotations

from pathlib import Path

from index.live.served import Serving, open_index
from index.models import Article
from tests.fakes import HashEmbedder

NEWS = Article(
    id="repair-1",
    outlet="Harbour Herald",
    text='Ana Reyes was blunt. "The old pier will reopen before the winter storms," she said.',
)


def test_a_damaged_folder_is_set_aside_and_rebuilt(tmp_path: Path, seeds_dir: Path) -> None:
    serving = Serving(
        index_dir=tmp_path / "index", articles=seeds_dir, journal=tmp_path / "journal.sqlite3"
    )
    first = open_index(serving, HashEmbedder())
    first.ingest([NEWS])
    first.close()
    held = first.current.searcher.manifest.counts.articles
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
