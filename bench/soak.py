"""Soak: minutes of mixed lookups and writes at 80% of measured capacity against a real server.

``whosaid serve`` (one worker, writes on, the default checkpoints) over the seeds' index, then:

1. **capacity**: lookups in a closed loop from ``--clients`` threads for ``--probe`` seconds;
   the lookups/s reached is the capacity;
2. **soak**: for ``--seconds``, requests are sent on a fixed schedule (open loop) at
   ``--load`` × capacity: one article write (``POST /v1/articles``, a new article of
   :func:`bench.corpus.articles`) every ``--write-every`` seconds, lookups (GET and POST, quotes
   of the corpus, fragments of them and sentences nobody said) for the rest.

Recorded: every error (a 5xx, a transport error, or a 4xx, which no request here should get),
lookup p50/p99 in the first and the last minute and their ratio (the drift), and the resident
memory of the server process tree at the end of the first minute and at the end (the growth).

    python -m bench.soak [--seconds 600] [--load 0.8]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.http import HOST, ONE_THREAD, free_port, wait_ready, wait_warm, whosaid_command
from bench.measure import ROOT, machine, rss_mib, summary_ms, write_result

KEY = "bench-soak-key"
MINUTE = 60.0
UNSAID = (
    "The committee will publish its findings before the end of the year",
    "We have never discussed a merger with anyone",
    "Ticket prices will be frozen for the rest of the summer",
    "The new bridge opens to traffic next spring",
)


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, in MiB."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += rss_mib(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def queries(folder: Path) -> list[str]:
    """Quotes of the index, fragments of them, and sentences nobody said."""
    import msgspec

    quotes = msgspec.json.decode((folder / "quotes.json").read_bytes())
    texts = [q["text"] for q in quotes if len(q["text"].split()) >= 5]
    fragments = [" ".join(t.split()[1:7]) for t in texts]
    return [*texts, *fragments, *UNSAID]


class Recorder:
    """Every request's start (seconds into the soak), kind, status and latency."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, int, float]] = []
        self.lock = threading.Lock()

    def add(self, at: float, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.rows.append((at, kind, status, seconds))


def lookup(client: httpx.Client, text: str, n: int) -> int:
    if n % 2:
        return client.get("/v1/lookup", params={"text": text, "k": 3}).status_code
    return client.post("/v1/lookup", json={"text": text, "k": 3}).status_code


def capacity(base: str, texts: Sequence[str], clients: int, seconds: float) -> float:
    stop = time.perf_counter() + seconds
    done = [0] * clients

    def loop(slot: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            for n in itertools.count():
                if time.perf_counter() >= stop:
                    return
                lookup(client, texts[(slot + n * clients) % len(texts)], n)
                done[slot] += 1

    threads = [threading.Thread(target=loop, args=(slot,)) for slot in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def soak(
    base: str,
    pid: int,
    texts: Sequence[str],
    rate: float,
    seconds: float,
    write_every: float,
    clients: int,
) -> dict[str, Any]:
    from bench.corpus import articles

    fresh = iter(articles(int(seconds / write_every + 10) * 4, seed=11, per_article=4))
    recorder, local = Recorder(), threading.local()
    rng = random.Random(5)
    rss: list[tuple[float, float]] = []

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=120)
        return local.client  # type: ignore[no-any-return]

    def send(at: float, kind: str, payload: Any, n: int) -> None:
        start = time.perf_counter()
        try:
            if kind == "write":
                status = (
                    client()
                    .post("/v1/articles", json={"articles": [payload]}, headers={"X-API-Key": KEY})
                    .status_code
                )
            else:
                status = lookup(client(), payload, n)
        except httpx.TransportError:
            status = 0
        recorder.add(at, kind, status, time.perf_counter() - start)

    interval = 1.0 / rate
    started = time.perf_counter()
    next_write, next_rss, n = 0.0, MINUTE, 0
    with ThreadPoolExecutor(max_workers=clients) as pool:
        while (now := time.perf_counter() - started) < seconds:
            if now >= next_rss:
                rss.append((round(now, 1), round(tree_rss_mib(pid), 1)))
                next_rss += MINUTE
            if now >= next_write:
                line = next(fresh)
                article = {"id": f"soak-{line.id}", "outlet": line.outlet, "text": line.text}
                pool.submit(send, now, "write", article, n)
                next_write += write_every
            else:
                pool.submit(send, now, "lookup", rng.choice(texts), n)
            n += 1
            time.sleep(max(0.0, started + n * interval - time.perf_counter()))
        rss.append((round(time.perf_counter() - started, 1), round(tree_rss_mib(pid), 1)))
    # Requests still queued when the schedule ended: the server fell behind by this much.
    behind = time.perf_counter() - started - seconds
    found = summarise(recorder.rows, rss, seconds, rate)
    found["drained_after_s"] = round(behind, 1)
    return found


def summarise(
    rows: Sequence[tuple[float, str, int, float]],
    rss: Sequence[tuple[float, float]],
    seconds: float,
    rate: float,
) -> dict[str, Any]:
    errors = [row for row in rows if row[2] == 0 or row[2] >= 400]
    lookups = [row for row in rows if row[1] == "lookup" and 200 <= row[2] < 300]
    first = [row[3] for row in lookups if row[0] < MINUTE]
    last = [row[3] for row in lookups if row[0] >= seconds - MINUTE]
    head, tail = summary_ms(first), summary_ms(last)
    writes = [row[3] for row in rows if row[1] == "write" and row[2] == 200]
    return {
        "seconds": seconds,
        "rate_per_s": round(rate, 1),
        "requests": len(rows),
        "lookups": sum(1 for row in rows if row[1] == "lookup"),
        "writes": sum(1 for row in rows if row[1] == "write"),
        "errors": len(errors),
        "error_statuses": sorted({row[2] for row in errors}),
        "first_minute_ms": head,
        "last_minute_ms": tail,
        "p50_drift": round(tail["p50_ms"] / head["p50_ms"], 2) if head["p50_ms"] else None,
        "p99_drift": round(tail["p99_ms"] / head["p99_ms"], 2) if head["p99_ms"] else None,
        "write_ms": summary_ms(writes),
        "rss_mib": list(rss),
        "rss_growth_pct": round(100 * (rss[-1][1] / rss[0][1] - 1), 1) if len(rss) > 1 else None,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="soak benchmark")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--write-every", type=float, default=2.0)
    # Connections in flight, in the capacity probe and in the soak alike.
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--probe", type=float, default=20)
    args = parser.parse_args(argv)
    from index.articles import load_folder
    from index.build import build_index
    from index.embed.choice import DEFAULT, DEFAULT_CACHE, for_build

    result: dict[str, Any] = {"bench": "soak", "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="whosaid-soak-") as tmp:
        folder = Path(tmp) / "index"
        build_index(
            load_folder(ROOT / "seeds"), folder, for_build(DEFAULT, None, DEFAULT_CACHE),
            progress=False,
        )  # fmt: skip
        texts = queries(folder)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
        env.update(
            ONE_THREAD, WHOSAID_API_KEYS=KEY, WHOSAID_JOURNAL=str(Path(tmp) / "journal.sqlite3"),
            WHOSAID_LOG_LEVEL="warning",
        )  # fmt: skip
        log = (Path(tmp) / "server.log").open("wb")
        command = [*whosaid_command(), "serve", "--index", str(folder), "--port", str(port)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            base = f"http://{HOST}:{port}"
            wait_ready(f"{base}/v1/health/ready", process, timeout=300)
            wait_warm(base, process, timeout=300)  # spaCy and the browse maps, loaded
            result["capacity_lookups_per_s"] = round(
                capacity(base, texts, args.clients, args.probe), 1
            )
            rate = args.load * result["capacity_lookups_per_s"]
            result["load"] = args.load
            result["soak"] = soak(
                base, process.pid, texts, rate, args.seconds, args.write_every, args.clients
            )
            counts = httpx.get(f"{base}/v1/health/ready", timeout=60).json()["counts"]
            result["articles_at_end"] = counts["articles"]
        finally:
            process.terminate()
            process.wait(timeout=120)
            log.close()
            tail = (Path(tmp) / "server.log").read_text(errors="replace")[-2000:]
            result["server_exit"] = process.returncode
            result["server_log_tail"] = tail if "Traceback" in tail else ""
        shutil.rmtree(folder, ignore_errors=True)
    print(result, file=sys.stderr)
    write_result("soak", result)


def section(r: dict[str, Any]) -> str:
    """BENCHMARKS.md's soak section."""
    from bench.report import _when

    s = r["soak"]
    head, tail = s["first_minute_ms"], s["last_minute_ms"]
    return "\n".join(
        [
            "## Soak",
            "",
            f"`python -m bench.soak`: {s['seconds'] / 60:g} minutes against one server (one "
            f"worker, writes on) at {r['load']:g} × its measured capacity "
            f"({r['capacity_lookups_per_s']} lookups/s): {s['rate_per_s']} requests/s, one "
            "article written every 2 s, the rest lookups (quotes, fragments, unsaid sentences). "
            f"The writes grow the corpus from the seeds' 5 articles to {r['articles_at_end']}, "
            "so some memory growth is the corpus's; the schedule's last requests were answered "
            f"{s['drained_after_s']} s after it ended.",
            "",
            "| requests | lookups | writes | errors | lookup p50 first → last minute | "
            "lookup p99 first → last minute | write p50 / p99 | RSS first minute → end | "
            "RSS growth |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {s['requests']} | {s['lookups']} | {s['writes']} | {s['errors']} | "
            f"{head['p50_ms']} → {tail['p50_ms']} ms ({s['p50_drift']}×) | "
            f"{head['p99_ms']} → {tail['p99_ms']} ms ({s['p99_drift']}×) | "
            f"{s['write_ms']['p50_ms']} / {s['write_ms']['p99_ms']} ms | "
            f"{s['rss_mib'][0][1]} → {s['rss_mib'][-1][1]} MiB | {s['rss_growth_pct']}% |",
            "",
            _when(r),
        ]
    )


def targets(r: dict[str, Any]) -> list[list[Any]]:
    """The soak target's row of BENCHMARKS.md's targets table."""
    s = r["soak"]
    growth = s["rss_growth_pct"]
    met = s["errors"] == 0 and growth is not None and growth < 5
    return [
        [
            f"soak of {s['seconds'] / 60:g} min at {r['load']:g} × capacity: 0 errors, RSS "
            "growth < 5%",
            f"{s['errors']} errors, RSS growth {growth}%",
            "met" if met else "not met",
        ]
    ]


if __name__ == "__main__":
    main()
