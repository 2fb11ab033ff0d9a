"""The journal: one row per article id, a growing seq, deletes as rows, WAL with full sync."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.live.journal import Journal, JournalError, content_hash
from index.models import Article

A = Article(id="a", outlet="Wire", text="One text.", title="T", url="https://x.example/a")
B = Article(id="b", outlet="Wire", text="Another text.")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal(tmp_path / "var" / "journal.sqlite3")
    yield opened
    opened.close()


def rows(journal: Journal, after: int = 0) -> list[tuple[int, str, bool]]:
    return [(e.seq, e.article_id, e.deleted) for e in journal.since(after)]


def test_an_empty_journal_is_created_with_its_folder(journal: Journal) -> None:
    assert journal.path.is_file()
    assert journal.last_seq() == 0
    assert rows(journal) == []


def test_wal_mode_and_full_sync(journal: Journal) -> None:
    db = sqlite3.connect(journal.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    # synchronous is per connection: read it on the journal's own.
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_rows_come_back_in_seq_order_with_every_field(journal: Journal) -> None:
    assert journal.record(puts=[A, B]) == 2
    entries = list(journal.since(0))
    assert [(e.seq, e.article_id) for e in entries] == [(1, "a"), (2, "b")]
    assert entries[0].article == A
    assert rows(journal, after=1) == [(2, "b", False)]


def test_a_delete_is_a_row_with_a_new_seq(journal: Journal) -> None:
    journal.record(puts=[A, B])
    assert journal.record(deletes=["a"]) == 3
    assert rows(journal) == [(2, "b", False), (3, "a", True)]
    # Added again: the same row, the next seq.
    assert journal.record(puts=[A]) == 4
    assert rows(journal) == [(2, "b", False), (4, "a", False)]


def test_an_id_never_added_can_be_deleted(journal: Journal) -> None:
    """Articles of the first build are in the index folder, not in the journal."""
    journal.record(deletes=["built-in"])
    assert rows(journal) == [(1, "built-in", True)]


def test_seq_continues_above_the_floor(journal: Journal) -> None:
    """A journal younger than the index folder never reuses a seq the folder has applied."""
    assert journal.record(puts=[A], floor=40) == 41
    assert journal.record(puts=[B], floor=3) == 42


def test_the_same_content_under_two_live_ids_is_refused(journal: Journal) -> None:
    journal.record(puts=[A])
    copy = Article(id="copy", outlet=A.outlet, text=A.text)
    with pytest.raises(JournalError):
        journal.record(puts=[copy, B])
    assert rows(journal) == [(1, "a", False)]  # the transaction was rolled back whole
    journal.record(deletes=["a"])
    journal.record(puts=[copy])  # once the first is deleted, the content is free


def test_rows_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    first = Journal(path)
    first.record(puts=[A])
    first.close()
    second = Journal(path)
    assert [e.article for e in second.since(0)] == [A]
    second.close()


@pytest.mark.parametrize("article_id", ["../../etc/passwd", "/abs", "a\\b", "NUL", "'; DROP --"])
def test_ids_are_data_not_paths(journal: Journal, tmp_path: Path, article_id: str) -> None:
    journal.record(puts=[Article(id=article_id, outlet="o", text=article_id)])
    assert rows(journal) == [(1, article_id, False)]
    assert sorted(p.name for p in journal.path.parent.iterdir()) == [
        "journal.sqlite3",
        "journal.sqlite3-shm",
        "journal.sqlite3-wal",
    ]


def test_content_hash_is_outlet_and_text_only() -> None:
    assert content_hash(A) == content_hash(Article(id="z", outlet="Wire", text="One text."))
    assert content_hash(A) != content_hash(Article(id="a", outlet="Wir", text="eOne text."))


def test_a_file_that_is_not_a_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal(path)
