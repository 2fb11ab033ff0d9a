"""Lookups keep answering while articles are added: no errors, the same answers for what was
there before, and each added article found as soon as it is acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.live_server import API_KEY, LiveServer, news_article, quote_of

pytestmark = [pytest.mark.e2e, pytest.mark.model]

ARTICLES = 8
READERS = 3
# Seed statements, asked before, during and after the ingests.
QUERIES = (
    "firm support on core interests",
    "The scale of investment between the two countries is also continuously upgrading",
)


@pytest.fixture
def server(served_index: Path, repo_root: Path) -> Iterator[LiveServer]:
    live = LiveServer(served_index, repo_root)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def best(answer: dict[str, Any]) -> tuple[str, str | None]:
    match = answer["matches"][0]
    return match["statement_id"], (match["speaker"] or {}).get("name")


def test_lookups_answer_consistently_while_articles_are_added(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        expected = {
            query: best(client.get("/v1/lookup", params={"text": query}).json())
            for query in QUERIES
        }
    done = threading.Event()
    errors: list[str] = []
    answered = [0] * READERS

    def read(reader: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while True:  # at least one round, however fast the writer is
                stopping = done.is_set()
                for query in QUERIES:
                    by_get = client.get("/v1/lookup", params={"text": query})
                    by_post = client.post("/v1/lookup", json={"text": query})
                    batch = client.post("/v1/lookup/batch", json={"texts": list(QUERIES)})
                    page = client.get("/v1/statements", params={"limit": 100})
                    for response in (by_get, by_post, batch, page):
                        if response.status_code != 200:
                            errors.append(f"{response.request.url}: {response.status_code}")
                    if errors:
                        return
                    for answer in (by_get.json(), by_post.json()):
                        if best(answer) != expected[query]:
                            errors.append(f"{query!r}: {best(answer)} != {expected[query]}")
                    found = [best(a) for a in batch.json()["results"]]
                    if found != [expected[q] for q in QUERIES]:
                        errors.append(f"batch: {found}")
                    answered[reader] += 1
                if stopping:
                    return

    readers = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        with httpx.Client(
            base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=120
        ) as writer:
            for n in range(ARTICLES):
                article = news_article(n)
                response = writer.post("/v1/articles", json={"articles": [article]})
                assert response.status_code == 200, response.text
                # Acknowledged means searchable: read your write at once.
                answer = writer.post("/v1/lookup", json={"text": quote_of(article), "k": 1})
                assert answer.json()["matches"][0]["variants"][0]["article_id"] == article["id"]
                if n % 3 == 2:  # deletes run alongside too
                    deleted = writer.delete(f"/v1/articles/{article['id']}")
                    assert deleted.status_code == 204
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=120)
    assert not errors, errors[:5]
    assert all(count > 0 for count in answered), answered
    with httpx.Client(base_url=server.url, timeout=60) as client:
        counts = client.get("/v1/health/ready").json()["counts"]
    assert counts["articles"] == 5 + ARTICLES - ARTICLES // 3
