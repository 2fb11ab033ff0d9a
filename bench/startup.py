"""Start-up: time from spawning ``whosaid serve`` to ``/v1/health/ready`` = 200, and memory then.

The stock service, as shipped, over each bench index folder in a fresh process, started
``--rounds`` times (the best round is reported; the page cache is warm after the first). The
service logs how long loading the index folder took (``load_index``: reading, decoding and
checking the records, mapping the FAISS index and the vectors) and setting up the searcher;
"beyond the index load" is the time to ready less ``load_index``: imports, the encoder, the
searcher and ranker set-up, uvicorn.

    python -m bench.startup [--quotes 10000 1000000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.http import HOST, ONE_THREAD, free_port, load_steps, spawn_service, stop, wait_ready
from bench.measure import machine, rss_mib, write_result


def start(folder: Path, timeout: float) -> dict[str, Any]:
    port = free_port()
    process, spawned = spawn_service(folder, port, ONE_THREAD)
    try:
        wait_ready(f"http://{HOST}:{port}/v1/health/ready", process, timeout=timeout)
        ready = time.perf_counter() - spawned
        rss = rss_mib(process.pid)
    except (RuntimeError, TimeoutError) as exc:
        stop(process)
        tail = process.stderr.read().decode()[-600:] if process.stderr else ""
        return {"error": f"{exc}: {tail}"}
    stop(process)
    steps = load_steps(process.stderr.read().decode() if process.stderr else "")
    found: dict[str, Any] = {"spawn_to_ready_s": round(ready, 2), "rss_ready_mib": round(rss, 1)}
    if steps:
        found["steps"] = steps
        found["beyond_index_load_s"] = round(ready - steps["load_index_s"], 2)
    return found


def measure(folder: Path, rounds: int) -> dict[str, Any]:
    runs = [start(folder, 1800) for _ in range(rounds)]
    good = [run for run in runs if "beyond_index_load_s" in run]
    best = min(good, key=lambda run: run["spawn_to_ready_s"]) if good else runs[-1]
    return {"stock": best, "rounds": runs}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start-up benchmark")
    parser.add_argument("--quotes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    from bench.bigindex import ensure

    sizes = {str(count): measure(ensure(count), args.rounds) for count in args.quotes}
    result = {"bench": "startup", "machine": machine(), "sizes": sizes}
    print(json.dumps(sizes, indent=2))
    print(write_result("startup", result), file=sys.stderr)


if __name__ == "__main__":
    main()
