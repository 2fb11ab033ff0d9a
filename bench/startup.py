"""Start-up: time from spawning the server to ``/v1/health/ready`` = 200, and memory then.

Two servers over the same index folder, each started in a fresh process:

- **stock**: ``whosaid serve`` as shipped (its own encoder choice, uvicorn, one worker);
- **onnx**: bench.server (the same app, ONNX int8 encoder, OMP/OpenBLAS on one thread),
  which also reports its steps: imports, ``load_index``, the encoder, the Searcher.

"Beyond the index load" is the time to ready less ``load_index`` and the Searcher's set-up.

    python -m bench.startup [--quotes 10000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.http import HOST, ONE_THREAD, free_port, stop, wait_ready
from bench.measure import ROOT, machine, rss_mib, write_result


def start(command: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    port = free_port()
    spawned = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "WHOSAID_LOG_LEVEL": "warning"},
    )
    try:
        wait_ready(f"http://{HOST}:{port}/v1/health/ready", process, timeout=timeout)
        ready = time.perf_counter() - spawned
        rss = rss_mib(process.pid)
    except (RuntimeError, TimeoutError) as exc:
        stop(process)
        tail = process.stderr.read().decode()[-600:] if process.stderr else ""
        return {"error": f"{exc}: {tail}"}
    stop(process)
    output = process.stderr.read().decode() if process.stderr else ""
    steps = next((json.loads(line) for line in output.splitlines() if line.startswith("{")), {})
    found: dict[str, Any] = {"spawn_to_ready_s": round(ready, 2), "rss_ready_mib": round(rss, 1)}
    if steps:
        found["steps"] = steps
        loading = steps.get("load_index_s", 0.0) + steps.get("searcher_init_s", 0.0)
        found["beyond_index_load_s"] = round(ready - loading, 2)
    return found


def measure(folder: Path) -> dict[str, Any]:
    whosaid = shutil.which("whosaid", path=str(Path(sys.executable).parent))
    found = {
        "onnx": start(
            [sys.executable, "-m", "bench.server", "--index", str(folder)], ONE_THREAD, 1800
        )
    }
    if whosaid:
        found["stock"] = start([whosaid, "serve", "--index", str(folder)], {}, 1800)
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start-up benchmark")
    parser.add_argument("--quotes", type=int, nargs="+", default=[10_000, 1_000_000])
    args = parser.parse_args(argv)
    from bench.bigindex import ensure

    sizes = {str(count): measure(ensure(count)) for count in args.quotes}
    result = {"bench": "startup", "machine": machine(), "sizes": sizes}
    print(json.dumps(sizes, indent=2))
    print(write_result("startup", result), file=sys.stderr)


if __name__ == "__main__":
    main()
