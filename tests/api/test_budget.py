"""The lookup time budget: a lookup that runs past it is answered at once with a 503
``over-budget`` and ``Retry-After``, its worker slot given back, while normal lookups go on.

The runaway is a lookup held on an event (no timing is asserted: the held lookup would never
finish by itself, so any answer to it is the budget's)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service.app import create_app
from service.errors import PROBLEM_BASE
from tests.api.conftest import own_settings

RUNAWAY = "a runaway text"


@pytest.fixture
def held(searcher: Searcher, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    release = threading.Event()
    one, many = Searcher.lookup, Searcher.lookup_many

    def lookup(self: Searcher, text: str, **kwargs: Any) -> Any:
        if text == RUNAWAY:
            release.wait(60)
        return one(self, text, **kwargs)

    def lookup_many(self: Searcher, texts: list[str], **kwargs: Any) -> Any:
        if RUNAWAY in texts:
            release.wait(60)
        return many(self, texts, **kwargs)

    monkeypatch.setattr(Searcher, "lookup", lookup)
    monkeypatch.setattr(Searcher, "lookup_many", lookup_many)
    yield release
    release.set()


@pytest.fixture
def client(tmp_path: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    settings = own_settings(tmp_path, lookup_budget_seconds=0.5, cpu_workers=1)
    with TestClient(create_app(settings, searcher=searcher)) as test_client:
        yield test_client


def test_a_lookup_past_its_budget_is_a_503_with_retry_after(
    client: TestClient[Litestar], held: threading.Event
) -> None:
    response = client.post("/v1/lookup", json={"text": RUNAWAY})
    assert response.status_code == 503, response.text
    assert response.json()["type"] == PROBLEM_BASE + "over-budget"
    assert int(response.headers["retry-after"]) >= 1
    # The one worker slot was given back: a normal lookup is answered while the runaway runs.
    normal = client.post("/v1/lookup", json={"text": "the new bridge"})
    assert normal.status_code == 200, normal.text
    held.set()


def test_a_batch_with_a_runaway_text_is_a_503(
    client: TestClient[Litestar], held: threading.Event
) -> None:
    response = client.post("/v1/lookup/batch", json={"texts": ["the new bridge", RUNAWAY]})
    assert response.status_code == 503, response.text
    assert "retry-after" in response.headers
    held.set()
