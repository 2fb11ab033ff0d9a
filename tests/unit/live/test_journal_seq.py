"""A journal missing, or behind the index folder's ``journal_seq``, is an error that names
both, never a silent start with an empty journal (acknowledged articles would be gone)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import index_corpus
from index.live.journal import JournalError
from index.live.live import LiveIndex
from index.models import Article
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import sample_corpus


def article(n: int) -> Article:
    return Article(
        id=f"s{n}", outlet="Herald", text=f'"The pier {n} reopens soon," Ana Reyes said.'
    )


def open_live(folder: Path, journal: Path) -> LiveIndex:
    return LiveIndex.open(folder, journal=journal, embedder=HashEmbedder())


@pytest.fixture
def checkpointed(tmp_path: Path) -> Path:
    """An index folder checkpointed at journal row 3, its journal beside it."""
    folder = tmp_path / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    live = open_live(folder, tmp_path / "journal.sqlite3")
    live.ingest([article(1), article(2)])
    live.ingest([article(3)])
    live.close()
    return folder


def test_a_missing_journal_names_the_rows_the_folder_holds(checkpointed: Path) -> None:
    (checkpointed.parent / "journal.sqlite3").unlink()
    with pytest.raises(JournalError, match=r"missing.*up to 3"):
        open_live(checkpointed, checkpointed.parent / "journal.sqlite3")


def test_a_journal_behind_the_folder_names_both(checkpointed: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    folder = older / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    live = open_live(folder, older / "journal.sqlite3")
    live.ingest([article(1)])
    live.close()
    for suffix in ("", "-wal", "-shm"):
        stale = older / f"journal.sqlite3{suffix}"
        if stale.exists():
            shutil.copy(stale, tmp_path / f"journal.sqlite3{suffix}")
    with pytest.raises(JournalError, match=r"ends at row 1.*up to 3"):
        open_live(checkpointed, tmp_path / "journal.sqlite3")


def test_a_fresh_folder_starts_a_journal(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    live = open_live(folder, tmp_path / "journal.sqlite3")
    assert live.replay() == 0
    live.close()
