"""Timing and reporting helpers shared by the bench scripts: percentiles, machine facts, JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Where results go: bench/results (committed), or elsewhere for trial runs (bench.run --quick).
RESULTS = Path(os.environ.get("WHOSAID_BENCH_RESULTS", ROOT / "bench" / "results"))
CACHE = ROOT / "var" / "bench"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p99 and mean of durations given in seconds, in milliseconds."""
    return {
        "p50_ms": round(1000 * percentile(seconds, 50), 3),
        "p99_ms": round(1000 * percentile(seconds, 99), 3),
        "mean_ms": round(1000 * statistics.fmean(seconds), 3) if seconds else 0.0,
        "n": len(seconds),
    }


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def rss_mib(pid: int | None = None) -> float:
    """Resident set size of a process (this one by default), in MiB, from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1m_at_start": round(load[0], 2),
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
    return path


def run_worker(module: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m module args`` and decode the JSON object on its last stdout line."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def growth_exponent(rows: Sequence[dict[str, Any]], size: str, cost: str) -> float:
    """How ``cost`` grows with ``size`` from the first row to the last: the log of one's ratio
    over the log of the other's (1 is linear, 2 quadratic)."""
    first, last = rows[0], rows[-1]
    return round(math.log(last[cost] / first[cost]) / math.log(last[size] / first[size]), 2)
