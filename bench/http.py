"""HTTP lookups under load: wrk in a second process on loopback, against in-process lookups.

One run, in order:

1. in-process lookups over the index (bench.lookup, in its own process): the reference;
2. the service (stock ``whosaid serve``: the encoder the index records, ONNX int8; FAISS and
   BLAS on one thread) started in a fresh process; time from spawn to ``/v1/health/ready`` =
   200 and its resident memory once ready;
3. wrk (Debian's ``wrk``; one thread, keep-alive connections) for ``--seconds`` each at
   concurrency 1, 8 and 32 on ``GET /v1/lookup?text=…``, the queries taken in turn from the
   same query set as step 1: requests/s, p50, p99, and HTTP p50 over in-process p50;
4. keep-alive overhead of several workers: ``whosaid serve`` (stock uvicorn) with 1 and 2
   workers, and 2 workers with TCP_NODELAY on the shared socket (bench.workers_server), on
   ``GET /v1/health/live`` at concurrency 1 (no model work, so only the server's own latency
   shows). ``--workers-only`` reruns just this part.

Every load is bounded in time and sent to 127.0.0.1 only.

    python -m bench.http [--quotes 1000000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import RESULTS, ROOT, machine, rss_mib, run_worker, write_result

LUA = ROOT / "bench" / "wrk_lookup.lua"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Seconds until ``url`` answers 200 (the process must stay alive meanwhile)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url: str, connections: int, seconds: int, paths: Path | None = None) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if paths is not None:
        command += ["-s", str(LUA), url, "--", str(paths)]
    else:
        command += ["-s", str(LUA), url, "--", str(_single_path(url))]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _single_path(url: str) -> Path:
    path = Path(tempfile.mkstemp(prefix="wrk-paths-", suffix=".txt")[1])
    path.write_text(urllib.parse.urlsplit(url).path + "\n")
    return path


def query_paths(count: int, corpus_quotes: int) -> Path:
    from bench.lookup import bench_queries

    path = Path(tempfile.mkstemp(prefix="wrk-queries-", suffix=".txt")[1])
    lines = [
        "/v1/lookup?" + urllib.parse.urlencode({"text": text})
        for text in bench_queries(count, corpus_quotes)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


# FAISS (libgomp) and numpy (OpenBLAS) default to one thread per core. omp_set_num_threads is
# per calling thread, and lookups run in the service's worker threads, so only the
# environment reliably keeps single queries on one thread.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def whosaid_command() -> list[str]:
    """``whosaid`` from this environment (the console script, else the module)."""
    found = shutil.which("whosaid", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "service.cli"]


def spawn_service(
    folder: Path, port: int, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], float]:
    """Stock ``whosaid serve`` over ``folder`` (logging at info, so it reports how long the
    index folder took to load); the process and when it was spawned."""
    spawned = time.perf_counter()
    process = subprocess.Popen(
        [*whosaid_command(), "serve", "--index", str(folder), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "WHOSAID_LOG_LEVEL": "info"},
    )
    return process, spawned


LOAD_STEPS = re.compile(r"load_index_s=([0-9.]+) searcher_s=([0-9.]+)")


def load_steps(log: str) -> dict[str, float]:
    """The index load the service logged (``index.live.LiveIndex.open``)."""
    found = LOAD_STEPS.search(log)
    if found is None:
        return {}
    return {"load_index_s": float(found[1]), "searcher_init_s": float(found[2])}


def wait_warm(base: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait for ``whosaid_warm 1`` in /metrics: what the service loads after readiness
    (browse indexes, spaCy) is loaded, so loads measure the steady state."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
                if b"\nwhosaid_warm 1.0" in response.read():
                    return time.perf_counter() - start
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base} not warm after {timeout} s")


def serve_bench(
    folder: Path,
    queries: Path,
    seconds: int,
    *,
    env: dict[str, str],
    concurrency: Sequence[int] = (1, 8, 32),
) -> dict[str, Any]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    process, spawned = spawn_service(folder, port, env)
    try:
        wait_ready(f"{base}/v1/health/ready", process, timeout=1800)
        ready = time.perf_counter() - spawned
        rss = rss_mib(process.pid)
        warm = wait_warm(base, process, timeout=600)
        wrk(f"{base}/", 1, 2, queries)  # warm-up
        loads = {str(c): wrk(f"{base}/", c, seconds, queries) for c in concurrency}
    finally:
        stop(process)
        log = process.stderr.read().decode() if process.stderr else ""
    return {
        "spawn_to_ready_s": round(ready, 2),
        "rss_ready_mib": round(rss, 1),
        "ready_to_warm_s": round(warm, 2),
        "steps": load_steps(log),
        "wrk": loads,
    }


def workers_bench(folder: Path, seconds: int) -> dict[str, Any]:
    """Keep-alive latency of liveness: ``whosaid serve`` with 1 and 2 workers, and 2 workers
    on stock uvicorn's shared socket, without and with TCP_NODELAY (bench.workers_server)."""
    whosaid = shutil.which("whosaid", path=str(Path(sys.executable).parent))
    if whosaid is None:
        return {"skipped": "no whosaid command in this environment"}
    workers = [sys.executable, "-m", "bench.workers_server", "--workers", "2"]
    servers = {
        "1 (whosaid serve)": [whosaid, "serve", "--workers", "1"],
        "2 (whosaid serve)": [whosaid, "serve", "--workers", "2"],
        "2, stock uvicorn socket": [*workers, "--stock"],
        "2, stock uvicorn socket + TCP_NODELAY": workers,
    }
    found = {}
    for name, command in servers.items():
        port = free_port()
        base = f"http://{HOST}:{port}"
        process = subprocess.Popen(
            [*command, "--index", str(folder), "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **ONE_THREAD, "WHOSAID_LOG_LEVEL": "warning"},
        )
        try:
            # Both workers have loaded when many ready answers in a row came back.
            for _ in range(20):
                wait_ready(f"{base}/v1/health/ready", process, timeout=600)
            found[name] = wrk(f"{base}/v1/health/live", 1, seconds)
        finally:
            stop(process)
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="HTTP benchmark")
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers-quotes", type=int, default=10_000)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument(
        "--workers-only", action="store_true", help="rerun only the workers comparison"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    from bench.bigindex import ensure

    if args.workers_only:
        previous = RESULTS / "http.json"
        result = json.loads(previous.read_text()) if previous.exists() else {"bench": "http"}
        result["workers"] = workers_bench(ensure(args.workers_quotes), args.seconds)
        result["workers_machine"] = machine()
        print(json.dumps(result["workers"], indent=2))
        print(write_result("http", result), file=sys.stderr)
        return
    folder = ensure(args.quotes)
    inprocess = run_worker(
        "bench.lookup", "--one", str(args.quotes), "--queries", str(args.queries), env=ONE_THREAD
    )
    queries = query_paths(args.queries, inprocess["quotes"])
    served = serve_bench(folder, queries, args.seconds, env=ONE_THREAD)
    # The same server with the libraries' thread teams (one thread per core), at 1 and 8.
    cores = str(os.cpu_count() or 1)
    teams = {"OMP_NUM_THREADS": cores, "OPENBLAS_NUM_THREADS": cores}
    served_default = serve_bench(folder, queries, args.seconds, env=teams, concurrency=(1, 8))
    reference = inprocess["lookup"]["p50_ms"]
    for load in [*served["wrk"].values(), *served_default["wrk"].values()]:
        load["p50_over_in_process_p50"] = round(load["p50_ms"] / reference, 3)
    result = {
        "bench": "http",
        "machine": machine(),
        "setup": {
            "quotes": args.quotes,
            "seconds_per_load": args.seconds,
            "load_generator": "wrk -t1 (keep-alive), second process, 127.0.0.1",
            "server": "whosaid serve as shipped (the index's own encoder, ONNX int8; uvicorn, "
            "1 worker; OMP/OpenBLAS on 1 thread; http_default_threads: one thread per core)",
        },
        "in_process": inprocess,
        "http": served,
        "http_default_threads": served_default,
        "workers": {}
        if args.skip_workers
        else workers_bench(ensure(args.workers_quotes), args.seconds),
    }
    print(json.dumps(result["http"], indent=2))
    print(write_result("http", result), file=sys.stderr)


if __name__ == "__main__":
    main()
