"""Visibility lag: how long after one writer acknowledges an article another serves it.

Two set-ups over the seeds index (real model), in one run:

- **workers**: one ``whosaid serve --workers 2`` on a SQLite journal. Connections land on
  either worker, so an article counts as visible once ``--probes`` reads in a row, each on a
  new connection, find it (with two workers, 8 in a row all reach the writer alone with
  probability 1/256).
- **replicas**: two servers, each its own index folder, on one PostgreSQL journal (a real
  server in a temporary folder, as in the tests); written through one, read from the other.

Each write's lag is the time from its acknowledgement to the first read that shows it on the
other side (polled every 5 ms); the write's own latency is reported beside it. It reuses the
tests' server helpers (``tests/e2e/live_server.py``, ``tests/postgres.py``).

    python -m bench.visibility [--writes 20] [--probes 8]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.measure import machine, summary_ms, write_result
from tests.e2e.live_server import API_KEY, LiveServer, news_article

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.005


def _visible(url: str, article_id: str, probes: int) -> bool:
    for _ in range(probes):
        if httpx.get(f"{url}/v1/articles/{article_id}", timeout=30).status_code != 200:
            return False
    return True


def lags(writer: LiveServer, reader: LiveServer, writes: int, probes: int) -> dict[str, Any]:
    took: list[float] = []
    seen: list[float] = []
    with httpx.Client(base_url=writer.url, headers={"X-API-Key": API_KEY}, timeout=120) as client:
        for n in range(writes):
            article = news_article(1000 + n)
            started = time.perf_counter()
            response = client.post("/v1/articles", json={"articles": [article]})
            acknowledged = time.perf_counter()
            response.raise_for_status()
            while not _visible(reader.url, article["id"], probes):
                time.sleep(POLL)
            seen.append(time.perf_counter() - acknowledged)
            took.append(acknowledged - started)
    return {"write_ms": summary_ms(took), "visible_after_ack_ms": summary_ms(seen)}


def index_copy(work: Path, seeds_index: Path) -> Path:
    work.mkdir(parents=True)
    shutil.copytree(seeds_index, work / "index")
    return work


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="visibility lag between workers and replicas")
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--probes", type=int, default=8)
    args = parser.parse_args(argv)
    from service.cli import main as whosaid
    from tests.postgres import postgres_server

    result: dict[str, Any] = {"machine": machine(), "writes": args.writes}
    with tempfile.TemporaryDirectory(prefix="whosaid-visibility-") as tmp:
        root = Path(tmp)
        seeds_index = root / "seeds-index"
        whosaid(["build", "--out", str(seeds_index), "--quiet"])

        server = LiveServer(index_copy(root / "workers", seeds_index), ROOT, workers="2")
        server.start()
        try:
            result["workers"] = lags(server, server, args.writes, args.probes)
        finally:
            server.stop()

        with postgres_server() as postgres:
            url = postgres.new_database()
            first = LiveServer(index_copy(root / "a", seeds_index), ROOT, journal=url)
            second = LiveServer(index_copy(root / "b", seeds_index), ROOT, journal=url)
            first.start()
            second.start()
            try:
                result["replicas"] = lags(first, second, args.writes, 1)
            finally:
                first.stop()
                second.stop()
    print(write_result("visibility", result))


if __name__ == "__main__":
    main()
