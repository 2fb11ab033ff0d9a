"""The API under test: ``create_app`` in-process over a small index of the seeds, built once
with the deterministic hash embedder (no model).

``client`` serves the shared index read-only in spirit: tests that write use ``writer_client``
(or ``keyed_client``), whose index folder and journal are the test's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.articles import load_articles
from index.build import build_index
from index.live.live import LiveIndex
from index.live.served import Serving
from index.search.searcher import Searcher
from service import runtime
from service.app import create_app
from service.settings import Settings
from tests.fakes import HashEmbedder

API_KEY = "test-key-6f1d2c9a"


@pytest.fixture(scope="session")
def hash_index(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("api") / "index"
    build_index(load_articles(seeds_dir), folder, HashEmbedder())
    return folder


@pytest.fixture(scope="session")
def searcher(hash_index: Path) -> Searcher:
    return Searcher.open(hash_index, embedder=HashEmbedder())


@pytest.fixture
def client(hash_index: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    """A started app serving the hash index."""
    app = create_app(Settings(index_dir=hash_index, cpu_workers=1), searcher=searcher)
    with TestClient(app) as test_client:
        yield test_client


def own_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings with an index folder and journal of the test's own, and the test key."""
    values: dict[str, object] = {
        "index_dir": tmp_path / "index",
        "journal": str(tmp_path / "journal.sqlite3"),
        "api_keys": API_KEY,
        "cpu_workers": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def writer_client(tmp_path: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    """A started app serving the hash index that accepts writes with ``API_KEY``; its journal
    and checkpoints are the test's own."""
    app = create_app(own_settings(tmp_path), searcher=searcher)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keyed_client(tmp_path: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    """Like ``writer_client``, with the reads keyed too."""
    app = create_app(own_settings(tmp_path, protect_reads=True), searcher=searcher)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def loading_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient[Litestar]]:
    """A started app whose index is still loading (the load waits until the test ends)."""
    release = threading.Event()

    def open_slowly(serving: Serving, embedder: object = None) -> LiveIndex:
        release.wait(timeout=60)
        raise RuntimeError("released at teardown")

    monkeypatch.setattr(runtime, "open_index", open_slowly)
    app = create_app(own_settings(tmp_path))
    try:
        with TestClient(app) as test_client:
            yield test_client
    finally:
        release.set()


@pytest.fixture
def failed_client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """A started app whose index failed to load: no index and no articles to build one from."""
    app = create_app(own_settings(tmp_path, articles=tmp_path / "missing"))
    with TestClient(app) as test_client:
        for _ in range(500):  # the load fails in a worker thread, at once; wait for it to land
            if test_client.get("/v1/health/ready").json()["type"].endswith("/index-unavailable"):
                break
            time.sleep(0.01)
        yield test_client
