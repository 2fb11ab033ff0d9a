"""Adding and deleting articles over HTTP: answers, idempotency, and what lookups see after."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.errors import PROBLEM_BASE
from tests.api.conftest import API_KEY, own_settings
from tests.fakes import HashEmbedder

KEY = {"X-API-Key": API_KEY}
BRIDGE = "We will open the new bridge in May, two months early."
ARTICLE = {
    "id": "city-wire-0001",
    "outlet": "City Wire",
    "title": "Bridge to open early",
    "url": "https://city-wire.example/bridge",
    "published": "2024-03-01",
    "text": f'Mayor Anna Berg spoke on Friday.\n"{BRIDGE}" Anna Berg said.',
}
REWORDED = {
    "id": "harbour-news-0007",
    "outlet": "Harbour News",
    "text": f'"{BRIDGE.replace("new ", "")}" said Mayor Anna Berg.',
}


def add(client: TestClient[Litestar], *articles: dict[str, Any]) -> Any:
    response = client.post("/v1/articles", json={"articles": list(articles)}, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_an_added_article_is_answered_with_its_quotes_and_found_at_once(
    writer_client: TestClient[Litestar],
) -> None:
    before = writer_client.get("/v1/health/ready").json()["counts"]
    [result] = add(writer_client, ARTICLE)
    assert (result["id"], result["status"], result["duplicate_of"]) == (
        "city-wire-0001",
        "created",
        None,
    )
    [quote] = result["quotes"]
    assert ARTICLE["text"][quote["start"] : quote["end"]] == quote["text"] == BRIDGE
    assert quote["speaker"]["name"] == "Anna Berg"
    assert quote["statement_id"]

    stored = writer_client.get("/v1/articles/city-wire-0001").json()
    assert stored["quotes"] == result["quotes"]
    assert (stored["title"], stored["url"], stored["published"]) == (
        "Bridge to open early",
        "https://city-wire.example/bridge",
        "2024-03-01",
    )
    answer = writer_client.get("/v1/lookup", params={"text": BRIDGE}).json()
    assert answer["matches"][0]["statement_id"] == quote["statement_id"]
    assert answer["matches"][0]["speaker"]["name"] == "Anna Berg"
    after = writer_client.get("/v1/health/ready").json()["counts"]
    assert after["articles"] == before["articles"] + 1
    assert after["quotes"] == before["quotes"] + 1
    metrics = writer_client.get("/metrics").text
    assert f'whosaid_index_size{{kind="articles"}} {after["articles"]}.0' in metrics


def test_another_outlets_wording_joins_the_statement(writer_client: TestClient[Litestar]) -> None:
    [first] = add(writer_client, ARTICLE)
    [second] = add(writer_client, REWORDED)
    statement = second["quotes"][0]["statement_id"]
    assert (
        statement
        == writer_client.get("/v1/articles/city-wire-0001").json()["quotes"][0]["statement_id"]
    )
    variants = writer_client.get(f"/v1/statements/{statement}").json()["variants"]
    assert {v["outlet"] for v in variants} == {"City Wire", "Harbour News"}
    assert first["quotes"][0]["speaker"]["id"] == second["quotes"][0]["speaker"]["id"]
    outlets = {o["name"] for o in writer_client.get("/v1/outlets").json()["items"]}
    assert {"City Wire", "Harbour News"} <= outlets


def test_the_same_article_twice_is_indexed_once(writer_client: TestClient[Litestar]) -> None:
    [created] = add(writer_client, ARTICLE)
    count = writer_client.get("/v1/health/ready").json()["counts"]["articles"]
    copy = {**ARTICLE, "id": "city-wire-0001-copy", "title": "Another headline"}
    again, duplicate = add(writer_client, ARTICLE, copy)
    assert (again["status"], again["duplicate_of"]) == ("unchanged", None)
    assert (duplicate["status"], duplicate["duplicate_of"]) == ("unchanged", "city-wire-0001")
    assert again["quotes"] == duplicate["quotes"] == created["quotes"]
    assert writer_client.get("/v1/health/ready").json()["counts"]["articles"] == count
    assert writer_client.get("/v1/articles/city-wire-0001-copy").status_code == 404


def test_a_conflict_adds_nothing_of_the_batch(writer_client: TestClient[Litestar]) -> None:
    add(writer_client, ARTICLE)
    changed = {**ARTICLE, "text": ARTICLE["text"] + " Updated."}
    response = writer_client.post(
        "/v1/articles", json={"articles": [REWORDED, changed]}, headers=KEY
    )
    assert response.status_code == 409
    assert response.json()["type"] == PROBLEM_BASE + "article-conflict"
    assert "city-wire-0001" in response.json()["detail"]
    assert writer_client.get("/v1/articles/harbour-news-0007").status_code == 404


def test_delete_removes_the_article_and_its_variant(writer_client: TestClient[Litestar]) -> None:
    add(writer_client, ARTICLE, REWORDED)
    statement = writer_client.get("/v1/articles/city-wire-0001").json()["quotes"][0]["statement_id"]
    deleted = writer_client.delete("/v1/articles/harbour-news-0007", headers=KEY)
    assert deleted.status_code == 204 and not deleted.content
    assert writer_client.get("/v1/articles/harbour-news-0007").status_code == 404
    variants = writer_client.get(f"/v1/statements/{statement}").json()["variants"]
    assert {v["outlet"] for v in variants} == {"City Wire"}
    assert writer_client.delete("/v1/articles/harbour-news-0007", headers=KEY).status_code == 404
    # Deleted, it can be added again, with new text.
    [again] = add(writer_client, {**REWORDED, "text": '"Not before June," Anna Berg said.'})
    assert again["status"] == "created"


def test_lookups_see_one_snapshot_per_request(writer_client: TestClient[Litestar]) -> None:
    """Readiness counts and the records agree, write after write."""
    for n in range(3):
        add(writer_client, {**ARTICLE, "id": f"w{n}", "text": f'"Number {n} is open," she said.'})
        counts = writer_client.get("/v1/health/ready").json()["counts"]
        statements = writer_client.get("/v1/statements", params={"limit": 100}).json()["items"]
        assert counts["statements"] == len(statements)


@pytest.fixture
def index_copy(tmp_path: Path, hash_index: Path) -> Path:
    shutil.copytree(hash_index, tmp_path / "index")
    return tmp_path


def started(workdir: Path) -> Iterator[TestClient[Litestar]]:
    """An app that opens the folder itself (hash embedder) and replays its journal."""
    app = create_app(own_settings(workdir), embedder=HashEmbedder())
    with TestClient(app) as client:
        deadline = time.monotonic() + 60
        while client.get("/v1/health/ready").status_code != 200:
            assert time.monotonic() < deadline, client.get("/v1/health/ready").text
            time.sleep(0.05)
        yield client


def test_articles_survive_a_restart(index_copy: Path) -> None:
    for client in started(index_copy):
        add(client, ARTICLE, REWORDED)
        client.delete("/v1/articles/harbour-news-0007", headers=KEY)
    for client in started(index_copy):
        assert client.get("/v1/articles/city-wire-0001").status_code == 200
        assert client.get("/v1/articles/harbour-news-0007").status_code == 404
        answer = client.get("/v1/lookup", params={"text": BRIDGE}).json()
        assert answer["matches"][0]["variants"][0]["article_id"] == "city-wire-0001"
