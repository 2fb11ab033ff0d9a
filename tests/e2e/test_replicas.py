"""Several writers on one journal, for real: two whosaid replicas (each its own index folder)
on one PostgreSQL journal, and one server of two worker processes on one SQLite journal.

A write acknowledged by one is read from the other; a replica killed while it takes writes
loses nothing it acknowledged, and the other goes on serving. Waits are deadlines, not
timings: how fast a write reaches another replica is measured in ``bench/``, not here.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import API_KEY, LiveServer, news_article
from tests.postgres import Postgres

pytestmark = [pytest.mark.e2e, pytest.mark.model]

KEY = {"X-API-Key": API_KEY}
DEADLINE = 60.0


def replica(
    root: Path, name: str, real_seeds_index: Path, repo: Path, **settings: str
) -> LiveServer:
    work = root / name
    work.mkdir()
    shutil.copytree(real_seeds_index, work / "index")
    return LiveServer(work, repo, **settings)


def add(server: LiveServer, n: int) -> httpx.Response:
    body = {"articles": [news_article(n)]}
    return httpx.post(f"{server.url}/v1/articles", json=body, headers=KEY, timeout=120)


def held(server: LiveServer, n: int) -> bool:
    article_id = news_article(n)["id"]
    return httpx.get(f"{server.url}/v1/articles/{article_id}", timeout=30).status_code == 200


def eventually(check: object, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {DEADLINE:g} s: {what}")


def test_two_replicas_on_one_postgresql_journal(
    tmp_path: Path, real_seeds_index: Path, repo_root: Path, postgres: Postgres
) -> None:
    url = postgres.new_database()
    first = replica(tmp_path, "a", real_seeds_index, repo_root, journal=url)
    second = replica(tmp_path, "b", real_seeds_index, repo_root, journal=url)
    first.start()
    second.start()
    try:
        assert add(first, 1).status_code == 200
        eventually(lambda: held(second, 1), "a write through one replica is read on the other")
        assert add(second, 2).status_code == 200
        eventually(lambda: held(first, 2), "and the other way round")
        ready = httpx.get(f"{second.url}/v1/health/ready").json()
        assert ready["writes"]["available"] is True, ready

        # A stream of writes through the first replica, killed part-way through.
        acknowledged: list[int] = []

        def stream() -> None:
            for n in range(10, 60):
                try:
                    response = add(first, n)
                except httpx.TransportError:
                    return  # the replica was killed: this write was never acknowledged
                if response.status_code == 200:
                    acknowledged.append(n)

        writer = threading.Thread(target=stream)
        writer.start()
        eventually(lambda: len(acknowledged) >= 3, "the first replica acknowledges writes")
        first.kill()
        writer.join(timeout=120)
        assert acknowledged
        for n in [1, 2, *acknowledged]:
            eventually(lambda n=n: held(second, n), f"acknowledged article {n} on the survivor")
        assert add(second, 99).status_code == 200  # the survivor still takes writes
        assert httpx.get(f"{second.url}/v1/health/ready").status_code == 200

        # The killed replica comes back and catches up from its own checkpoint.
        first.start()
        for n in [1, 2, 99, *acknowledged]:
            eventually(lambda n=n: held(first, n), f"article {n} on the restarted replica")
    finally:
        first.stop()
        second.stop()


def test_every_worker_of_a_server_takes_writes_and_sees_the_others(
    served_index: Path, repo_root: Path
) -> None:
    server = LiveServer(served_index, repo_root, workers="2")
    server.start()
    try:
        # Connections are spread over the two workers by the kernel; a fresh connection per
        # request reaches both. Every write is acknowledged, whichever worker takes it.
        for n in range(1, 9):
            assert add(server, n).status_code == 200, n
        for n in range(1, 9):
            # Read many times over new connections: both workers must hold it.
            eventually(
                lambda n=n: all(held(server, n) for _ in range(12)),
                f"article {n} on every worker",
            )
        listed = httpx.get(f"{server.url}/v1/articles", params={"limit": 100}).json()
        ids = [a["id"] for a in listed["items"]]
        assert len(ids) == len(set(ids))
        assert {news_article(n)["id"] for n in range(1, 9)} <= set(ids)
    finally:
        server.stop()
