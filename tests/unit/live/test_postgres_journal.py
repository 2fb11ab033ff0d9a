"""The PostgreSQL journal against a real server: the same rows and rules as the SQLite one,
numbers handed out one writer at a time across connections, races detected, notifications."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from index.live.journal import Journal, JournalError, JournalRaceError
from index.live.kept import KeptJournal, open_journal, shown
from index.live.postgres import PostgresJournal
from index.models import Article
from tests.postgres import Postgres

pytestmark = pytest.mark.e2e  # starts a real PostgreSQL server


def article(n: int, text: str | None = None) -> Article:
    return Article(id=f"a-{n}", outlet="Wire", text=text or f'"Bridge {n} opens," she said.')


def entries(journal: Journal | PostgresJournal, after: int = 0) -> list[tuple[int, str, bool]]:
    return [(e.seq, e.article_id, e.deleted) for e in journal.since(after)]


def test_postgres_and_sqlite_journals_hold_the_same_rows(
    postgres: Postgres, tmp_path: Path
) -> None:
    journals = [open_journal(postgres.new_database()), open_journal(tmp_path / "j.sqlite3")]
    for journal in journals:
        assert journal.last_seq() == 0
        assert journal.record(puts=[article(1), article(2)]) == 2
        assert journal.record(deletes=["a-1"]) == 3
        assert journal.record(puts=[article(3)], floor=10) == 11  # never below a checkpoint
    pg, lite = journals
    assert entries(pg) == entries(lite) == [(2, "a-2", False), (3, "a-1", True), (11, "a-3", False)]
    assert [e.article for e in pg.since(0)] == [e.article for e in lite.since(0)]
    for journal in journals:
        journal.close()


def test_a_second_connection_sees_the_rows_and_numbers_continue(postgres: Postgres) -> None:
    url = postgres.new_database()
    first, second = PostgresJournal(url), PostgresJournal(url)
    first.record(puts=[article(1)])
    assert second.last_seq() == 1
    assert second.record(puts=[article(2)]) == 2
    assert entries(first) == [(1, "a-1", False), (2, "a-2", False)]
    first.close()
    second.close()


def test_concurrent_writers_get_distinct_numbers(postgres: Postgres) -> None:
    url = postgres.new_database()
    writers = [PostgresJournal(url) for _ in range(4)]
    got: list[int] = []

    def write(journal: PostgresJournal, base: int) -> None:
        for n in range(10):
            got.append(journal.record(puts=[article(base + n)]))

    threads = [threading.Thread(target=write, args=(w, 100 * i)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(1, 41))
    assert len(entries(writers[0])) == 40
    for journal in writers:
        journal.close()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_write_planned_on_stale_rows_is_refused_and_records_nothing(
    backend: str, postgres: Postgres, tmp_path: Path
) -> None:
    location = postgres.new_database() if backend == "postgresql" else tmp_path / "j.sqlite3"
    mine, theirs = open_journal(location), open_journal(location)
    assert mine.record(puts=[article(1)], seen=0) == 1
    theirs.record(puts=[article(2)])  # another writer; "mine" has not read it
    with pytest.raises(JournalRaceError):  # same id, changed after row 1
        mine.record(deletes=["a-2"], seen=1)
    with pytest.raises(JournalRaceError):  # same text under another id, live
        mine.record(puts=[article(3, text=article(2).text)], seen=1)
    assert mine.last_seq() == 2
    assert mine.record(puts=[article(4)], seen=1) == 3  # unrelated rows go through
    mine.close()
    theirs.close()


def test_a_commit_wakes_a_waiting_replica(postgres: Postgres) -> None:
    url = postgres.new_database()
    waiting, writer = PostgresJournal(url), PostgresJournal(url)
    waiting.wait(0.01)  # starts listening
    timer = threading.Timer(0.3, lambda: writer.record(puts=[article(1)]))
    started = time.monotonic()
    timer.start()
    waiting.wait(30.0)
    woke = time.monotonic() - started
    timer.join()
    assert woke < 29.0, "the notification did not arrive; the wait ran to its timeout"
    assert waiting.last_seq() == 1
    waiting.close()
    writer.close()


def test_an_unreachable_database_is_a_journal_error_that_keeps_the_password(
    postgres: Postgres,
) -> None:
    url = f"postgresql://whosaid:s3cret-pw@127.0.0.1:{postgres.port + 1}/nowhere"
    with pytest.raises(JournalError) as raised:
        PostgresJournal(url)
    assert "cannot be reached" in str(raised.value)
    assert "s3cret-pw" not in str(raised.value)
    assert "s3cret-pw" not in shown(url) and "127.0.0.1" in shown(url)
    kept = KeptJournal(url)
    assert kept.path is None
    with pytest.raises(JournalError):
        kept.record(puts=[article(1)])
    problem = kept.problem()
    assert problem is not None and "s3cret-pw" not in problem
