"""An acknowledged article is never lost: SIGKILL the server (one worker, or two on one
journal) during a stream of ingests, start it again, and every acknowledged article is there
and found by lookup.

The server checkpoints (merges its delta into a new index folder) every few articles, so the
kill may land in or between merges; the second test waits for a merge to be writing its new
folder and kills the server then. On the restart it loads the folder and replays the journal
rows the folder lacks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from index.live.journal import Journal
from index.store.folder import load_index
from tests.e2e.live_server import API_KEY, LiveServer, news_article, quote_of

pytestmark = [pytest.mark.e2e, pytest.mark.model]

# Kill once this many articles are acknowledged (out of at most STREAM sent).
KILL_AFTER = 8
STREAM = 40
SEED_ARTICLES = 5


@pytest.fixture(params=["1", "2"], ids=["one-worker", "two-workers"])
def server(
    served_index: Path, repo_root: Path, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    # With two workers both take writes on one journal, and the kill takes both (and the
    # supervisor) at once.
    live = LiveServer(
        served_index, repo_root, checkpoint_rows="3", checkpoint_seconds="1", workers=request.param
    )
    try:
        yield live
    finally:
        live.stop()


def stream_ingests(
    url: str, acknowledged: list[str], enough: threading.Event, stop: threading.Event
) -> None:
    """POST one article after another until the server is gone; record each acknowledged id."""
    with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=120) as client:
        for n in range(STREAM):
            if stop.is_set():
                return
            try:
                response = client.post("/v1/articles", json={"articles": [news_article(n)]})
            except httpx.TransportError:
                return  # killed mid-request: this one was never acknowledged
            assert response.status_code == 200, response.text
            assert response.json()["results"][0]["status"] == "created"
            acknowledged.append(news_article(n)["id"])
            if len(acknowledged) >= KILL_AFTER:
                enough.set()
    enough.set()


def merging(server: LiveServer) -> bool:
    """Whether a merge is writing its new index folder (the staging sibling exists)."""
    return any(server.index_dir.parent.glob(f".{server.index_dir.name}.new-*"))


def after_acknowledged(server: LiveServer, enough: threading.Event) -> None:
    assert enough.wait(timeout=600), "the stream of ingests stalled"


def during_a_merge(server: LiveServer, enough: threading.Event) -> None:
    assert enough.wait(timeout=600), "the stream of ingests stalled"
    deadline = time.monotonic() + 300
    while not merging(server):
        assert time.monotonic() < deadline, "no merge started"
        time.sleep(0.005)


@pytest.mark.parametrize("moment", [after_acknowledged, during_a_merge])
def test_sigkill_during_ingest_loses_no_acknowledged_article(
    server: LiveServer, moment: Callable[[LiveServer, threading.Event], None]
) -> None:
    server.start()
    acknowledged: list[str] = []
    enough, stop = threading.Event(), threading.Event()
    writer = threading.Thread(
        target=stream_ingests, args=(server.url, acknowledged, enough, stop), daemon=True
    )
    writer.start()
    moment(server, enough)
    server.kill()  # the writer is sending the next article meanwhile
    stop.set()
    writer.join(timeout=120)
    assert not writer.is_alive()
    kept = list(acknowledged)
    assert len(kept) >= KILL_AFTER

    # What the kill left on disk: a folder that loads, and a journal with every acknowledged id.
    left = load_index(server.index_dir)
    assert left.manifest.journal_seq <= len(kept) + 1
    journal = Journal(server.work / "journal.sqlite3")
    journaled = {entry.article_id for entry in journal.since(0) if not entry.deleted}
    journal.close()
    assert set(kept) <= journaled

    server.start()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        counts = client.get("/v1/health/ready").json()["counts"]
        # Every acknowledged article, and perhaps the one in flight when the kill came.
        assert len(kept) <= counts["articles"] - SEED_ARTICLES <= len(kept) + 1
        for n, article_id in enumerate(kept):
            article = news_article(n)
            assert article["id"] == article_id
            stored = client.get(f"/v1/articles/{article_id}")
            assert stored.status_code == 200, article_id
            assert [q["text"] for q in stored.json()["quotes"]] == [quote_of(article)]
            answer = client.post("/v1/lookup", json={"text": quote_of(article), "k": 1}).json()
            assert answer["matched"], article_id
            assert answer["matches"][0]["variants"][0]["article_id"] == article_id
    # The restart replayed what the folder lacked and checkpointed it.
    assert load_index(server.index_dir).manifest.journal_seq >= len(kept)
