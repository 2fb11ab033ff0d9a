"""The live index: ingest and delete on copy-on-write snapshots, checkpoints, journal replay."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from index.build import index_corpus
from index.embed.bounded import BoundedEmbedder
from index.live.journal import Journal
from index.live.live import LiveIndex
from index.live.plan import ArticleConflictError, ArticleRejectedError
from index.models import Article
from index.search.searcher import Searcher
from index.store.folder import load_index
from index.store.manifest import read_manifest
from tests.fakes import HashEmbedder
from tests.unit.sample_corpus import TRADE_A, sample_corpus

TRADE_QUOTE = f"{TRADE_A}, and faster,"
REPORT = Article(
    id="h1",
    outlet="Harbour Herald",
    text=f'Elena Varga spoke to reporters on Tuesday. "{TRADE_QUOTE}" Elena Varga said.',
)
OTHER = Article(
    id="h2",
    outlet="Harbour Herald",
    text='The harbour master, Ines Molnar, was blunt. "The new cranes arrive in June," '
    "Ines Molnar said.",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("live") / "index"
    index_corpus(sample_corpus(), folder, HashEmbedder())
    return folder


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return copy


def open_live(folder: Path) -> LiveIndex:
    return LiveIndex.open(
        folder,
        journal=folder.parent / "journal.sqlite3",
        embedder=HashEmbedder(),
    )


@pytest.fixture
def live(folder: Path) -> Iterator[LiveIndex]:
    index = open_live(folder)
    yield index
    index.close()


def group_of_text(searcher: Searcher, text: str) -> str:
    for group in searcher.corpus.groups:
        if any(variant.text == text for variant in group.variants):
            return group.id
    raise AssertionError(f"no group holds {text!r}")


def test_ingest_adds_an_article_its_quotes_and_their_statement(
    live: LiveIndex,
) -> None:
    before = live.current.searcher
    outcomes, view = live.ingest([REPORT])
    after = view.searcher
    assert [(o.requested_id, o.article_id, o.status) for o in outcomes] == [("h1", "h1", "created")]
    assert live.current.searcher is after
    quotes = after.quotes_of("h1")
    assert [q.text for q in quotes] == [TRADE_QUOTE]
    assert quotes[0].speaker == "varga"  # merged into the index's speaker by name
    # The new wording joins the statement the index held.
    group = after.group_of(quotes[0].id)
    assert group is not None
    assert {v.outlet for v in group.variants} >= {"Daily Post", "Harbour Herald"}
    assert after.manifest.counts.articles == before.manifest.counts.articles + 1
    answer = after.lookup(TRADE_QUOTE, k=1, outlets=["Harbour Herald"])
    assert answer.matches and answer.matches[0].group_id == group.id
    # The snapshot a reader already held is untouched.
    assert before.article("h1") is None
    assert before.manifest.counts.articles == 3


def test_ingest_is_idempotent_by_id_and_by_content(live: LiveIndex) -> None:
    live.ingest([REPORT])
    seq = live.seq
    copy = Article(id="h1-copy", outlet=REPORT.outlet, text=REPORT.text, title="another title")
    outcomes, view = live.ingest([REPORT, copy])
    assert [(o.requested_id, o.article_id, o.status) for o in outcomes] == [
        ("h1", "h1", "unchanged"),
        ("h1-copy", "h1", "unchanged"),
    ]
    assert live.seq == seq  # nothing journaled
    assert view.searcher.article("h1-copy") is None


def test_a_batch_with_the_same_article_twice_adds_it_once(live: LiveIndex) -> None:
    outcomes, view = live.ingest([OTHER, OTHER])
    assert [o.status for o in outcomes] == ["created", "unchanged"]
    assert [a.id for a in view.searcher.corpus.articles].count("h2") == 1


@pytest.mark.parametrize(
    "batch",
    [
        [Article(id="a1", outlet="Daily Post", text="Another text altogether.")],
        [OTHER, Article(id="h2", outlet="Harbour Herald", text="A different text.")],
    ],
    ids=["held-id", "same-id-twice-in-a-batch"],
)
def test_an_id_with_other_content_is_a_conflict_and_adds_nothing(
    live: LiveIndex, batch: list[Article]
) -> None:
    seq, view = live.seq, live.current.searcher
    with pytest.raises(ArticleConflictError):
        live.ingest(batch)
    assert live.seq == seq and live.current.searcher is view


def test_an_article_too_costly_to_analyse_is_rejected(live: LiveIndex) -> None:
    crowded = Article(id="x", outlet="o", text=" ".join(['"word"'] * 1500))
    with pytest.raises(ArticleRejectedError, match="1500 quotations"):
        live.ingest([OTHER, crowded])
    assert live.current.searcher.article("h2") is None


def test_delete_removes_the_quotes_and_fixes_their_statement(live: LiveIndex) -> None:
    with_report = live.ingest([REPORT])[1].searcher
    group = group_of_text(with_report, TRADE_QUOTE)
    assert live.delete("h1") is not None
    after = live.current.searcher
    assert after.article("h1") is None and not after.quotes_of("h1")
    assert all(v.article_id != "h1" for g in after.corpus.groups for v in g.variants)
    assert after.group(group) is None or all(
        v.outlet != "Harbour Herald"
        for v in after.group(group).variants  # type: ignore[union-attr]
    )
    assert after.manifest.counts == live.current.searcher.manifest.counts
    assert live.delete("h1") is None  # already gone


def test_delete_drops_speakers_left_without_quotes(live: LiveIndex) -> None:
    _, view = live.ingest([OTHER])
    speaker = view.searcher.quotes_of("h2")[0].speaker
    assert speaker is not None and view.searcher.speaker(speaker) is not None
    live.delete("h2")
    assert live.current.searcher.speaker(speaker) is None


def test_deleting_every_article_leaves_an_empty_searchable_index(
    live: LiveIndex,
) -> None:
    for article in list(live.current.searcher.corpus.articles):
        live.delete(article.id)
    assert live.current.searcher.manifest.counts.vectors == 0
    assert not live.current.searcher.lookup("harbour trade").matches
    assert live.checkpoint()
    assert load_index(live.folder).manifest.counts.articles == 0


def test_checkpoint_writes_the_folder_with_the_journal_seq(live: LiveIndex, folder: Path) -> None:
    assert not live.checkpoint()  # nothing to write yet
    live.ingest([REPORT])
    assert live.checkpoint_due(rows=1, seconds=3600)
    assert not live.checkpoint_due(rows=2, seconds=3600)
    assert live.checkpoint()
    assert not live.checkpoint_due(rows=1, seconds=0)
    manifest = read_manifest(folder)
    assert manifest.journal_seq == live.seq == 1
    assert manifest.counts == live.current.searcher.manifest.counts
    assert load_index(folder).corpus.articles[-1].id == "h1"


def test_a_restart_replays_what_the_folder_lacks(folder: Path) -> None:
    first = open_live(folder)
    first.ingest([REPORT])
    first.checkpoint()
    first.ingest([OTHER])
    first.delete("a3")
    # A crash: no final checkpoint, the journal is all that holds the last two writes; the
    # kernel drops the dead process's folder locks (index.live.locks) with it.
    first._locks.release()
    assert read_manifest(folder).journal_seq == 1
    second = open_live(folder)
    try:
        ids = {a.id for a in second.current.searcher.corpus.articles}
        assert ids == {"a1", "a2", "h1", "h2"}
        assert second.seq == 3
        assert read_manifest(folder).journal_seq == 3  # the replay was checkpointed
        assert second.current.searcher.lookup("The new cranes arrive in June", k=1).matches
    finally:
        second.close()
        first.close()


def test_a_restart_without_any_checkpoint_replays_everything(folder: Path) -> None:
    first = open_live(folder)
    first.ingest([REPORT, OTHER])
    first.delete("h1")
    second = open_live(folder)
    try:
        assert {a.id for a in second.current.searcher.corpus.articles} == {"a1", "a2", "a3", "h2"}
    finally:
        second.close()
        first.close()


def test_an_article_deleted_and_added_again_with_new_text_replays_as_the_new_text(
    folder: Path,
) -> None:
    first = open_live(folder)
    first.ingest([OTHER])
    first.checkpoint()
    first.delete("h2")
    rewritten = Article(id="h2", outlet="Harbour Herald", text='"Cranes come in July," she said.')
    first.ingest([rewritten])
    second = open_live(folder)
    try:
        assert second.current.searcher.article("h2") == rewritten
        assert [q.text for q in second.current.searcher.quotes_of("h2")] == ["Cranes come in July,"]
    finally:
        second.close()
        first.close()


def test_close_checkpoints_and_a_reopen_has_nothing_to_replay(folder: Path) -> None:
    first = open_live(folder)
    first.ingest([REPORT])
    first.close()
    assert read_manifest(folder).journal_seq == 1
    journal = Journal(folder.parent / "journal.sqlite3")
    assert journal.last_seq() == 1
    journal.close()
    second = open_live(folder)
    assert second.replay() == 0
    second.close()


def test_open_removes_what_an_interrupted_checkpoint_left(folder: Path) -> None:
    stale = folder.parent / f".{folder.name}.new-abc123"
    stale.mkdir()
    (stale / "vectors.faiss").write_bytes(b"half")
    live = open_live(folder)
    live.close()
    assert not stale.exists()


class CountingEmbedder(HashEmbedder):
    """The hash embedder, remembering every text it was asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        self.texts.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def test_only_new_texts_are_embedded(folder: Path) -> None:
    embedder = CountingEmbedder()
    live = LiveIndex.open(folder, journal=folder.parent / "j.sqlite3", embedder=embedder)
    live.ingest([REPORT, OTHER])
    # Each article brings one quote the index has no vector for.
    assert embedder.texts == [TRADE_QUOTE, "The new cranes arrive in June,"]
    live.close()


class SlowEmbedder(HashEmbedder):
    """The hash embedder, taking a while and counting how many encodes run at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float32]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)
            return super().encode(texts, batch_size=batch_size)
        finally:
            with self._lock:
                self.running -= 1


@pytest.mark.parametrize("slots", [1, 2])
def test_a_bounded_embedder_runs_at_most_its_slots_at_once(slots: int) -> None:
    inner = SlowEmbedder()
    bounded = BoundedEmbedder(inner, slots=slots)
    with ThreadPoolExecutor(6) as pool:
        rows = list(pool.map(lambda n: bounded.encode([f"text {n}"]), range(12)))
    assert 1 <= inner.most <= slots
    assert all(row.shape == (1, inner.info.dimension) for row in rows)
    assert bounded.info == inner.info
